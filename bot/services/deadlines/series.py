"""Recurring deadlines: rolling a series forward, one occurrence at a time.

A recurring deadline is a series of rows. Once an occurrence's due moment has passed, or every
agency concerned has marked it done, `roll_forward` (a periodic job; also right after the last
"done") creates the next occurrence with its own plan. The schedule is the data: nothing is
held in process memory, and a unique `previous_id` lets only one process create the next one.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.services import agencies, people
from bot.services.calendar import WorkCalendar
from bot.services.deadlines.lookup import agency_done, targets
from bot.services.deadlines.planning import plan_deadline
from db.models import Deadline, Recurrence

_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


def add_months(day: date, months: int) -> date:
    """`months` later; a month's last day stays the last day, a missing day becomes it."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    last = monthrange(year, month)[1]
    month_end = day.day == monthrange(day.year, day.month)[1]
    return date(year, month, last if month_end else min(day.day, last))


def occurrence_due(
    cal: WorkCalendar, first_due: datetime, recurrence: Recurrence, number: int
) -> datetime:
    """The due moment of occurrence `number` (1 = the first) at the first one's WITA time."""
    local = cal.local(first_due)
    day = add_months(local.date(), _MONTHS[recurrence] * (number - 1))
    return cal.at_local(day, local.hour, local.minute)


async def all_done(db: AsyncSession, deadline: Deadline) -> bool:
    """Every agency concerned (it applies to them and they have a focal point) is done."""
    concerned = [
        t for t in await targets(db, deadline) if await agencies.focal_points(db, t.agency.id)
    ]
    return bool(concerned) and all(
        [await agency_done(db, deadline.id, t.agency.id) for t in concerned]
    )


async def create_next(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, deadline: Deadline
) -> Deadline | None:
    """The occurrence after this one (the first still ahead) with its plan; None when the
    deadline does not recur, is cancelled, or its next occurrence exists already."""
    if deadline.recurrence == Recurrence.NONE or deadline.cancelled_at is not None:
        return None
    # Counted from the first occurrence, so 31 January gives 28 February, then 31 March.
    first = await db.get(Deadline, deadline.series_id) if deadline.series_id else None
    anchor = first if first is not None else deadline
    base = anchor.occurrence
    now = clock.now()
    number = deadline.occurrence + 1
    due_at = occurrence_due(cal, anchor.due_at, deadline.recurrence, number - base + 1)
    while due_at <= now:  # after a long stop, occurrences already past are not created
        number += 1
        due_at = occurrence_due(cal, anchor.due_at, deadline.recurrence, number - base + 1)
    following = Deadline(
        agency_id=deadline.agency_id,
        title=deadline.title,
        description=deadline.description,
        due_at=due_at,
        kind=deadline.kind,
        recurrence=deadline.recurrence,
        reminder_days=deadline.reminder_days,
        reminder_hour=deadline.reminder_hour,
        reminder_minute=deadline.reminder_minute,
        version=1,
        created_by_id=deadline.created_by_id,
        created_at=now,
        series_id=deadline.series_id or deadline.id,
        occurrence=number,
        previous_id=deadline.id,
    )
    try:
        async with db.begin_nested():
            db.add(following)
            await db.flush()
    except IntegrityError:
        return None  # another process created it first
    await plan_deadline(db, clock, cal, following)
    await people.audit(
        db, clock, None, "deadline.recurred", deadline_id=following.id, previous_id=deadline.id
    )
    return following


async def roll_forward(db: AsyncSession, clock: Clock, cal: WorkCalendar) -> list[Deadline]:
    """Next occurrences of every series whose current one has passed or is done by all.

    Idempotent: run it as often as wanted, from any number of processes.
    """
    later = aliased(Deadline)
    current = (
        await db.scalars(
            select(Deadline)
            .where(
                Deadline.recurrence != Recurrence.NONE,
                Deadline.cancelled_at.is_(None),
                ~exists().where(later.previous_id == Deadline.id),
            )
            .order_by(Deadline.id)
        )
    ).all()
    created: list[Deadline] = []
    now = clock.now()
    for deadline in current:
        if deadline.due_at <= now or await all_done(db, deadline):
            following = await create_next(db, clock, cal, deadline)
            if following is not None:
                created.append(following)
    return created


async def followed(db: AsyncSession) -> set[int]:
    """Ids of the occurrences that already have a next one."""
    found = await db.scalars(select(Deadline.previous_id).where(Deadline.previous_id.isnot(None)))
    return {i for i in found.all() if i is not None}
