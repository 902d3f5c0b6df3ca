"""PostgreSQL's locks between processes: one person at a time, one dispatcher at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.clock import SystemClock
from bot.context import Deps
from bot.dispatcher import claim_due
from bot.dispatcher.leader import Leadership
from bot.localapi import LocalBotApi
from bot.services import locks, ops
from bot.settings import load_settings
from db.models import OutboxMessage, OutboxState
from tests.support.outbox import plan_help_requests

TOKEN = "545454:LEADER-test-token"


@pytest.fixture
async def deps(postgres_url: str) -> AsyncIterator[Deps]:
    app = build_application(load_settings(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=postgres_url))
    found = app.bot_data.require()
    try:
        yield found
    finally:
        await found.engine.dispose()


async def _waiting_advisory_locks(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as db:
        count = await db.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        )
    return int(count or 0)


async def test_a_persons_second_transaction_waits_for_the_first_others_do_not(
    deps: Deps,
) -> None:
    sessions = deps.sessions
    async with sessions() as first, first.begin():
        await locks.lock_person(first, 42)

        async with sessions() as other, other.begin():  # someone else: not held up
            await locks.lock_person(other, 43)

        async def second_update() -> None:
            async with sessions() as second, second.begin():
                await locks.lock_person(second, 42)

        waiting = asyncio.create_task(second_update())
        # Until PostgreSQL shows the second transaction waiting on the person's lock.
        while await _waiting_advisory_locks(sessions) == 0:
            assert not waiting.done()
            await asyncio.sleep(0.01)
        assert not waiting.done()
    async with asyncio.timeout(10):  # the first committed: the second goes on
        await waiting


async def test_one_leads_and_another_takes_over_what_it_left_when_it_dies(deps: Deps) -> None:
    woken = asyncio.Event()
    first = Leadership(lambda: deps, "host:1001:aaaaaa", woken.set)
    second = Leadership(lambda: deps, "host:1002:bbbbbb", lambda: None)
    await plan_help_requests(deps.sessions, LocalBotApi(token=TOKEN), [9_100_001, 9_100_002])
    try:
        assert await first.hold()
        assert not await second.hold()
        assert await first.hold()  # kept, beating
        second.tell_holder()  # due rows were planned where the lead is not
        async with asyncio.timeout(10):
            await woken.wait()
        async with deps.sessions() as db, db.begin():  # the holder is mid-pass
            claimed = await claim_due(db, SystemClock(), first.holder, 10)
        assert len(claimed) == 2
        async with deps.sessions() as db:
            beat = await ops.last_beat(db, ops.DISPATCHER)
        assert beat is not None
        assert beat.holder == first.holder

        await first.close()  # its process dies: the session ends, the lock with it
        assert await second.hold()
        taken = second.inherited()
        async with deps.sessions() as db:
            states = (await db.scalars(select(OutboxMessage.state))).all()
            beat_after = await ops.last_beat(db, ops.DISPATCHER)
    finally:
        await first.close()
        await second.close()
    assert (taken.released, taken.unknown) == (2, 0)
    assert second.inherited().released == 0  # counted once
    assert states == [OutboxState.PENDING] * 2  # sent by the new holder's pass, once
    assert beat_after is not None
    assert beat_after.holder == second.holder
    assert beat_after.since > beat.since
