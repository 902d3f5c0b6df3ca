"""Coordinators creating, changing and cancelling deadlines; focal points are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import agencies, outbox, people
from bot.services.calendar import WorkCalendar
from bot.services.deadlines.lookup import get_open, targets
from bot.services.deadlines.parsing import (
    DEFAULT_HOUR,
    DEFAULT_OFFSETS,
    MAX_TEXT,
    BadDue,
    DueError,
    clean_title,
)
from bot.services.deadlines.planning import plan_deadline, skip_plan
from bot.services.errors import NotFound
from db.models import Agency, Deadline, DeadlineKind, DeadlineOverride, Recurrence

CHANGED = "deadline_changed"
Change = Literal["created", "moved", "renamed", "cancelled"]


class Changed(outbox.Payload):
    """A deadline was set, moved or cancelled: to each focal point of an agency it concerns."""

    KINDS = (CHANGED,)

    deadline_id: int
    agency_id: int
    change: Change


@dataclass(frozen=True)
class NewDeadline:
    title: str
    due_at: datetime
    agency_id: int | None = None
    description: str | None = None
    kind: DeadlineKind = DeadlineKind.DOCUMENT
    recurrence: Recurrence = Recurrence.NONE
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    hour: int = DEFAULT_HOUR
    minute: int = 0


async def create(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, new: NewDeadline, created_by_id: int | None
) -> Deadline:
    """Create a deadline, announce it to its focal points at once and plan its reminders.

    The announcement stands in for reminders whose moment had already passed (a deadline set
    at short notice): one message now with the date and the answer buttons, not that and a
    late reminder saying the same.
    """
    if new.due_at <= clock.now():
        raise BadDue(DueError.PAST)
    if new.agency_id is not None and await db.get(Agency, new.agency_id) is None:
        raise NotFound()
    deadline = Deadline(
        agency_id=new.agency_id,
        title=clean_title(new.title),
        description=(new.description or "").strip()[:MAX_TEXT] or None,
        due_at=new.due_at,
        kind=new.kind,
        recurrence=new.recurrence,
        reminder_days=",".join(str(d) for d in new.offsets),
        reminder_hour=new.hour,
        reminder_minute=new.minute,
        version=1,
        created_by_id=created_by_id,
        created_at=clock.now(),
    )
    db.add(deadline)
    await db.flush()
    if deadline.recurrence != Recurrence.NONE:
        deadline.series_id = deadline.id  # the first occurrence names the series
        await db.flush()
    await plan_deadline(db, clock, cal, deadline, catch_up=False)
    await _tell_focal_points(db, clock, deadline, "created")
    await people.audit(db, clock, created_by_id, "deadline.created", deadline_id=deadline.id)
    return deadline


async def _tell_focal_points(
    db: AsyncSession,
    clock: Clock,
    deadline: Deadline,
    change: Change,
    agency_id: int | None = None,
) -> int:
    count = 0
    for tgt in await targets(db, deadline):
        if agency_id is not None and tgt.agency.id != agency_id:
            continue
        for person in await agencies.focal_points(db, tgt.agency.id):
            await outbox.plan(
                db,
                clock,
                kind=CHANGED,
                recipient_id=person.id,
                dedupe_key=f"dl:{deadline.id}:chg:{tgt.tag}:{change}",
                due_at=clock.now(),
                payload=Changed(deadline_id=deadline.id, agency_id=tgt.agency.id, change=change),
            )
            count += 1
    return count


async def edit(
    db: AsyncSession,
    clock: Clock,
    cal: WorkCalendar,
    deadline_id: int,
    by_id: int,
    *,
    title: str | None = None,
    due_at: datetime | None = None,
) -> Deadline:
    """A new title or date: a new version, the old plan skipped, the new one planned."""
    deadline = await get_open(db, deadline_id)
    if due_at is not None:
        if due_at <= clock.now():
            raise BadDue(DueError.PAST)
        deadline.due_at = due_at
        # A new date for everyone replaces the agencies' own extended dates.
        for override in (
            await db.scalars(
                select(DeadlineOverride).where(DeadlineOverride.deadline_id == deadline.id)
            )
        ).all():
            await db.delete(override)
    if title is not None:
        deadline.title = clean_title(title)
    deadline.version += 1
    await db.flush()
    await skip_plan(db, deadline.id, None, "deadline changed")
    await plan_deadline(db, clock, cal, deadline, catch_up=False)  # told at once below
    change: Change = "moved" if due_at is not None else "renamed"
    await _tell_focal_points(db, clock, deadline, change)
    await people.audit(db, clock, by_id, f"deadline.{change}", deadline_id=deadline.id)
    return deadline


async def cancel(db: AsyncSession, clock: Clock, deadline_id: int, by_id: int) -> Deadline:
    deadline = await get_open(db, deadline_id)
    deadline.cancelled_at = clock.now()
    await skip_plan(db, deadline.id, None, "deadline cancelled")
    await _tell_focal_points(db, clock, deadline, "cancelled")
    await people.audit(db, clock, by_id, "deadline.cancelled", deadline_id=deadline.id)
    return deadline
