"""Activity and weekly nudges on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import nudges, people
from bot.services.calendar import WorkCalendar
from db.models import Business, OutboxMessage, OutboxState, Role

WITA = ZoneInfo("Asia/Makassar")


def wita(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, WITA, as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=WITA).astimezone(UTC)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar(WITA)


async def _business(
    db: AsyncSession,
    clock: FakeClock,
    telegram_id: int,
    *,
    quiet_days: float,
    hour: int | None = None,
) -> Business:
    person = await people.register(db, clock, telegram_id, "Ibu Maria", [Role.UMKM])
    business = Business(
        name=f"Usaha {telegram_id}",
        sector="kue",
        owner_name="Ibu Maria",
        owner_id=person.id,
        nudge_hour=hour,
        created_at=clock.now() - timedelta(days=60),
        last_active_at=clock.now() - timedelta(days=quiet_days),
    )
    db.add(business)
    await db.flush()
    return business


async def _nudges(db: AsyncSession) -> list[OutboxMessage]:
    found = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == nudges.KIND_NUDGE)
        .order_by(OutboxMessage.id)
    )
    return list(found.all())


async def test_quiet_week_plans_one_nudge_at_the_preferred_hour_and_active_none(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    clock.set(wita(7, 10))  # Monday 10.00: today's 09.00 has passed
    async with sessions() as db, db.begin():
        default = await _business(db, clock, 8001, quiet_days=8)
        evening = await _business(db, clock, 8002, quiet_days=7, hour=16)
        await _business(db, clock, 8003, quiet_days=6.9)  # active within the week
        planned = await nudges.plan_nudges(db, clock, calendar)
    assert [(p.business_id, p.due_at) for p in planned] == [
        (default.id, wita(8, 9)),  # Tuesday 09.00, the default hour
        (evening.id, wita(7, 16)),  # today 16.00, the chosen hour
    ]
    async with sessions() as db:
        rows = await _nudges(db)
        assert [(r.recipient_id, r.due_at, r.payload) for r in rows] == [
            (default.owner_id, wita(8, 9), {"business_id": default.id}),
            (evening.owner_id, wita(7, 16), {"business_id": evening.id}),
        ]


async def test_never_two_nudges_in_one_week(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    clock.set(wita(7, 8))  # Monday 08.00
    async with sessions() as db, db.begin():
        business = await _business(db, clock, 8004, quiet_days=10)
        [first] = await nudges.plan_nudges(db, clock, calendar)
        assert first.due_at == wita(7, 9)
    # The hourly job runs all week; the nudge went out on Monday.
    async with sessions() as db, db.begin():
        [row] = await _nudges(db)
        row.state, row.sent_at = OutboxState.SENT, wita(7, 9)
    for hours in range(2, 24 * 6, 1):  # until Sunday morning
        clock.set(wita(7, 8) + timedelta(hours=hours))
        async with sessions() as db, db.begin():
            await nudges.plan_nudges(db, clock, calendar)
    async with sessions() as db:
        rows = await _nudges(db)
        assert len(rows) == 2  # Monday's, and one for next week (planned on Saturday)
        assert rows[0].state is OutboxState.SENT
        assert rows[1].due_at == wita(14, 9)  # next Monday 09.00, not Sunday
        assert rows[1].dedupe_key == f"b{business.id}:2026-W51"


async def test_nudges_keep_out_of_quiet_hours_sundays_and_holidays(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    clock.set(wita(12, 20))  # Saturday 20.00
    async with sessions() as db, db.begin():
        late = await _business(db, clock, 8005, quiet_days=9, hour=22)
        early = await _business(db, clock, 8006, quiet_days=9, hour=5)
        planned = {p.business_id: p.due_at for p in await nudges.plan_nudges(db, clock, calendar)}
    assert planned[late.id] == wita(14, 19)  # 22.00 moves to 19.00; Sunday skipped
    assert planned[early.id] == wita(14, 7)  # 05.00 moves to 07.00
    # Christmas (Friday 25 December) is skipped like a Sunday.
    assert nudges.next_nudge_moment(wita(24, 10), 9, calendar) == wita(26, 9)
    for due in planned.values():
        assert not calendar.is_quiet(due)


async def test_activity_is_recorded_only_for_a_business_owner(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    async with sessions() as db, db.begin():
        business = await _business(db, clock, 8007, quiet_days=30)
        mentor = await people.register(db, clock, 8008, "Bapak Mentor", [Role.MENTOR])
        owner = await people.get(db, business.owner_id or 0)
        assert owner is not None
        clock.advance(hours=1)
        await nudges.record_activity(db, clock, mentor)
        await nudges.record_activity(db, clock, owner)
        business_id = business.id
    async with sessions() as db, db.begin():
        fresh = await db.get(Business, business_id)
        assert fresh is not None
        assert fresh.last_active_at == clock.now()
        assert not nudges.is_inactive(fresh, clock.now())
        assert await nudges.plan_nudges(db, clock, calendar) == []
