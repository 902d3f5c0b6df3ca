"""The inbox of updates on real databases: stored once, handled once, pruned later."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update

from bot.clock import FakeClock
from bot.inbox import Inbox
from bot.services import inbox
from bot.services.inbox import Incoming
from db.models import InboxOutcome, InboxUpdate
from db.session import create_engine, create_session_factory


def _update(update_id: int, chat_id: int = 501, text: str = "halo") -> Incoming:
    return Incoming(update_id, chat_id, {"update_id": update_id, "message": {"text": text}})


async def _row(sessions: async_sessionmaker[AsyncSession], update_id: int) -> InboxUpdate:
    async with sessions() as db:
        row = await db.get(InboxUpdate, update_id)
        assert row is not None
        return row


async def test_an_update_is_stored_once_and_a_redelivery_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        fresh = await inbox.store(db, clock, [_update(10), _update(11, chat_id=502)])
    assert fresh == {10, 11}
    first = await _row(sessions, 10)
    assert (first.chat_id, first.received_at, first.handled_at) == (501, clock.now(), None)
    assert first.payload == {"update_id": 10, "message": {"text": "halo"}}

    clock.advance(minutes=1)
    async with sessions() as db, db.begin():
        fresh = await inbox.store(db, clock, [_update(11, text="lagi"), _update(12)])
    assert fresh == {12}
    again = await _row(sessions, 11)
    assert again.payload["message"] == {"text": "halo"}
    assert again.received_at == clock.now() - timedelta(minutes=1)


async def test_marking_goes_through_once_and_only_with_its_transaction(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await inbox.store(db, clock, [_update(20)])

    async def failing_handler() -> None:
        async with sessions() as db, db.begin():
            assert await inbox.mark_handled(db, clock, 20)
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):  # its effects and the mark are rolled back together
        await failing_handler()
    assert (await _row(sessions, 20)).handled_at is None

    async with sessions() as db, db.begin():
        assert await inbox.mark_handled(db, clock, 20)
    async with sessions() as db, db.begin():
        assert not await inbox.mark_handled(db, clock, 20, InboxOutcome.SKIPPED)
    row = await _row(sessions, 20)
    assert (row.handled_at, row.outcome) == (clock.now(), InboxOutcome.HANDLED)

    async with sessions() as db, db.begin():  # never stored (pushed in directly): handled
        assert await inbox.mark_handled(db, clock, 999)


async def test_two_handlers_of_one_update_only_one_goes_on(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await inbox.store(db, clock, [_update(30)])
    first_marked, second_started = asyncio.Event(), asyncio.Event()

    async def first() -> bool:
        async with sessions() as db, db.begin():
            marked = await inbox.mark_handled(db, clock, 30)
            first_marked.set()
            await second_started.wait()  # commit only once the other is on its way
            return marked

    async def second() -> bool:
        await first_marked.wait()
        second_started.set()
        async with sessions() as db, db.begin():
            return await inbox.mark_handled(db, clock, 30)

    assert list(await asyncio.gather(first(), second())) == [True, False]


async def test_unhandled_updates_come_back_oldest_first(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await inbox.store(db, clock, [_update(42), _update(40, chat_id=502)])
        await inbox.store(db, clock, [_update(41), _update(43)])
        await inbox.mark_handled(db, clock, 41)
    async with sessions() as db, db.begin():
        payloads = await inbox.unhandled(db)
    assert [p["update_id"] for p in payloads] == [40, 42, 43]


async def test_handled_rows_are_pruned_after_a_week_unhandled_never(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await inbox.store(db, clock, [_update(50), _update(51), _update(52)])
        await inbox.mark_handled(db, clock, 50)
    clock.advance(days=2)
    async with sessions() as db, db.begin():
        await inbox.mark_handled(db, clock, 51, InboxOutcome.DROPPED)
    clock.advance(days=5, seconds=1)
    async with sessions() as db, db.begin():
        assert await inbox.prune(db, clock) == 1
    clock.advance(days=30)
    async with sessions() as db, db.begin():
        assert await inbox.prune(db, clock) == 1
    async with sessions() as db:
        left = (await db.scalars(select(InboxUpdate.update_id))).all()
    assert left == [52]


async def _advisory_lock_waits(engine: AsyncEngine) -> int:
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _waiting_for_an_advisory_lock(engine: AsyncEngine) -> None:
    """Return once some session waits for an advisory lock (seen in pg_locks)."""
    for _ in range(500):  # 10 s
        if await _advisory_lock_waits(engine):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("nobody waited for an advisory lock")


async def test_on_postgresql_the_mark_takes_the_persons_lock_in_the_same_statement(
    postgres_url: str, clock: FakeClock
) -> None:
    """A second update of the same person waits for the first's transaction to end; another
    person's update goes straight on."""
    engine = create_engine(postgres_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as db, db.begin():
            await inbox.store(db, clock, [_update(40), _update(41), _update(42, chat_id=503)])
        order: list[str] = []
        holding, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with sessions() as db, db.begin():
                assert await inbox.mark_handled(db, clock, 40, lock_person=501)
                holding.set()
                await release.wait()
                order.append("first ends")

        async def same_person() -> None:
            async with sessions() as db, db.begin():
                assert await inbox.mark_handled(db, clock, 41, lock_person=501)
                order.append("second marked")

        running = asyncio.create_task(first())
        await holding.wait()
        async with sessions() as db, db.begin():  # someone else: not held up
            assert await inbox.mark_handled(db, clock, 42, lock_person=503)
        waiting = asyncio.create_task(same_person())
        await _waiting_for_an_advisory_lock(engine)
        release.set()
        await asyncio.gather(running, waiting)
        assert order == ["first ends", "second marked"]
    finally:
        await engine.dispose()


def _polled(update_id: int) -> Update:
    chat = {"id": 501, "type": "private"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "text": "halo"}
    update = Update.de_json({"update_id": update_id, "message": message}, None)
    assert update is not None
    return update


async def test_the_bots_inbox_keeps_a_polled_batch_before_handing_it_on(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, engine: AsyncEngine
) -> None:
    """Stored for good (another connection sees it) before the bot handles it, and a batch
    that repeats an update hands on only the new one (PostgreSQL: one INSERT, committed
    alone)."""
    keeper = Inbox(sessions, clock)
    fresh = await keeper.fetched([_polled(20), _polled(21)])
    assert [u.update_id for u in fresh] == [20, 21]
    other = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with other.connect() as conn:
            unhandled = select(InboxUpdate.update_id).where(InboxUpdate.handled_at.is_(None))
            assert sorted((await conn.scalars(unhandled)).all()) == [20, 21]
    finally:
        await other.dispose()
    again = await keeper.fetched([_polled(21), _polled(22)])
    assert [u.update_id for u in again] == [22]
