"""All models; importing this module registers every table on `Base.metadata`."""

from db.models.base import Base, UTCDateTime
from db.models.people import AuditEvent, DialogueState, Person, PersonRole, Role

__all__ = [
    "AuditEvent",
    "Base",
    "DialogueState",
    "Person",
    "PersonRole",
    "Role",
    "UTCDateTime",
]
