"""Who has which role, and changing it: granting, revoking, pausing and resuming access.

Every change is recorded in the audit trail (who did it, to whom, which role) and the person
concerned is told by an outbox row of kind `KIND_ACCESS`, composed in their language when it
is sent. Roles that came from `BOT_COORDINATORS` follow the setting (`follow_setting`, at each
start) and cannot be changed in the chat; nobody can remove the last active coordinator.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import N_
from bot.services import agencies, dialogue, outbox, people
from bot.services.errors import Invalid, NotFound
from db.models import Agency, AgencyMember, Business, Person, PersonRole, Role, RoleSource

log = logging.getLogger(__name__)

# Outbox kind: a person is told that their role or access changed.
KIND_ACCESS = "people.access"
# Kinds sent even to a person whose access is paused (the dispatcher skips all others).
KINDS_FOR_PAUSED = frozenset({KIND_ACCESS})
# Roles a coordinator can give directly; a business owner joins through their business's link.
GRANTABLE = (Role.COORDINATOR, Role.MENTOR, Role.FOCAL)
PAGE_SIZE = 8
MAX_QUERY = 60


class Change(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"
    PAUSED = "paused"
    RESUMED = "resumed"


class AccessChanged(outbox.Payload):
    """To the person concerned: a role given or taken, access paused or given again."""

    KINDS = (KIND_ACCESS,)

    change: Change
    role: Role | None = None
    subject: str  # notes about the same thing sent together: only the newest goes


class Refused(Invalid):
    """A change the rules do not allow; `reason` says which rule, in the reader's language."""


def _last_coordinator() -> Refused:
    return Refused(N_("the programme must keep at least one active coordinator."))


def _from_setting() -> Refused:
    return Refused(
        N_("this person is a coordinator through the BOT_COORDINATORS setting; change it there.")
    )


# --- views ----------------------------------------------------------------------------------

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class Page(Generic[T_co]):
    items: tuple[T_co, ...]
    number: int  # 0-based
    pages: int
    total: int


@dataclass(frozen=True)
class PersonLine:
    """One person in a list."""

    id: int
    name: str
    roles: frozenset[Role]
    agency: str | None
    business: str | None
    paused: bool


@dataclass(frozen=True)
class HeldRole:
    role: Role
    source: RoleSource
    granted_at: datetime


@dataclass(frozen=True)
class PersonView:
    """One person, as a coordinator sees them before changing anything."""

    id: int
    telegram_id: int
    name: str
    roles: tuple[HeldRole, ...]
    agency: str | None
    business: str | None
    joined_at: datetime
    paused_since: datetime | None
    unreachable_since: datetime | None

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def source_of(self, role: Role) -> RoleSource | None:
        return next((r.source for r in self.roles if r.role is role), None)


@dataclass(frozen=True)
class Overview:
    """How many people hold each role, how many are paused, how many links are unused."""

    by_role: dict[Role, int]
    paused: int
    invitations: int


@dataclass(frozen=True)
class Changed:
    """What a change did; `done` is False when it changed nothing (already so)."""

    person: PersonView
    change: Change
    role: Role | None
    done: bool


# --- reading --------------------------------------------------------------------------------


async def overview(db: AsyncSession) -> Overview:
    from bot.services import invitations

    counted = await db.execute(
        select(PersonRole.role, func.count()).group_by(PersonRole.role).order_by(PersonRole.role)
    )
    by_role = dict.fromkeys(Role, 0)
    by_role.update({Role(role): int(n) for role, n in counted.all()})
    paused = await db.scalar(
        select(func.count()).select_from(Person).where(Person.deactivated_at.is_not(None))
    )
    return Overview(by_role, int(paused or 0), await invitations.count_unused(db))


async def directory(
    db: AsyncSession,
    *,
    role: Role | None = None,
    paused: bool = False,
    query: str | None = None,
    page: int = 0,
    per_page: int = PAGE_SIZE,
) -> Page[PersonLine]:
    """People with a role (or paused, or whose name or business matches), by name, paged."""
    stmt = select(Person.id)
    if role is not None:
        stmt = stmt.join(PersonRole).where(PersonRole.role == role)
    if paused:
        stmt = stmt.where(Person.deactivated_at.is_not(None))
    if query:
        needle = query.strip().lower()[:MAX_QUERY]
        owned = select(Business.owner_id).where(
            func.lower(Business.name).contains(needle, autoescape=True),
            Business.owner_id.is_not(None),
        )
        stmt = stmt.where(
            func.lower(Person.full_name).contains(needle, autoescape=True) | Person.id.in_(owned)
        )
    total = int(await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // per_page))
    number = min(max(page, 0), pages - 1)
    ordered = stmt.order_by(func.lower(Person.full_name), Person.id)
    ids = (await db.scalars(ordered.offset(number * per_page).limit(per_page))).all()
    return Page(tuple(await _lines(db, list(ids))), number, pages, total)


async def _lines(db: AsyncSession, ids: list[int]) -> list[PersonLine]:
    if not ids:
        return []
    found = {p.id: p for p in (await db.scalars(select(Person).where(Person.id.in_(ids)))).all()}
    agency_of = await _agency_names(db, ids)
    business_of = await _business_names(db, ids)
    return [
        PersonLine(
            id=pid,
            name=found[pid].full_name,
            roles=found[pid].role_set,
            agency=agency_of.get(pid),
            business=business_of.get(pid),
            paused=found[pid].deactivated_at is not None,
        )
        for pid in ids
    ]


async def _agency_names(db: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    rows = await db.execute(
        select(AgencyMember.person_id, Agency.name)
        .join(Agency, Agency.id == AgencyMember.agency_id)
        .where(AgencyMember.person_id.in_(list(ids)))
        .order_by(AgencyMember.person_id, Agency.id)
    )
    names: dict[int, str] = {}
    for person_id, name in rows.all():
        names.setdefault(person_id, name)
    return names


async def _business_names(db: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    rows = await db.execute(
        select(Business.owner_id, Business.name).where(Business.owner_id.in_(list(ids)))
    )
    return {owner: name for owner, name in rows.all() if owner is not None}


async def view(db: AsyncSession, person_id: int) -> PersonView:
    """One person; NotFound when they are gone (deleted their data)."""
    return await _view(db, await _person(db, person_id))


async def _person(db: AsyncSession, person_id: int) -> Person:
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound()
    return person


async def _view(db: AsyncSession, person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        telegram_id=person.telegram_id,
        name=person.full_name,
        roles=tuple(
            HeldRole(r.role, r.source, r.granted_at)
            for r in sorted(person.roles, key=lambda r: list(Role).index(r.role))
        ),
        agency=(await _agency_names(db, [person.id])).get(person.id),
        business=(await _business_names(db, [person.id])).get(person.id),
        joined_at=person.created_at,
        paused_since=person.deactivated_at,
        unreachable_since=person.unreachable_since,
    )


async def by_telegram_id(db: AsyncSession, telegram_id: int) -> PersonView:
    person = await people.find_by_telegram_id(db, telegram_id)
    if person is None:
        raise NotFound()
    return await _view(db, person)


async def active_coordinators(db: AsyncSession) -> Sequence[Person]:
    """Coordinators whose access is not paused."""
    return [p for p in await people.with_role(db, Role.COORDINATOR) if p.deactivated_at is None]


# --- changing -------------------------------------------------------------------------------


async def grant(
    db: AsyncSession,
    clock: Clock,
    person_id: int,
    role: Role,
    *,
    by_id: int | None,
    agency_id: int | None = None,
) -> Changed:
    """Give a role (a focal point needs an agency); the person is told."""
    if role not in GRANTABLE:
        raise Refused(N_("a business owner joins through the invitation link of their business."))
    person = await _person(db, person_id)
    if role is Role.FOCAL:
        if agency_id is None or await db.get(Agency, agency_id) is None:
            raise Refused(N_("a focal point needs an agency."))
        await agencies.add_member(db, clock, agency_id, person.id)
    done = await people.grant_role(db, clock, person, role, source=RoleSource.MANUAL, by_id=by_id)
    return await _told(db, clock, person, Change.GRANTED, role, done)


async def revoke(
    db: AsyncSession, clock: Clock, person_id: int, role: Role, *, by_id: int | None
) -> Changed:
    """Take a role away; a focal point leaves their agency, a business owner their business."""
    person = await _person(db, person_id)
    held = next((r for r in person.roles if r.role is role), None)
    if held is None:
        return Changed(await _view(db, person), Change.REVOKED, role, False)
    if held.source is RoleSource.SETTING:
        raise _from_setting()
    if role is Role.COORDINATOR:
        await _keep_a_coordinator(db, person)
    if role is Role.FOCAL:
        await db.execute(delete(AgencyMember).where(AgencyMember.person_id == person.id))
    if role is Role.UMKM:
        # The business and its records stay; a new owner can be invited for it.
        business = await db.scalar(select(Business).where(Business.owner_id == person.id))
        if business is not None:
            business.owner_id = None
    await people.revoke_role(db, clock, person, role, by_id=by_id)
    await dialogue.finish(db, person.id)  # a dialogue of the lost role cannot go on
    return await _told(db, clock, person, Change.REVOKED, role, True)


async def deactivate(
    db: AsyncSession, clock: Clock, person_id: int, *, by_id: int | None
) -> Changed:
    """Pause a person's access: answered politely, sent nothing, data kept."""
    person = await _person(db, person_id)
    if person.deactivated_at is not None:
        return Changed(await _view(db, person), Change.PAUSED, None, False)
    if any(r.source is RoleSource.SETTING for r in person.roles):
        raise _from_setting()
    if Role.COORDINATOR in person.role_set:
        await _keep_a_coordinator(db, person)
    person.deactivated_at = clock.now()
    await dialogue.finish(db, person.id)
    await _audit(db, clock, by_id, person, "person.deactivated")
    return await _told(db, clock, person, Change.PAUSED, None, True)


async def reactivate(
    db: AsyncSession, clock: Clock, person_id: int, *, by_id: int | None
) -> Changed:
    person = await _person(db, person_id)
    if person.deactivated_at is None:
        return Changed(await _view(db, person), Change.RESUMED, None, False)
    person.deactivated_at = None
    await _audit(db, clock, by_id, person, "person.reactivated")
    return await _told(db, clock, person, Change.RESUMED, None, True)


async def _keep_a_coordinator(db: AsyncSession, person: Person) -> None:
    if not [c for c in await active_coordinators(db) if c.id != person.id]:
        raise _last_coordinator()


async def _audit(
    db: AsyncSession, clock: Clock, by_id: int | None, person: Person, action: str
) -> None:
    await people.audit(db, clock, by_id, action, subject_id=person.id)


async def _told(
    db: AsyncSession, clock: Clock, person: Person, change: Change, role: Role | None, done: bool
) -> Changed:
    """Plan the note to the person (when something changed) and return the result."""
    if done:
        await tell(db, clock, person.id, change, role)
    await db.flush()
    return Changed(await _view(db, person), change, role, done)


async def tell(
    db: AsyncSession, clock: Clock, person_id: int, change: Change, role: Role | None
) -> None:
    """One note per change; notes about the same thing sent together: only the newest goes."""
    subject = f"role:{role.value}" if role is not None else "access"
    await outbox.plan(
        db,
        clock,
        kind=KIND_ACCESS,
        recipient_id=person_id,
        dedupe_key=f"{change.value}:{secrets.token_hex(8)}",
        due_at=clock.now(),
        payload=AccessChanged(change=change, role=role, subject=subject),
    )


# --- BOT_COORDINATORS -------------------------------------------------------------------------


async def follow_setting(db: AsyncSession, clock: Clock, telegram_ids: Collection[int]) -> int:
    """Roles from the setting follow it: ids no longer listed lose them. Returns how many went.

    Roles a coordinator gave in the chat (or that came with an invitation) are kept.
    """
    listed = set(telegram_ids)
    held = (
        await db.scalars(
            select(Person)
            .join(PersonRole)
            .where(PersonRole.source == RoleSource.SETTING)
            .distinct()
        )
    ).all()
    removed = 0
    for person in held:
        if person.telegram_id in listed:
            continue
        for granted in [r for r in person.roles if r.source is RoleSource.SETTING]:
            await people.revoke_role(db, clock, person, granted.role)
            await tell(db, clock, person.id, Change.REVOKED, granted.role)
            removed += 1
    if removed and not await active_coordinators(db):
        log.warning("BOT_COORDINATORS removed every coordinator: nobody runs the programme")
    return removed
