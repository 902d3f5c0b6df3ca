"""All models; importing this module registers every table on `Base.metadata`."""

from db.models.base import Base, UTCDateTime
from db.models.outbox import OutboxMessage, OutboxState
from db.models.people import AuditEvent, DialogueState, Person, PersonRole, Role
from db.models.programme import Agency, AgencyMember, Business, Invitation

__all__ = [
    "Agency",
    "AgencyMember",
    "AuditEvent",
    "Base",
    "Business",
    "DialogueState",
    "Invitation",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "PersonRole",
    "Role",
    "UTCDateTime",
]
