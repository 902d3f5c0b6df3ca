"""A business owner in the database, as the checklist and guidance tests need one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FakeClock
from bot.services import people
from db.models import Business, Role


async def business_owner(
    db: AsyncSession, clock: FakeClock, sector: str = "kue", telegram_id: int = 7101
) -> Business:
    """A consenting UMKM owner with a business of the sector."""
    person = await people.register(db, clock, telegram_id, "Ibu Maria", [Role.UMKM])
    person.consent_at = clock.now()
    business = Business(
        name="Kue Ina",
        sector=sector,
        owner_name="Ibu Maria",
        owner_id=person.id,
        created_at=clock.now(),
    )
    db.add(business)
    await db.flush()
    return business
