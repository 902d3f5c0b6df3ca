"""A deadline's story: each reminder planned and what became of it, and each answer given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import agencies
from bot.services.deadlines.lookup import check_member, get
from bot.services.deadlines.planning import PLAN_KINDS, Planned
from bot.services.deadlines.views import DeadlineView, view
from bot.services.errors import NotAllowed
from db.models import AckStatus, Agency, DeadlineAck, OutboxMessage, OutboxState, Person


@dataclass(frozen=True)
class ReminderLine:
    """One planned reminder, overdue note or escalation, and its fate."""

    agency: str
    recipient: str
    kind: str  # planning.REMINDER, OVERDUE or ESCALATION
    label: str | None  # "h-7" ... "o1" ...
    due_at: datetime
    state: OutboxState
    sent_at: datetime | None


@dataclass(frozen=True)
class AnswerLine:
    agency: str
    person: str
    status: AckStatus
    note: str | None
    at: datetime


@dataclass(frozen=True)
class DeadlineHistory:
    deadline: DeadlineView
    reminders: tuple[ReminderLine, ...]
    answers: tuple[AnswerLine, ...]


async def history(
    db: AsyncSession, deadline_id: int, *, focal_id: int | None = None
) -> DeadlineHistory:
    """The deadline (cancelled ones too) with its reminders and answers.

    For a focal point (`focal_id`): only their agency's, and NotAllowed when it is not theirs.
    """
    deadline = await get(db, deadline_id)
    agency_id = None
    if focal_id is not None:
        agency = await agencies.agency_of(db, focal_id)
        if agency is None:
            raise NotAllowed()
        agency_id = (await check_member(db, deadline, focal_id, agency.id)).id
    names = {a.id: a.short_name for a in (await db.scalars(select(Agency))).all()}
    planned = await db.execute(
        select(OutboxMessage, Person.full_name)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .where(
            OutboxMessage.kind.in_(PLAN_KINDS),
            OutboxMessage.dedupe_key.startswith(f"dl:{deadline_id}:", autoescape=True),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    reminders = []
    for row, recipient in planned.all():
        payload = Planned.model_validate(row.payload)
        if agency_id is not None and payload.agency_id != agency_id:
            continue
        reminders.append(
            ReminderLine(
                names.get(payload.agency_id, "-"),
                recipient,
                row.kind,
                payload.label,
                row.due_at,
                row.state,
                row.sent_at,
            )
        )
    acks = await db.execute(
        select(DeadlineAck, Person.full_name)
        .join(Person, Person.id == DeadlineAck.person_id)
        .where(DeadlineAck.deadline_id == deadline_id)
        .order_by(DeadlineAck.at, DeadlineAck.id)
    )
    answers = tuple(
        AnswerLine(names.get(a.agency_id, "-"), name, a.status, a.note, a.at)
        for a, name in acks.all()
        if agency_id is None or a.agency_id == agency_id
    )
    return DeadlineHistory(await view(db, deadline, agency_id), tuple(reminders), answers)
