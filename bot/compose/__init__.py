"""What an outbox row says, decided when it is sent: one composer per kind, in one table.

A composer reads what it needs (the row's payload, the database) and returns the reply in
the recipient's language, or None when the message has become pointless (the deadline was
acknowledged, the question answered, ...): the dispatcher then marks the row skipped.
Composers sit below the handlers: the dispatcher needs them, and it imports no handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from bot.compose import deadlines, invitations, nudges, privacy, questions
from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.services import deadlines as deadline_kinds
from bot.services import invitations as invitation_kinds
from bot.services import nudges as nudge_kinds
from bot.services import privacy as privacy_kinds
from bot.services import questions as question_kinds
from db.models import OutboxMessage

Composer = Callable[[AsyncSession, Deps, Translator, OutboxMessage], Awaitable[Reply | None]]

COMPOSERS: Mapping[str, Composer] = {
    deadline_kinds.REMINDER: deadlines.compose_reminder,
    deadline_kinds.OVERDUE: deadlines.compose_overdue,
    deadline_kinds.ESCALATION: deadlines.compose_escalation,
    deadline_kinds.CHANGED: deadlines.compose_changed,
    deadline_kinds.HELP: deadlines.compose_help,
    deadline_kinds.EXTENSION: deadlines.compose_extension,
    deadline_kinds.EXTENSION_DECIDED: deadlines.compose_extension_decided,
    question_kinds.KIND_QUESTION: questions.compose_question,
    question_kinds.KIND_ESCALATION: questions.compose_escalation,
    question_kinds.KIND_ANSWER: questions.compose_answer,
    nudge_kinds.KIND_NUDGE: nudges.compose_nudge,
    invitation_kinds.INVITEE_JOINED: invitations.compose_invitee_joined,
    privacy_kinds.KIND_FORGOTTEN: privacy.compose_forgotten,
}
