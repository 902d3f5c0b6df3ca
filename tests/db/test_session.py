"""SQLite under concurrency: writers queue at the write gate, deferred readers run alongside."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.session import WriteConflict, create_engine, create_session_factory, deferred_writes

WRITERS = 40


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        await conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    try:
        yield engine
    finally:
        await engine.dispose()


async def _increment(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Read, let everyone else run, then write what was read plus one."""
    async with sessions() as db, db.begin():
        n: int = (await db.execute(text("SELECT n FROM counter WHERE id = 1"))).scalar_one()
        await asyncio.sleep(0)
        await db.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as db:
        return int((await db.execute(text("SELECT n FROM counter"))).scalar_one())


async def test_concurrent_writers_never_see_database_is_locked_nor_lose_updates(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(sqlite_engine)
    await asyncio.gather(*(_increment(sessions) for _ in range(WRITERS)))
    assert await _count(sessions) == WRITERS


async def test_deferred_upgrades_conflict_and_succeed_when_run_again(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(sqlite_engine)
    conflicts = 0

    async def increment_with_retry() -> None:
        nonlocal conflicts
        deferred = True
        while True:
            try:
                with deferred_writes(deferred) as mode:
                    await _increment(sessions)
                assert mode.wrote
                return
            except WriteConflict:
                conflicts += 1
                assert deferred, "an immediate transaction never conflicts"
                deferred = False

    await asyncio.gather(*(increment_with_retry() for _ in range(WRITERS)))
    assert await _count(sessions) == WRITERS
    assert conflicts > 0  # the stale reads were caught, not written back


async def test_a_deferred_reader_does_not_wait_for_the_writer(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(sqlite_engine)
    writer_inside, reader_done = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with sessions() as db, db.begin():
            await db.execute(text("UPDATE counter SET n = 7 WHERE id = 1"))
            writer_inside.set()
            await asyncio.wait_for(reader_done.wait(), timeout=5)

    async def reader() -> int:
        await writer_inside.wait()
        with deferred_writes() as mode:
            n = await _count(sessions)
        reader_done.set()
        assert not mode.wrote
        return n

    _, seen = await asyncio.gather(writer(), reader())
    assert seen == 0  # the snapshot before the writer's commit
    assert await _count(sessions) == 7


async def test_another_process_writing_makes_a_deferred_upgrade_conflict(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = create_session_factory(sqlite_engine)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None, timeout=0)
    try:
        with deferred_writes() as mode:
            async with sessions() as db, db.begin():
                await db.execute(text("SELECT n FROM counter"))
                other.execute("UPDATE counter SET n = 5 WHERE id = 1")  # commits at once
                with pytest.raises(WriteConflict):
                    await db.execute(text("UPDATE counter SET n = 6 WHERE id = 1"))
                await db.rollback()
        assert mode.conflict
        await _increment(sessions)  # the immediate run again reads the other's write
    finally:
        other.close()
    assert await _count(sessions) == 6


async def test_waiting_for_another_process_does_not_block_the_event_loop(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = create_session_factory(sqlite_engine)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE counter SET n = 10 WHERE id = 1")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    asyncio.get_running_loop().call_later(0.3, other.commit)
    try:
        await _increment(sessions)  # waits in SQLite's busy timeout, off the loop's thread
    finally:
        ticker.cancel()
        other.close()
    assert ticks >= 10
    assert await _count(sessions) == 11
