"""All models; importing this module registers every table on `Base.metadata`."""

from db.models.assessment import (
    Assessment,
    AssessmentCursor,
    AssessmentRating,
    AssessmentState,
    Light,
)
from db.models.base import Base, UTCDateTime
from db.models.broadcasts import Audience, Broadcast, BroadcastPick, BroadcastState, FileKind
from db.models.deadlines import (
    AckStatus,
    Deadline,
    DeadlineAck,
    DeadlineKind,
    DeadlineOverride,
    ExtensionRequest,
    ExtensionStatus,
    Recurrence,
)
from db.models.inbox import InboxOutcome, InboxUpdate
from db.models.journey import (
    AnswerValue,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    GuidanceProgress,
    RunState,
)
from db.models.ops import Heartbeat
from db.models.outbox import OutboxMessage, OutboxState
from db.models.people import (
    AuditEvent,
    DialogueState,
    Person,
    PersonRole,
    Role,
    RoleSource,
    Salutation,
)
from db.models.programme import Agency, AgencyMember, Business, Invitation
from db.models.questions import Question, QuestionAnswer, QuestionStatus

__all__ = [
    "AckStatus",
    "Agency",
    "AgencyMember",
    "AnswerValue",
    "Assessment",
    "AssessmentCursor",
    "AssessmentRating",
    "AssessmentState",
    "Audience",
    "AuditEvent",
    "Base",
    "Broadcast",
    "BroadcastPick",
    "BroadcastState",
    "Business",
    "ChecklistAnswer",
    "ChecklistRun",
    "Deadline",
    "DeadlineAck",
    "DeadlineKind",
    "DeadlineOverride",
    "DialogueState",
    "Evidence",
    "ExtensionRequest",
    "ExtensionStatus",
    "FileKind",
    "GuidanceProgress",
    "Heartbeat",
    "InboxOutcome",
    "InboxUpdate",
    "Invitation",
    "Light",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "PersonRole",
    "Question",
    "QuestionAnswer",
    "QuestionStatus",
    "Recurrence",
    "Role",
    "RoleSource",
    "RunState",
    "Salutation",
    "UTCDateTime",
]
