"""Questions to the mentors: asking, answering once, and escalation after two working days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import outbox, people
from bot.services.calendar import WorkCalendar
from bot.services.errors import DomainError, Invalid, NotAllowed, NotFound
from db.models import (
    Business,
    Evidence,
    OutboxMessage,
    Person,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Role,
)

MAX_QUESTION = 2000  # characters a question may have
MAX_ANSWER = 3000  # characters of an answer; with the quoted question it fits one message
MAX_TOPIC = 64
ESCALATION_WORKING_DAYS = 2

# Outbox kinds this feature plans; each has a composer in bot/compose/questions.py.
KIND_QUESTION = "question"
KIND_ESCALATION = "question_escalation"
KIND_ANSWER = "answer"


class QuestionRef(outbox.Payload):
    """A question to a mentor or (escalated) a coordinator, or its answer to the business."""

    KINDS = (KIND_QUESTION, KIND_ESCALATION, KIND_ANSWER)

    question_id: int


class AlreadyAnswered(DomainError):
    """Another mentor answered first; their answer stays."""

    def __init__(self, question_id: int, mentor_name: str) -> None:
        super().__init__(question_id)
        self.question_id = question_id
        self.mentor_name = mentor_name


class NoBusiness(DomainError):
    """The person holds the UMKM role but no business is linked to them."""


def dedupe_prefix(question_id: int) -> str:
    """Every outbox row of one question has a key starting with this."""
    return f"q{question_id}:"


@dataclass(frozen=True)
class VoiceNote:
    """A voice message as Telegram keeps it: relayed by file id, its length shown first."""

    file_id: str
    seconds: int


def _voice(file_id: str | None, seconds: int | None) -> VoiceNote | None:
    return VoiceNote(file_id, seconds or 0) if file_id else None


@dataclass(frozen=True)
class Asked:
    question_id: int
    answer_expected_by: datetime  # when the coordinators step in if no mentor has answered
    mentors_told: int


@dataclass(frozen=True)
class Answered:
    question_id: int
    asker_id: int | None


@dataclass(frozen=True)
class QuestionView:
    """A question with what a mentor needs to read it."""

    id: int
    business_name: str
    sector: str
    owner_name: str
    topic_ref: str | None
    text: str  # empty for a voice message without a caption
    evidence_id: int | None
    asked_at: datetime
    status: QuestionStatus
    asker_id: int | None
    voice: VoiceNote | None = None

    @property
    def has_photo(self) -> bool:
        return self.evidence_id is not None


@dataclass(frozen=True)
class AnswerView:
    question: QuestionView
    mentor_name: str
    text: str
    answered_at: datetime
    voice: VoiceNote | None = None


async def business_of(db: AsyncSession, person_id: int) -> Business | None:
    return await db.scalar(select(Business).where(Business.owner_id == person_id))


def check_text(text: str, limit: int, *, voice: VoiceNote | None = None) -> str:
    """The trimmed text; Invalid when empty (without a voice message) or over the limit (the
    handler says so first)."""
    cleaned = text.strip()
    if (not cleaned and voice is None) or len(cleaned) > limit:
        raise Invalid()
    return cleaned


def clean_topic(ref: str | None) -> str | None:
    if ref is None or ref in {"", "-"}:
        return None
    return ref[:MAX_TOPIC]


async def ask(
    db: AsyncSession,
    clock: Clock,
    calendar: WorkCalendar,
    person: Person,
    text: str,
    *,
    topic_ref: str | None = None,
    evidence_id: int | None = None,
    voice: VoiceNote | None = None,
) -> Asked:
    """Store a question (text, or a voice message with or without a caption), send it to
    every mentor now, and plan its escalation."""
    if Role.UMKM not in person.role_set:
        raise NotAllowed()
    business = await business_of(db, person.id)
    if business is None:
        raise NoBusiness()
    now = clock.now()
    question = Question(
        business_id=business.id,
        asker_id=person.id,
        topic_ref=clean_topic(topic_ref),
        text=check_text(text, MAX_QUESTION, voice=voice),
        voice_file_id=voice.file_id if voice else None,
        voice_seconds=voice.seconds if voice else None,
        evidence_id=evidence_id,
        asked_at=now,
        status=QuestionStatus.OPEN,
    )
    db.add(question)
    await db.flush()
    payload = QuestionRef(question_id=question.id)
    mentors = [m for m in await people.with_role(db, Role.MENTOR) if m.id != person.id]
    for mentor in mentors:
        await outbox.plan(
            db,
            clock,
            kind=KIND_QUESTION,
            recipient_id=mentor.id,
            dedupe_key=dedupe_prefix(question.id) + "ask",
            due_at=now,
            payload=payload,
        )
    escalate_at = escalation_due(calendar, now)
    for coordinator in await people.with_role(db, Role.COORDINATOR):
        if coordinator.id == person.id:
            continue
        await outbox.plan(
            db,
            clock,
            kind=KIND_ESCALATION,
            recipient_id=coordinator.id,
            dedupe_key=dedupe_prefix(question.id) + "esc",
            due_at=escalate_at,
            payload=payload,
        )
    await people.audit(db, clock, person.id, "question.asked", question_id=question.id)
    return Asked(question.id, escalate_at, len(mentors))


async def view(db: AsyncSession, question_id: int) -> QuestionView:
    row = (
        await db.execute(
            select(Question, Business)
            .join(Business, Business.id == Question.business_id)
            .where(Question.id == question_id)
        )
    ).first()
    if row is None:
        raise NotFound()
    question, business = row
    return _view(question, business)


def _view(question: Question, business: Business) -> QuestionView:
    return QuestionView(
        id=question.id,
        business_name=business.name,
        sector=business.sector,
        owner_name=business.owner_name,
        topic_ref=question.topic_ref,
        text=question.text,
        evidence_id=question.evidence_id,
        asked_at=question.asked_at,
        status=question.status,
        asker_id=question.asker_id,
        voice=_voice(question.voice_file_id, question.voice_seconds),
    )


async def answer_of(db: AsyncSession, question_id: int) -> AnswerView | None:
    """The answer a question got, or None while it is open."""
    found = await db.scalar(
        select(QuestionAnswer).where(QuestionAnswer.question_id == question_id)
    )
    if found is None:
        return None
    return AnswerView(
        await view(db, question_id),
        found.mentor_name,
        found.text,
        found.answered_at,
        _voice(found.voice_file_id, found.voice_seconds),
    )


async def open_for_answer(db: AsyncSession, mentor: Person, question_id: int) -> QuestionView:
    """The question a mentor is about to answer; AlreadyAnswered when someone was first."""
    if Role.MENTOR not in mentor.role_set:
        raise NotAllowed()
    question = await view(db, question_id)
    if question.status is QuestionStatus.ANSWERED:
        done = await answer_of(db, question_id)
        raise AlreadyAnswered(question_id, done.mentor_name if done else "")
    return question


async def answer(
    db: AsyncSession,
    clock: Clock,
    mentor: Person,
    question_id: int,
    text: str,
    voice: VoiceNote | None = None,
) -> Answered:
    """Record the first answer (text or a voice message) and send it to the business;
    AlreadyAnswered otherwise."""
    if Role.MENTOR not in mentor.role_set:
        raise NotAllowed()
    cleaned = check_text(text, MAX_ANSWER, voice=voice)
    question = await view(db, question_id)
    now = clock.now()
    # Conditional update: of two mentors answering at once, exactly one wins.
    claimed = await db.execute(
        update(Question)
        .where(Question.id == question_id, Question.status != QuestionStatus.ANSWERED)
        .values(status=QuestionStatus.ANSWERED)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]  # CursorResult has rowcount
        done = await answer_of(db, question_id)
        raise AlreadyAnswered(question_id, done.mentor_name if done else "")
    db.add(
        QuestionAnswer(
            question_id=question_id,
            mentor_id=mentor.id,
            mentor_name=mentor.full_name,
            text=cleaned,
            voice_file_id=voice.file_id if voice else None,
            voice_seconds=voice.seconds if voice else None,
            answered_at=now,
        )
    )
    await db.flush()
    prefix = dedupe_prefix(question_id)
    # Mentors who have not been sent the question yet, and the coordinators, need not be.
    await outbox.skip_pending(
        db, kinds=[KIND_QUESTION, KIND_ESCALATION], dedupe_prefix=prefix, reason="answered"
    )
    if question.asker_id is not None:
        await outbox.plan(
            db,
            clock,
            kind=KIND_ANSWER,
            recipient_id=question.asker_id,
            dedupe_key=prefix + "answer",
            due_at=now,
            payload=QuestionRef(question_id=question_id),
        )
    await people.audit(db, clock, mentor.id, "question.answered", question_id=question_id)
    return Answered(question_id, question.asker_id)


async def question_photo(db: AsyncSession, reader: Person, question_id: int) -> Evidence:
    """The photo sent with a question, for a mentor (or a coordinator it was escalated to)."""
    if not reader.role_set & {Role.MENTOR, Role.COORDINATOR}:
        raise NotAllowed()
    question = await view(db, question_id)
    found = await db.get(Evidence, question.evidence_id) if question.evidence_id else None
    if found is None:
        raise NotFound()
    return found


async def question_voice(db: AsyncSession, reader: Person, question_id: int) -> QuestionView:
    """A question with its voice message, for a mentor (or a coordinator)."""
    if not reader.role_set & {Role.MENTOR, Role.COORDINATOR}:
        raise NotAllowed()
    question = await view(db, question_id)
    if question.voice is None:
        raise NotFound()
    return question


async def is_open(db: AsyncSession, question_id: int) -> bool:
    status = await db.scalar(select(Question.status).where(Question.id == question_id))
    return status is not None and status is not QuestionStatus.ANSWERED


def escalation_due(calendar: WorkCalendar, asked_at: datetime) -> datetime:
    """When an unanswered question goes to the coordinators: two working days after asking."""
    return calendar.add_working_days(asked_at, ESCALATION_WORKING_DAYS)


async def mark_escalations(db: AsyncSession, clock: Clock, calendar: WorkCalendar) -> int:
    """Open questions past their escalation moment become `escalated` (the periodic job)."""
    now = clock.now()
    waiting = (
        await db.scalars(select(Question).where(Question.status == QuestionStatus.OPEN))
    ).all()
    count = 0
    for question in waiting:
        due = escalation_due(calendar, question.asked_at)
        if due <= now:
            question.status = QuestionStatus.ESCALATED
            question.escalated_at = due
            count += 1
    await db.flush()
    return count


async def open_questions(db: AsyncSession, limit: int = 10) -> tuple[Sequence[QuestionView], int]:
    """Unanswered questions, oldest first (at most `limit`), and how many there are in all."""
    waiting = Question.status != QuestionStatus.ANSWERED
    rows = (
        await db.execute(
            select(Question, Business)
            .join(Business, Business.id == Question.business_id)
            .where(waiting)
            .order_by(Question.asked_at, Question.id)
            .limit(limit)
        )
    ).all()
    total = len(rows)
    if total == limit:
        total = int(await db.scalar(select(func.count()).where(waiting)) or 0)
    return [_view(q, b) for q, b in rows], total


@dataclass(frozen=True)
class Thread:
    """A question with its answer, if it has one (a business's page shows them all)."""

    question: QuestionView
    answer: str | None
    mentor_name: str | None
    answered_at: datetime | None


async def of_business(db: AsyncSession, business_id: int) -> list[Thread]:
    """Every question of a business with its answer, the newest first."""
    rows = (
        await db.execute(
            select(Question, Business, QuestionAnswer)
            .join(Business, Business.id == Question.business_id)
            .outerjoin(QuestionAnswer, QuestionAnswer.question_id == Question.id)
            .where(Question.business_id == business_id)
            .order_by(Question.asked_at.desc(), Question.id.desc())
        )
    ).all()
    return [
        Thread(
            _view(q, b),
            a.text if a is not None else None,
            a.mentor_name if a is not None else None,
            a.answered_at if a is not None else None,
        )
        for q, b, a in rows
    ]


async def question_for_reply(
    db: AsyncSession, recipient_id: int, telegram_message_id: int
) -> int | None:
    """The question whose message (sent to this person) has this Telegram message id."""
    row = await db.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.telegram_message_id == telegram_message_id,
            OutboxMessage.kind.in_([KIND_QUESTION, KIND_ESCALATION]),
        )
        .limit(1)
    )
    if row is None:
        return None
    return QuestionRef.model_validate(row.payload).question_id
