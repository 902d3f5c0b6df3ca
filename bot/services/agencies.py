"""Agencies (perangkat daerah) and their focal points."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import Agency, AgencyMember, Person

# The pilot bodies of the 2018 MoU, plus Pemkot Kupang itself (DOMAIN.md §7).
PILOT_AGENCIES: tuple[tuple[str, str], ...] = (
    ("Sekretariat Daerah Kota Kupang", "Setda"),
    ("RSUD S.K. Lerik", "RSUD S.K. Lerik"),
    ("Badan Keuangan Daerah Kota Kupang", "BKD"),
    ("Dinas Kependudukan dan Pencatatan Sipil Kota Kupang", "Dukcapil"),
    ("Pemerintah Kota Kupang", "Pemkot Kupang"),
)


async def seed_pilot_agencies(db: AsyncSession, clock: Clock) -> int:
    """Add the pilot agencies that are missing; returns how many were added."""
    existing = set((await db.scalars(select(Agency.name))).all())
    added = 0
    for name, short in PILOT_AGENCIES:
        if name not in existing:
            db.add(Agency(name=name, short_name=short, created_at=clock.now()))
            added += 1
    await db.flush()
    return added


async def all_agencies(db: AsyncSession) -> Sequence[Agency]:
    return (await db.scalars(select(Agency).order_by(Agency.id))).all()


async def get(db: AsyncSession, agency_id: int) -> Agency | None:
    return await db.get(Agency, agency_id)


async def find(db: AsyncSession, name_or_short: str) -> Agency | None:
    """By full or short name, ignoring case and surrounding spaces."""
    wanted = name_or_short.strip().lower()
    return await db.scalar(
        select(Agency).where(
            (func.lower(Agency.name) == wanted) | (func.lower(Agency.short_name) == wanted)
        )
    )


async def add_member(db: AsyncSession, clock: Clock, agency_id: int, person_id: int) -> None:
    if await db.get(AgencyMember, (agency_id, person_id)) is None:
        db.add(AgencyMember(agency_id=agency_id, person_id=person_id, since=clock.now()))
        await db.flush()


async def agency_of(db: AsyncSession, person_id: int) -> Agency | None:
    """The (first) agency a focal point belongs to."""
    return await db.scalar(
        select(Agency)
        .join(AgencyMember, AgencyMember.agency_id == Agency.id)
        .where(AgencyMember.person_id == person_id)
        .order_by(Agency.id)
        .limit(1)
    )


async def focal_points(db: AsyncSession, agency_id: int) -> Sequence[Person]:
    return (
        await db.scalars(
            select(Person)
            .join(AgencyMember, AgencyMember.person_id == Person.id)
            .where(AgencyMember.agency_id == agency_id)
            .order_by(Person.id)
        )
    ).all()


async def is_member(db: AsyncSession, agency_id: int, person_id: int) -> bool:
    """Whether the person is a focal point of the agency."""
    return await db.get(AgencyMember, (agency_id, person_id)) is not None
