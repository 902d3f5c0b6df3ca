"""People and roles: who someone is, what they may do, and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.clock import Clock
from bot.services import dialogue
from db.models import (
    AuditEvent,
    Business,
    DialogueState,
    Person,
    PersonRole,
    Role,
    RoleSource,
    Salutation,
)

MAX_NAME = 200


async def find_by_telegram_id(db: AsyncSession, telegram_id: int) -> Person | None:
    """The person with their roles, in one query (it runs on every update)."""
    result = await db.scalars(
        select(Person).where(Person.telegram_id == telegram_id).options(joinedload(Person.roles))
    )
    return result.unique().one_or_none()


# Built once: constructing this select and its cache key cost more than running it.
_ARRIVING = (
    select(Person, DialogueState, Business)
    .outerjoin(DialogueState, DialogueState.person_id == Person.id)
    .outerjoin(Business, Business.owner_id == Person.id)
    .where(Person.telegram_id == bindparam("telegram_id"))
    .options(joinedload(Person.roles))
)


async def arriving(db: AsyncSession, telegram_id: int) -> tuple[Person | None, Business | None]:
    """Who sent an update: the person with their roles, their dialogue and their business,
    in one query at the start of the update's transaction (nothing is kept beyond it)."""
    row = (await db.execute(_ARRIVING, {"telegram_id": telegram_id})).unique().one_or_none()
    if row is None:
        return None, None
    # The outer joins: no dialogue, no business (the row's type does not say so).
    person, state, business = row[0], cast(DialogueState | None, row[1]), row[2]
    dialogue.seen(db, person.id, state)
    return person, business


async def get(db: AsyncSession, person_id: int) -> Person | None:
    return await db.get(Person, person_id)


async def register(
    db: AsyncSession,
    clock: Clock,
    telegram_id: int,
    full_name: str,
    roles: Iterable[Role] = (),
    locale: str = "id",
    consent_at: datetime | None = None,
    source: RoleSource = RoleSource.INVITATION,
) -> Person:
    """Create a person (or return the existing one) and grant the given roles."""
    wanted = list(dict.fromkeys(roles))
    person = await find_by_telegram_id(db, telegram_id)
    if person is None:
        # One flush for the person and their roles (it runs inside someone's first update).
        now = clock.now()
        person = Person(
            telegram_id=telegram_id,
            full_name=full_name.strip()[:MAX_NAME] or "-",
            locale=locale,
            created_at=now,
            consent_at=consent_at,
            roles=[PersonRole(role=role, granted_at=now, source=source) for role in wanted],
        )
        db.add(person)
        await db.flush()
        trail: list[tuple[str, dict[str, str]]] = [("person.registered", {})]
        granted = {"source": source.value}
        trail += [("role.granted", {"role": role.value, **granted}) for role in wanted]
        await db.execute(
            insert(AuditEvent),
            [
                {"at": now, "person_id": person.id, "action": action, "detail": detail}
                for action, detail in trail
            ],
        )
        return person
    for role in wanted:
        await grant_role(db, clock, person, role, source=source)
    return person


async def grant_role(
    db: AsyncSession,
    clock: Clock,
    person: Person,
    role: Role,
    *,
    source: RoleSource = RoleSource.INVITATION,
    by_id: int | None = None,
) -> bool:
    """Grant a role; False when the person already had it.

    A role given by hand (`RoleSource.MANUAL`) is recorded as done by `by_id` (None: the
    operator) about the person; one from an invitation or the setting, as the person's own.
    """
    if role in person.role_set:
        return False
    person.roles.append(PersonRole(role=role, granted_at=clock.now(), source=source))
    manual = source is RoleSource.MANUAL
    await audit(
        db,
        clock,
        by_id if manual else person.id,
        "role.granted",
        subject_id=person.id if manual else None,
        role=role.value,
        source=source.value,
    )
    return True


async def revoke_role(
    db: AsyncSession, clock: Clock, person: Person, role: Role, *, by_id: int | None = None
) -> bool:
    """Take a role away; recorded as done by `by_id` (None: the operator or the setting)."""
    for granted in list(person.roles):
        if granted.role == role:
            person.roles.remove(granted)
            await db.flush()
            await audit(
                db,
                clock,
                by_id,
                "role.revoked",
                subject_id=person.id,
                role=role.value,
                source=granted.source.value,
            )
            return True
    return False


async def ensure_coordinator(
    db: AsyncSession, clock: Clock, telegram_id: int, full_name: str
) -> Person:
    """A BOT_COORDINATORS id is a coordinator (and a mentor) from its first message."""
    person = await register(
        db,
        clock,
        telegram_id,
        full_name,
        (Role.COORDINATOR, Role.MENTOR),
        consent_at=clock.now(),
        source=RoleSource.SETTING,
    )
    if person.consent_at is None:
        # Coordinators run the programme under their employment, not as data subjects
        # of the mentoring; their name and id are kept to address them.
        person.consent_at = clock.now()
    return person


async def with_role(db: AsyncSession, *roles: Role) -> Sequence[Person]:
    """Everyone holding one of the roles, by name."""
    stmt = (
        select(Person)
        .join(PersonRole)
        .where(PersonRole.role.in_(roles))
        .order_by(Person.full_name, Person.id)
        .distinct()
    )
    return (await db.scalars(stmt)).all()


async def record_consent(db: AsyncSession, clock: Clock, person: Person) -> None:
    if person.consent_at is None:
        person.consent_at = clock.now()
        await audit(db, clock, person.id, "consent.given")


async def withdraw_consent(db: AsyncSession, clock: Clock, person: Person) -> None:
    person.consent_at = None
    await audit(db, clock, person.id, "consent.withdrawn")


async def mark_unreachable(db: AsyncSession, clock: Clock, person_id: int) -> None:
    """Telegram said 403: stop sending to this person until they write again."""
    person = await db.get(Person, person_id)
    if person is not None and person.unreachable_since is None:
        person.unreachable_since = clock.now()
        await audit(db, clock, person.id, "person.unreachable")


def mark_reachable(person: Person) -> bool:
    if person.unreachable_since is None:
        return False
    person.unreachable_since = None
    return True


async def set_locale(db: AsyncSession, clock: Clock, person: Person, locale: str) -> None:
    if person.locale != locale:
        person.locale = locale
        await audit(db, clock, person.id, "person.locale", locale=locale)


async def rename(db: AsyncSession, clock: Clock, person: Person, full_name: str) -> None:
    person.full_name = full_name.strip()[:MAX_NAME] or person.full_name


async def set_salutation(db: AsyncSession, person: Person, salutation: Salutation | None) -> None:
    """How the bot addresses the person from now on (they chose it themselves)."""
    person.salutation = salutation
    await db.flush()


async def audit(
    db: AsyncSession,
    clock: Clock,
    person_id: int | None,
    action: str,
    note: str | None = None,
    *,
    subject_id: int | None = None,
    **detail: Any,
) -> None:
    """Record who (`person_id`; None: the system or the operator) did what, about whom."""
    db.add(
        AuditEvent(
            at=clock.now(),
            person_id=person_id,
            subject_id=subject_id,
            action=action,
            detail=detail,
            note=note,
        )
    )
