"""Finding deadlines and where they apply: the reads every other part shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import agencies
from bot.services.errors import NotAllowed, NotFound, Stale
from db.models import (
    AckStatus,
    Agency,
    AgencyMember,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
)


@dataclass(frozen=True)
class Target:
    """One agency a deadline applies to, with its own due date and plan tag."""

    agency: Agency
    due_at: datetime
    tag: str  # "v3" or "v3.2" (deadline version . extension revision)


async def get(db: AsyncSession, deadline_id: int) -> Deadline:
    deadline = await db.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound()
    return deadline


async def get_open(db: AsyncSession, deadline_id: int) -> Deadline:
    deadline = await get(db, deadline_id)
    if deadline.cancelled_at is not None:
        raise Stale()
    return deadline


async def check_member(
    db: AsyncSession, deadline: Deadline, person_id: int, agency_id: int
) -> Agency:
    """The agency, checked: the person is its focal point and the deadline applies to it.

    Every focal point's route goes through here: button data names a deadline and an
    agency, and a forged one must not reach another agency's deadline.
    """
    if await db.get(AgencyMember, (agency_id, person_id)) is None:
        raise NotAllowed()
    if deadline.agency_id is not None and deadline.agency_id != agency_id:
        raise NotAllowed()
    agency = await db.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


def _target(deadline: Deadline, agency: Agency, override: DeadlineOverride | None) -> Target:
    if override is None:
        return Target(agency, deadline.due_at, f"v{deadline.version}")
    return Target(agency, override.due_at, f"v{deadline.version}.{override.revision}")


async def target(db: AsyncSession, deadline: Deadline, agency: Agency) -> Target:
    return _target(deadline, agency, await db.get(DeadlineOverride, (deadline.id, agency.id)))


async def targets(db: AsyncSession, deadline: Deadline) -> list[Target]:
    return (await targets_of(db, [deadline]))[deadline.id]


async def targets_of(db: AsyncSession, deadlines: Sequence[Deadline]) -> dict[int, list[Target]]:
    """Each deadline's agencies with their own due dates, in two queries for all of them (a
    deadline for every agency would otherwise cost one per agency)."""
    if not deadlines:
        return {}
    chosen: Sequence[Agency]
    if any(d.agency_id is None for d in deadlines):
        chosen = await agencies.all_agencies(db)
    else:  # usually loaded already: db.get answers from the session without a query
        wanted = sorted({d.agency_id for d in deadlines if d.agency_id is not None})
        chosen = [a for a in [await db.get(Agency, i) for i in wanted] if a is not None]
    by_id = {a.id: a for a in chosen}
    overrides = {
        (o.deadline_id, o.agency_id): o
        for o in await db.scalars(
            select(DeadlineOverride).where(
                DeadlineOverride.deadline_id.in_([d.id for d in deadlines])
            )
        )
    }
    found: dict[int, list[Target]] = {}
    for deadline in deadlines:
        if deadline.agency_id is None:
            concerned: Sequence[Agency] = chosen
        else:
            own = by_id.get(deadline.agency_id)
            concerned = [own] if own is not None else []
        found[deadline.id] = [
            _target(deadline, a, overrides.get((deadline.id, a.id))) for a in concerned
        ]
    return found


async def open_deadlines(db: AsyncSession, agency_id: int | None = None) -> Sequence[Deadline]:
    stmt = select(Deadline).where(Deadline.cancelled_at.is_(None)).order_by(Deadline.due_at)
    if agency_id is not None:
        stmt = stmt.where((Deadline.agency_id == agency_id) | Deadline.agency_id.is_(None))
    return (await db.scalars(stmt)).all()


async def agency_done(db: AsyncSession, deadline_id: int, agency_id: int) -> bool:
    found = await db.scalar(
        select(DeadlineAck.id).where(
            DeadlineAck.deadline_id == deadline_id,
            DeadlineAck.agency_id == agency_id,
            DeadlineAck.status == AckStatus.DONE,
        )
    )
    return found is not None


async def answered(db: AsyncSession, deadline_id: int, agency_id: int) -> bool:
    found = await db.scalar(
        select(DeadlineAck.id).where(
            DeadlineAck.deadline_id == deadline_id, DeadlineAck.agency_id == agency_id
        )
    )
    return found is not None
