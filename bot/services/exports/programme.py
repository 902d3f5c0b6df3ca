"""Sheets of the programme's work: deadlines, reminders, broadcasts, questions, self-assessment."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.i18n import N_
from bot.services import broadcasts
from bot.services.exports.files import Cell, ExportKind, Sheet, file_name, sector_name
from db.models import (
    Agency,
    Assessment,
    AssessmentRating,
    Business,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
    Evidence,
    ExtensionRequest,
    OutboxMessage,
    Person,
    Question,
    QuestionAnswer,
)


async def deadlines(db: AsyncSession, content: Content | None) -> Sheet:
    deadlines = (await db.scalars(select(Deadline).order_by(Deadline.due_at, Deadline.id))).all()
    agencies = (await db.scalars(select(Agency).order_by(Agency.id))).all()
    overrides = {
        (o.deadline_id, o.agency_id): o.due_at
        for o in (await db.scalars(select(DeadlineOverride))).all()
    }
    # The newest answer and extension request of each agency (later rows overwrite).
    acks = {
        (a.deadline_id, a.agency_id): a
        for a in (await db.scalars(select(DeadlineAck).order_by(DeadlineAck.at))).all()
    }
    asked = {
        (r.deadline_id, r.agency_id): r
        for r in (
            await db.scalars(select(ExtensionRequest).order_by(ExtensionRequest.created_at))
        ).all()
    }
    rows: list[tuple[Cell, ...]] = []
    for deadline in deadlines:
        for agency in agencies:
            if deadline.agency_id is not None and deadline.agency_id != agency.id:
                continue
            key = (deadline.id, agency.id)
            ack, request = acks.get(key), asked.get(key)
            rows.append(
                (
                    deadline.id,
                    deadline.title,
                    deadline.kind.value,
                    agency.name,
                    deadline.due_at,
                    overrides.get(key),
                    deadline.recurrence.value,
                    ack.status.value if ack is not None else None,
                    ack.at if ack is not None else None,
                    request.status.value if request is not None else None,
                    deadline.cancelled_at,
                    deadline.created_at,
                )
            )
    headers = (
        N_("ID"),
        N_("Deadline"),
        N_("Kind"),
        N_("Agency"),
        N_("Due"),
        N_("Extended to"),
        N_("Repeats"),
        N_("Agency's answer"),
        N_("Answered"),
        N_("Extension request"),
        N_("Cancelled"),
        N_("Created"),
    )
    return Sheet(ExportKind.DEADLINES, headers, tuple(rows))


async def reminders(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(OutboxMessage, Person.full_name)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    rows = tuple(
        (
            row.id,
            row.kind,
            name,
            row.due_at,
            row.state.value,
            row.sent_at,
            row.attempts,
            row.error,
        )
        for row, name in (await db.execute(stmt)).all()
    )
    headers = (
        N_("ID"),
        N_("Kind"),
        N_("Recipient"),
        N_("Due"),
        N_("Status"),
        N_("Sent"),
        N_("Attempts"),
        N_("Error"),
    )
    return Sheet(ExportKind.REMINDERS, headers, rows)


async def broadcasts_sent(db: AsyncSession, content: Content | None) -> Sheet:
    found = await broadcasts.all_for_export(db)
    rows = tuple(
        (
            view.id,
            Markup(view.content.text).striptags() or None,
            _audience(view.target, content),
            sender,
            view.created_at,
            view.counts.sent,
            view.counts.blocked + view.counts.failed + view.counts.unknown,
        )
        for view, sender in found
    )
    headers = (
        N_("ID"),
        N_("Message"),
        N_("Audience"),
        N_("Sent by"),
        N_("Created"),
        N_("Delivered"),
        N_("Not delivered"),
    )
    return Sheet(ExportKind.BROADCASTS, headers, rows)


def _audience(target: broadcasts.Target | None, content: Content | None) -> str | None:
    """The audience code, with its sector or agency (exports are read by the programme team)."""
    if target is None:
        return None
    if target.sector is not None:
        return f"{target.audience.value}: {sector_name(content, target.sector)}"
    if target.agency_name is not None:
        return f"{target.audience.value}: {target.agency_name}"
    return target.audience.value


async def questions(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(Question, Business.name, QuestionAnswer, Evidence)
        .join(Business, Business.id == Question.business_id)
        .outerjoin(QuestionAnswer, QuestionAnswer.question_id == Question.id)
        .outerjoin(Evidence, Evidence.id == Question.evidence_id)
        .order_by(Question.asked_at, Question.id)
    )
    rows = tuple(
        (
            question.id,
            business,
            question.topic_ref,
            question.text,
            file_name(evidence),
            question.asked_at,
            question.status.value,
            question.escalated_at,
            answer.mentor_name if answer is not None else None,
            answer.text if answer is not None else None,
            answer.answered_at if answer is not None else None,
        )
        for question, business, answer, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("ID"),
        N_("Business"),
        N_("Topic"),
        N_("Question"),
        N_("Photo file"),
        N_("Asked"),
        N_("Status"),
        N_("Escalated"),
        N_("Mentor"),
        N_("Answer"),
        N_("Answered"),
    )
    return Sheet(ExportKind.QUESTIONS, headers, rows)


async def assessment(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(Assessment, Agency.name, AssessmentRating, Evidence)
        .join(Agency, Agency.id == Assessment.agency_id)
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .outerjoin(Evidence, Evidence.id == AssessmentRating.evidence_id)
        .order_by(Agency.name, Assessment.period, AssessmentRating.indicator_id)
    )
    rows = tuple(
        (
            agency,
            assessment.period,
            assessment.state.value,
            assessment.submitted_at,
            rating.indicator_id,
            _indicator(content, rating.indicator_id),
            rating.light.value if rating.light is not None else None,
            rating.note,
            file_name(evidence),
            evidence.created_at if evidence is not None else None,
            rating.rated_at,
        )
        for assessment, agency, rating, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("Agency"),
        N_("Period"),
        N_("Status"),
        N_("Sent"),
        N_("Indicator"),
        N_("Indicator name"),
        N_("Light"),
        N_("Note"),
        N_("Evidence file"),
        N_("Evidence date"),
        N_("Rated"),
    )
    return Sheet(ExportKind.ASSESSMENT, headers, rows)


def _indicator(content: Content | None, indicator_id: str) -> str | None:
    if content is None:
        return None
    try:
        return content.iso18091.indicator(indicator_id).title
    except KeyError:
        return None
