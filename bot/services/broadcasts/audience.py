"""Audiences: who a broadcast reaches now, who is left out and why, and people picked in /orang."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.broadcasts.views import Reach, Target, get
from bot.services.errors import NotFound, Stale
from db.models import (
    Agency,
    AgencyMember,
    Audience,
    BroadcastPick,
    BroadcastState,
    Business,
    Person,
    PersonRole,
    Role,
)


async def set_target(db: AsyncSession, broadcast_id: int, target: Target) -> None:
    """Choose the audience of a draft (a sector or agency where the audience needs one)."""
    draft = await get(db, broadcast_id)
    if draft.state is not BroadcastState.DRAFT:
        raise Stale()
    if (target.audience is Audience.SECTOR) != (target.sector is not None):
        raise Stale()
    if (target.audience is Audience.AGENCY) != (target.agency_id is not None):
        raise Stale()
    if (target.audience is Audience.PICKED) != bool(target.people):
        raise Stale()
    if target.agency_id is not None and await db.get(Agency, target.agency_id) is None:
        raise NotFound()
    draft.audience, draft.sector, draft.agency_id = (
        target.audience,
        target.sector,
        target.agency_id,
    )
    draft.picked = list(target.people) if target.people else None


def _role(*roles: Role) -> ColumnElement[bool]:
    return Person.id.in_(select(PersonRole.person_id).where(PersonRole.role.in_(roles)))


def _audience_filter(target: Target) -> ColumnElement[bool]:
    match target.audience:
        case Audience.BUSINESSES:
            return _role(Role.UMKM)
        case Audience.SECTOR:
            owners = select(Business.owner_id).where(
                Business.sector == target.sector, Business.owner_id.is_not(None)
            )
            return Person.id.in_(owners) & _role(Role.UMKM)
        case Audience.FOCAL:
            return _role(Role.FOCAL)
        case Audience.AGENCY:
            members = select(AgencyMember.person_id).where(
                AgencyMember.agency_id == target.agency_id
            )
            return Person.id.in_(members) & _role(Role.FOCAL)
        case Audience.MENTORS:
            return _role(Role.MENTOR)
        case Audience.COORDINATORS:
            return _role(Role.COORDINATOR)
        case Audience.EVERYONE:
            return _role(*Role)
        case Audience.PICKED:
            return Person.id.in_(target.people)


async def reach(db: AsyncSession, target: Target) -> Reach:
    """Who the audience reaches now; paused, unconsented and unreachable people are counted."""
    stmt = (
        select(Person.id, Person.deactivated_at, Person.consent_at, Person.unreachable_since)
        .where(_audience_filter(target))
        .order_by(Person.id)
    )
    recipients: list[int] = []
    unreachable = no_consent = paused = 0
    for person_id, deactivated_at, consent_at, unreachable_since in await db.execute(stmt):
        if deactivated_at is not None:
            paused += 1
        elif consent_at is None:
            no_consent += 1
        elif unreachable_since is not None:
            unreachable += 1
        else:
            recipients.append(person_id)
    return Reach(tuple(recipients), unreachable, no_consent, paused)


# --- people picked in /orang -------------------------------------------------------------------


async def toggle_pick(db: AsyncSession, clock: Clock, picker_id: int, person_id: int) -> bool:
    """Pick a person for the coordinator's next broadcasts, or unpick them; True when picked."""
    found = await db.get(BroadcastPick, (picker_id, person_id))
    if found is not None:
        await db.delete(found)
        return False
    if await db.get(Person, person_id) is None:
        raise NotFound()
    db.add(BroadcastPick(picker_id=picker_id, person_id=person_id, created_at=clock.now()))
    await db.flush()
    return True


async def picked(db: AsyncSession, picker_id: int) -> tuple[int, ...]:
    """The people this coordinator picked, by id."""
    found = await db.scalars(
        select(BroadcastPick.person_id)
        .where(BroadcastPick.picker_id == picker_id)
        .order_by(BroadcastPick.person_id)
    )
    return tuple(found.all())


async def is_picked(db: AsyncSession, picker_id: int, person_id: int) -> bool:
    return await db.get(BroadcastPick, (picker_id, person_id)) is not None


async def clear_picks(db: AsyncSession, picker_id: int) -> None:
    await db.execute(delete(BroadcastPick).where(BroadcastPick.picker_id == picker_id))
