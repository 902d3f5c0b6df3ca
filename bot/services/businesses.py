"""Mentored businesses: created with their invitation, completed by their owner."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import N_
from bot.services import people
from bot.services.errors import Invalid, NotFound
from db.models import Business, Person

MAX_NAME = 120  # Business.name and owner_name columns
MAX_PHONE = 32
# Hours (WITA) a business may choose for its nudges: morning, noon, afternoon, evening.
NUDGE_HOURS: tuple[int, ...] = (8, 12, 16, 19)
ProfileField = Literal["name", "owner", "sector"]
PROFILE_FIELDS: tuple[ProfileField, ...] = ("name", "owner", "sector")
_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{5,30}$")
# Control characters other than tab and line breaks: never meant in a name or a sheet's
# cell, and PostgreSQL refuses NUL in text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def clean_name(text: str, what: str = N_("name"), *, optional: bool = False) -> str:
    """A trimmed name of 1..MAX_NAME characters (or empty when `optional`); else Invalid."""
    cleaned = " ".join(drop_controls(text).split())
    if not cleaned and not optional:
        raise Invalid(N_("the {what} is empty."), what=what)
    if len(cleaned) > MAX_NAME:
        raise Invalid(
            N_("the {what} is longer than {limit} characters."), what=what, limit=MAX_NAME
        )
    return cleaned


def clean_phone(text: str) -> str:
    """Digits with an optional leading +, spaces and dashes allowed; Invalid otherwise."""
    cleaned = " ".join(text.split())
    if not _PHONE.match(cleaned) or len(cleaned) > MAX_PHONE:
        raise Invalid(N_("the phone number may only hold digits, spaces, dashes and a leading +."))
    return cleaned


def check_sector(sector: str, sectors: Collection[str]) -> str:
    key = sector.strip().lower()
    if key not in sectors:
        raise Invalid(
            N_("the sector {sector} is unknown (known: {known})."),
            sector=repr(sector),
            known=", ".join(sectors),
        )
    return key


async def create(
    db: AsyncSession,
    clock: Clock,
    *,
    name: str,
    owner_name: str,
    sector: str,
    sectors: Collection[str],
    phone: str | None = None,
) -> Business:
    """A new business (its owner joins later through an invitation)."""
    business = Business(
        name=clean_name(name, N_("business name")),
        owner_name=clean_name(owner_name, N_("owner name"), optional=True),
        sector=check_sector(sector, sectors),
        phone=clean_phone(phone) if phone else None,
        created_at=clock.now(),
    )
    db.add(business)
    await db.flush()
    return business


async def find_by_name(db: AsyncSession, name: str) -> Business | None:
    """The (first) business with this name, ignoring case and surrounding spaces."""
    wanted = " ".join(name.split()).lower()
    return await db.scalar(
        select(Business).where(func.lower(Business.name) == wanted).order_by(Business.id).limit(1)
    )


async def get(db: AsyncSession, business_id: int) -> Business:
    business = await db.get(Business, business_id)
    if business is None:
        raise NotFound()
    return business


async def of_owner(db: AsyncSession, person_id: int) -> Business | None:
    return await db.scalar(select(Business).where(Business.owner_id == person_id))


async def set_owner(db: AsyncSession, clock: Clock, business_id: int, person_id: int) -> Business:
    """Link the owner's person to the business (on accepting the invitation)."""
    business = await get(db, business_id)
    if business.owner_id is not None and business.owner_id != person_id:
        raise Invalid(N_("this business already has an owner."))
    business.owner_id = person_id
    if not business.owner_name:  # invited without a name: the owner's Telegram name
        person = await db.get(Person, person_id)
        business.owner_name = person.full_name[:MAX_NAME] if person is not None else ""
    business.last_active_at = clock.now()
    await db.flush()
    return business


async def update_profile(
    db: AsyncSession,
    clock: Clock,
    person_id: int,
    field: ProfileField,
    value: str,
    sectors: Collection[str],
) -> Business:
    """The owner corrects one field of their business profile."""
    business = await _owned(db, person_id)
    if field == "name":
        business.name = clean_name(value, N_("business name"))
    elif field == "owner":
        business.owner_name = clean_name(value, N_("owner name"))
    else:
        business.sector = check_sector(value, sectors)
    business.profile_confirmed_at = None
    await db.flush()
    await people.audit(db, clock, person_id, "business.profile_changed", field=field)
    return business


async def confirm_profile(db: AsyncSession, clock: Clock, person_id: int) -> Business:
    business = await _owned(db, person_id)
    business.profile_confirmed_at = clock.now()
    await db.flush()
    return business


async def set_nudge_hour(db: AsyncSession, clock: Clock, person_id: int, hour: int) -> Business:
    if hour not in NUDGE_HOURS:
        raise Invalid(N_("that time of day is not one of the choices."))
    business = await _owned(db, person_id)
    business.nudge_hour = hour
    business.last_active_at = clock.now()
    await db.flush()
    return business


async def _owned(db: AsyncSession, person_id: int) -> Business:
    business = await of_owner(db, person_id)
    if business is None:
        raise NotFound()
    return business
