"""What an outbox row says, decided when it is sent: one composer per kind, in one table.

Each kind has a typed payload (`bot.services.outbox.Payload`), checked when the row is
planned and validated again here, when it is composed. A composer reads what it needs (the
payload, the database) and returns the reply in the recipient's language, or None when the
message has become pointless (the deadline was acknowledged, the question answered, ...):
the dispatcher then marks the row skipped. Composers sit below the handlers: the dispatcher
needs them, and it imports no handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.compose import broadcasts, deadlines, invitations, nudges, people, privacy, questions
from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.services import broadcasts as broadcast_kinds
from bot.services import invitations as invitation_kinds
from bot.services import nudges as nudge_kinds
from bot.services import privacy as privacy_kinds
from bot.services import questions as question_kinds
from bot.services import roles as role_kinds
from bot.services.deadlines import answers, changes, planning
from bot.services.outbox import Payload
from db.models import OutboxMessage

P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class Kind(Generic[P]):
    """One kind of outbox row: its payload type and the composer that reads it."""

    payload: type[P]
    compose: Callable[[AsyncSession, Deps, Translator, OutboxMessage, P], Awaitable[Reply | None]]

    def __post_init__(self) -> None:
        if not self.payload.KINDS:
            raise ValueError(f"{self.payload.__name__} names no outbox kind")


KINDS: Mapping[str, Kind[Any]] = {
    role_kinds.KIND_ACCESS: Kind(role_kinds.AccessChanged, people.compose_access),
    planning.REMINDER: Kind(planning.Planned, deadlines.compose_reminder),
    planning.OVERDUE: Kind(planning.Planned, deadlines.compose_overdue),
    planning.ESCALATION: Kind(planning.Planned, deadlines.compose_escalation),
    changes.CHANGED: Kind(changes.Changed, deadlines.compose_changed),
    answers.HELP: Kind(answers.HelpAsked, deadlines.compose_help),
    answers.EXTENSION: Kind(answers.ExtensionRef, deadlines.compose_extension),
    answers.EXTENSION_DECIDED: Kind(answers.ExtensionRef, deadlines.compose_extension_decided),
    question_kinds.KIND_QUESTION: Kind(question_kinds.QuestionRef, questions.compose_question),
    question_kinds.KIND_ESCALATION: Kind(question_kinds.QuestionRef, questions.compose_escalation),
    question_kinds.KIND_ANSWER: Kind(question_kinds.QuestionRef, questions.compose_answer),
    nudge_kinds.KIND_NUDGE: Kind(nudge_kinds.NudgeFor, nudges.compose_nudge),
    invitation_kinds.INVITEE_JOINED: Kind(
        invitation_kinds.Joined, invitations.compose_invitee_joined
    ),
    privacy_kinds.KIND_FORGOTTEN: Kind(privacy_kinds.ForgottenNotice, privacy.compose_forgotten),
    broadcast_kinds.KIND: Kind(broadcast_kinds.BroadcastRef, broadcasts.compose_broadcast),
}
