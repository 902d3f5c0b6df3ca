"""What the deadline screens show: frozen views of deadlines and each agency's answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import agencies
from bot.services.deadlines.lookup import open_deadlines, targets
from bot.services.deadlines.series import all_done, followed
from db.models import AckStatus, Agency, Deadline, DeadlineAck, Person


@dataclass(frozen=True)
class AgencyStatus:
    agency: Agency
    due_at: datetime
    status: AckStatus | None  # the most advanced answer of its focal points
    answered_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    agencies: tuple[AgencyStatus, ...] = field(default=())


_RANK = {AckStatus.DONE: 3, AckStatus.NEEDS_HELP: 2, AckStatus.IN_PROGRESS: 1}


async def view(db: AsyncSession, deadline: Deadline, agency_id: int | None = None) -> DeadlineView:
    acks = (
        await db.execute(
            select(DeadlineAck, Person.full_name)
            .join(Person, Person.id == DeadlineAck.person_id)
            .where(DeadlineAck.deadline_id == deadline.id)
            .order_by(DeadlineAck.at)
        )
    ).all()
    rows: list[AgencyStatus] = []
    for tgt in await targets(db, deadline):
        if agency_id is not None and tgt.agency.id != agency_id:
            continue
        mine = [(a, name) for a, name in acks if a.agency_id == tgt.agency.id]
        best = max((a.status for a, _ in mine), key=lambda s: _RANK[s], default=None)
        rows.append(AgencyStatus(tgt.agency, tgt.due_at, best, tuple(n for _, n in mine)))
    return DeadlineView(deadline, tuple(rows))


async def for_focal_point(db: AsyncSession, person_id: int) -> list[DeadlineView]:
    """Open deadlines of the person's agencies, soonest first.

    An occurrence of a series that the agency has done and that has a next one is left out:
    the next one takes its place.
    """
    agency = await agencies.agency_of(db, person_id)
    if agency is None:
        return []
    replaced = await followed(db)
    views = [await view(db, d, agency.id) for d in await open_deadlines(db, agency.id)]
    views = [
        v
        for v in views
        if not (
            v.deadline.id in replaced
            and v.agencies
            and all(a.status == AckStatus.DONE for a in v.agencies)
        )
    ]
    return sorted(views, key=lambda v: v.agencies[0].due_at if v.agencies else v.deadline.due_at)


async def overview(db: AsyncSession) -> list[DeadlineView]:
    """Every open deadline; of a series, the current occurrence and the unfinished ones."""
    replaced = await followed(db)
    return [
        await view(db, d)
        for d in await open_deadlines(db)
        if not (d.id in replaced and await all_done(db, d))
    ]
