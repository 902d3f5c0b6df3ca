"""All models; importing this module registers every table on `Base.metadata`."""

from db.models.assessment import (
    Assessment,
    AssessmentCursor,
    AssessmentRating,
    AssessmentState,
    Light,
)
from db.models.base import Base, UTCDateTime
from db.models.journey import (
    AnswerValue,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    GuidanceProgress,
    RunState,
)
from db.models.outbox import OutboxMessage, OutboxState
from db.models.people import AuditEvent, DialogueState, Person, PersonRole, Role
from db.models.programme import Agency, AgencyMember, Business, Invitation
from db.models.questions import Question, QuestionAnswer, QuestionStatus

__all__ = [
    "Agency",
    "AgencyMember",
    "AnswerValue",
    "Assessment",
    "AssessmentCursor",
    "AssessmentRating",
    "AssessmentState",
    "AuditEvent",
    "Base",
    "Business",
    "ChecklistAnswer",
    "ChecklistRun",
    "DialogueState",
    "Evidence",
    "GuidanceProgress",
    "Invitation",
    "Light",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "PersonRole",
    "Question",
    "QuestionAnswer",
    "QuestionStatus",
    "Role",
    "RunState",
    "UTCDateTime",
]
