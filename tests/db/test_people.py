"""People and roles on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import dialogue, people
from db.models import Role


async def test_coordinator_is_registered_once_with_mentor_role(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        first = await people.ensure_coordinator(db, clock, 5001, "Ibu Koordinator")
    async with sessions() as db, db.begin():
        again = await people.ensure_coordinator(db, clock, 5001, "Ibu Koordinator")
        assert again.id == first.id
        assert again.role_set == {Role.COORDINATOR, Role.MENTOR}
        assert [p.telegram_id for p in await people.with_role(db, Role.MENTOR)] == [5001]


async def test_times_come_back_as_aware_utc(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        person = await people.register(db, clock, 5002, "Bapak Yohanes", [Role.FOCAL])
        person_id = person.id
    async with sessions() as db:
        loaded = await people.get(db, person_id)
        assert loaded is not None
        assert loaded.created_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
        assert loaded.created_at.tzinfo is not None


async def test_dialogue_state_survives_a_new_session(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        person = await people.register(db, clock, 5003, "Ibu Maria", [Role.UMKM])
        state = await dialogue.begin(db, clock, person.id, "invite", "name")
        await dialogue.advance(db, clock, state, "sector", name="Tenun Ina")
        person_id = person.id
    async with sessions() as db, db.begin():
        state2 = await dialogue.current(db, person_id)
        assert state2 is not None
        assert (state2.flow, state2.step, state2.data) == (
            "invite",
            "sector",
            {"name": "Tenun Ina"},
        )
        await dialogue.finish(db, person_id)
    async with sessions() as db:
        assert await dialogue.current(db, person_id) is None
