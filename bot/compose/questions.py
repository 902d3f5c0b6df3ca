"""What question messages say when they go out: to a mentor, to a coordinator when nobody
answered in time, and the answer to the business that asked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Attachment, Reply
from bot.render import questions as screens
from bot.services import evidence, questions
from bot.services.errors import NotFound
from bot.services.questions import QuestionRef
from db.models import Evidence, OutboxMessage, Person, QuestionStatus, Role


async def photo_of(db: AsyncSession, deps: Deps, evidence_id: int | None) -> Attachment | None:
    """The photo (or document) sent with a question, ready to send; None when it is gone."""
    if evidence_id is None:
        return None
    found = await db.get(Evidence, evidence_id)
    if found is None:
        return None
    try:
        data = await evidence.read_evidence(deps.settings.data_dir, found)
    except OSError:
        return None  # the text still goes out without the file
    is_photo = found.mime.startswith("image/")
    name = found.filename or f"pertanyaan.{evidence.ALLOWED_MIME.get(found.mime, 'bin')}"
    return Attachment(data, name, is_photo=is_photo)


async def _for_mentor(
    db: AsyncSession,
    deps: Deps,
    tr: Translator,
    row: OutboxMessage,
    payload: QuestionRef,
    *,
    escalated: bool,
) -> Reply | None:
    try:
        q = await questions.view(db, payload.question_id)
    except NotFound:
        return None
    if q.status is QuestionStatus.ANSWERED:
        return None
    recipient = await db.get(Person, row.recipient_id)
    wanted = Role.COORDINATOR if escalated else Role.MENTOR
    if recipient is None or wanted not in recipient.role_set:
        return None
    sector = screens.sector_name(deps.content, q.sector)
    topic = screens.topic_title(deps.content, q.sector, q.topic_ref)
    # With a voice message, the photo is a button away: one message carries one file.
    photo = None if q.voice else await photo_of(db, deps, q.evidence_id)
    if escalated:
        return screens.escalation(tr, q, sector, topic, deps.clock.now(), photo)
    return screens.question_to_mentor(tr, q, sector, topic, photo)


async def compose_question(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: QuestionRef
) -> Reply | None:
    """A new question, to one mentor; skipped once answered."""
    return await _for_mentor(db, deps, tr, row, payload, escalated=False)


async def compose_escalation(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: QuestionRef
) -> Reply | None:
    """A question unanswered for two working days, to one coordinator; skipped once answered."""
    return await _for_mentor(db, deps, tr, row, payload, escalated=True)


async def compose_answer(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: QuestionRef
) -> Reply | None:
    """The answer, to the business that asked."""
    found = await questions.answer_of(db, payload.question_id)
    if found is None:
        return None
    return screens.answer_to_business(tr, found)
