"""Invitation links: made, checked, accepted (in every role), and the inviter told."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import N_
from bot.services import agencies, businesses, outbox, people
from bot.services.errors import DomainError, Invalid, NotFound
from db.models import AuditEvent, Business, Invitation, Person, Role, Salutation

DEFAULT_VALID_DAYS = 14
CODE_BYTES = 16  # token_urlsafe(16) gives 22 characters of A-Z a-z 0-9 _ -
MAX_CODE = 64  # Telegram's limit for a /start parameter
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InvitationError(DomainError):
    """An invitation link that cannot be used (the three cases below)."""


class InvitationUnknown(InvitationError):
    """No invitation has this code (mistyped, cut off, or made up)."""


class InvitationUsed(InvitationError):
    """The invitation was already accepted."""


class InvitationExpired(InvitationError):
    """The invitation's time ran out; the coordinator can make a new one."""


class InvitationCancelled(InvitationExpired):
    """A coordinator withdrew the link (answered like an expired one: ask for a new link)."""


class AlreadyOwner(InvitationError):
    """A business invitation for someone who already owns another business."""


@dataclass(frozen=True)
class Accepted:
    """What accepting an invitation did."""

    person_id: int
    invitation_id: int
    role: Role
    role_added: bool  # False when the person already had the role
    business_id: int | None
    agency_id: int | None


@dataclass(frozen=True)
class Invitee:
    """Whom a usable invitation is for, as their welcome names them."""

    invitation_id: int
    role: Role
    name: str  # may be empty: the person's Telegram name is used then
    business: str | None
    agency: str | None
    salutation: Salutation | None = None


def new_code() -> str:
    code = secrets.token_urlsafe(CODE_BYTES)[:MAX_CODE]
    assert CODE_SHAPE.match(code)
    return code


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username}?start={code}"


async def create_invitation(
    db: AsyncSession,
    clock: Clock,
    *,
    role: Role,
    invitee_name: str,
    created_by_id: int | None,
    business_id: int | None = None,
    agency_id: int | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
    salutation: Salutation | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its code; only the code's SHA-256 is stored."""
    if role is Role.UMKM and business_id is None:
        raise Invalid("an UMKM invitation needs a business")
    if role is Role.FOCAL and agency_id is None:
        raise Invalid("a focal point invitation needs an agency")
    if valid_days < 1:
        raise Invalid("valid_days must be at least 1")
    code = new_code()
    now = clock.now()
    invitation = Invitation(
        code_hash=hash_code(code),
        role=role,
        invitee_name=businesses.clean_name(invitee_name, optional=True),
        salutation=salutation,
        business_id=business_id if role is Role.UMKM else None,
        agency_id=agency_id if role is Role.FOCAL else None,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    db.add(invitation)
    await db.flush()
    await people.audit(
        db, clock, created_by_id, "invitation.created", role=role.value, invitation=invitation.id
    )
    return invitation, code


async def invite_business(
    db: AsyncSession,
    clock: Clock,
    *,
    business_name: str,
    owner_name: str,
    sector: str,
    sectors: Collection[str],
    created_by_id: int | None,
    phone: str | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
    salutation: Salutation | None = None,
) -> tuple[Business, Invitation, str]:
    """A new business and the invitation for its owner."""
    business = await businesses.create(
        db,
        clock,
        name=business_name,
        owner_name=owner_name,
        sector=sector,
        sectors=sectors,
        phone=phone,
    )
    invitation, code = await create_invitation(
        db,
        clock,
        role=Role.UMKM,
        invitee_name=business.owner_name,
        created_by_id=created_by_id,
        business_id=business.id,
        valid_days=valid_days,
        salutation=salutation,
    )
    return business, invitation, code


async def reinvite_business(
    db: AsyncSession,
    clock: Clock,
    business_id: int,
    *,
    created_by_id: int | None,
    valid_days: int = DEFAULT_VALID_DAYS,
    salutation: Salutation | None = None,
) -> tuple[Invitation, str]:
    """A fresh invitation for a business whose owner has not joined yet."""
    business = await businesses.get(db, business_id)
    if business.owner_id is not None:
        raise Invalid(N_("the owner of this business has already joined."))
    if salutation is None:  # the new link addresses the owner as the last one did
        salutation = await db.scalar(
            select(Invitation.salutation)
            .where(Invitation.business_id == business.id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
            .limit(1)
        )
    # Older links of this business stop working (even expired ones leave the list of links
    # to re-issue): only the newest one is out there.
    await db.execute(
        update(Invitation)
        .where(
            Invitation.business_id == business.id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
        )
        .values(cancelled_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return await create_invitation(
        db,
        clock,
        role=Role.UMKM,
        invitee_name=business.owner_name,
        created_by_id=created_by_id,
        business_id=business.id,
        valid_days=valid_days,
        salutation=salutation,
    )


async def check(db: AsyncSession, clock: Clock, code: str) -> Invitation:
    """The usable invitation with this code, or the reason it cannot be used."""
    if not CODE_SHAPE.match(code):
        raise InvitationUnknown()
    invitation = await db.scalar(select(Invitation).where(Invitation.code_hash == hash_code(code)))
    return _usable(invitation, clock)


async def open_link(db: AsyncSession, clock: Clock, code: str) -> Invitee:
    """Like `check`, with the names the welcome shows."""
    invitation = await check(db, clock, code)
    business, agency = await places_of(db, invitation)
    return Invitee(
        invitation_id=invitation.id,
        role=invitation.role,
        name=invitation.invitee_name,
        business=business,
        agency=agency,
        salutation=invitation.salutation,
    )


async def places_of(db: AsyncSession, invitation: Invitation) -> tuple[str | None, str | None]:
    """The names of the business and the agency an invitation is for (None: not for one)."""
    business = await db.get(Business, invitation.business_id) if invitation.business_id else None
    agency = await agencies.get(db, invitation.agency_id) if invitation.agency_id else None
    return (
        business.name if business is not None else None,
        agency.name if agency is not None else None,
    )


async def expires_at(db: AsyncSession, invitation_id: int) -> datetime | None:
    invitation = await db.get(Invitation, invitation_id)
    return invitation.expires_at if invitation is not None else None


async def get_usable(db: AsyncSession, clock: Clock, invitation_id: int) -> Invitation:
    """Like `check`, by id (the onboarding dialogue keeps the id, never the code)."""
    return _usable(await db.get(Invitation, invitation_id), clock)


def _usable(invitation: Invitation | None, clock: Clock) -> Invitation:
    if invitation is None:
        raise InvitationUnknown()
    if invitation.used_at is not None:
        raise InvitationUsed()
    if invitation.cancelled_at is not None:
        raise InvitationCancelled()
    if invitation.expires_at <= clock.now():
        raise InvitationExpired()
    return invitation


async def accept(
    db: AsyncSession, clock: Clock, code: str, telegram_id: int, full_name: str
) -> Accepted:
    """Use the invitation: the person (created if new) gets its role, once."""
    invitation = await check(db, clock, code)
    person = await people.register(db, clock, telegram_id, full_name)
    return await accept_by_id(db, clock, invitation.id, person)


async def accept_by_id(
    db: AsyncSession, clock: Clock, invitation_id: int, person: Person
) -> Accepted:
    """Use the invitation for this person; single use even when two taps race."""
    invitation = await get_usable(db, clock, invitation_id)
    if invitation.role is Role.UMKM:
        if invitation.business_id is None:
            raise NotFound()
        business = await businesses.get(db, invitation.business_id)
        if business.owner_id is not None and business.owner_id != person.id:
            raise InvitationUsed()  # an older link of the same business was used first
        owned = await businesses.of_owner(db, person.id)
        if owned is not None and owned.id != invitation.business_id:
            raise AlreadyOwner()  # one person, one business (Business.owner_id is unique)
    now = clock.now()
    # The conditions are in the UPDATE itself: of two racing accepts, only one changes a row.
    result = await db.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now, used_by_id=person.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        await db.refresh(invitation)
        raise InvitationUsed() if invitation.used_at is not None else InvitationExpired()
    await db.refresh(invitation)
    if not person.role_set and invitation.invitee_name:
        await people.rename(db, clock, person, invitation.invitee_name)
    if person.salutation is None and invitation.salutation is not None:
        person.salutation = invitation.salutation  # the person may correct it with /sapaan
    if invitation.role is Role.UMKM and invitation.business_id is not None:
        await businesses.set_owner(db, clock, invitation.business_id, person.id)
    elif invitation.role is Role.FOCAL and invitation.agency_id is not None:
        await agencies.add_member(db, clock, invitation.agency_id, person.id)
    added = await people.grant_role(db, clock, person, invitation.role)
    await people.audit(
        db,
        clock,
        person.id,
        "invitation.accepted",
        invitation=invitation.id,
        role=invitation.role.value,
    )
    return Accepted(
        person_id=person.id,
        invitation_id=invitation.id,
        role=invitation.role,
        role_added=added,
        business_id=invitation.business_id,
        agency_id=invitation.agency_id,
    )


async def hold(db: AsyncSession, clock: Clock, telegram_id: int, full_name: str) -> Person:
    """The person who opened a valid link, before consent: a row without roles, no more."""
    existing = await people.find_by_telegram_id(db, telegram_id)
    if existing is not None:
        return existing
    person = Person(
        telegram_id=telegram_id,
        full_name=" ".join(full_name.split())[: people.MAX_NAME] or "-",
        locale="id",
        created_at=clock.now(),
        roles=[],
    )
    db.add(person)
    await db.flush()
    return person


async def release(db: AsyncSession, person_id: int) -> bool:
    """Forget someone who declined before joining: True when their row was deleted."""
    person = await db.get(Person, person_id)
    if person is None or person.role_set:
        return False
    await db.execute(delete(AuditEvent).where(AuditEvent.person_id == person_id))
    await db.delete(person)
    await db.flush()
    return True


async def pending_for_business(db: AsyncSession, business_id: int) -> list[Invitation]:
    return list(
        (
            await db.scalars(
                select(Invitation)
                .where(Invitation.business_id == business_id, Invitation.used_at.is_(None))
                .order_by(Invitation.id)
            )
        ).all()
    )


INVITEE_JOINED = "invitee_joined"


class Joined(outbox.Payload):
    """Someone joined with an invitation: to the coordinator who made the link."""

    KINDS = (INVITEE_JOINED,)

    invitation_id: int


async def tell_inviter(db: AsyncSession, clock: Clock, accepted: Accepted) -> bool:
    """Plan a note to the coordinator who made the link; False when there is nobody to tell."""
    invitation = await db.get(Invitation, accepted.invitation_id)
    inviter = invitation.created_by_id if invitation is not None else None
    if invitation is None or inviter is None or inviter == accepted.person_id:
        return False
    await outbox.plan(
        db,
        clock,
        kind=INVITEE_JOINED,
        recipient_id=inviter,
        dedupe_key=f"inv:{invitation.id}",
        due_at=clock.now(),
        payload=Joined(invitation_id=invitation.id),
    )
    return True
