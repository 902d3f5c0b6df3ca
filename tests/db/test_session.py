"""The engines: SQLite under concurrency (transactions queue in this process, wait for other
processes), PostgreSQL connections that went away while idle."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import CONCURRENT_UPDATES, build_application
from bot.settings import load_settings
from db.session import create_engine, create_session_factory

TOKEN = "545454:POOL-test-token"

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


async def test_a_second_session_waits_for_the_first_without_blocking_the_loop(
    sqlite_engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(sqlite_engine)
    first_inside = asyncio.Event()
    ticks = 0

    async def first() -> None:
        async with sessions() as db, db.begin():
            await db.execute(text("UPDATE counter SET n = 7 WHERE id = 1"))
            first_inside.set()
            for _ in range(20):  # the loop keeps turning while this transaction is open
                await asyncio.sleep(0.01)

    async def second() -> int:
        nonlocal ticks
        await first_inside.wait()
        waiting = asyncio.create_task(_count(sessions))
        while not waiting.done():
            ticks += 1
            await asyncio.sleep(0.01)
        return await waiting

    _, seen = await asyncio.gather(first(), second())
    assert seen == 7  # it waited for the commit, it did not read around it
    assert ticks >= 10


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


async def test_deleted_rows_are_overwritten_on_disk(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    """secure_delete: a forgotten person's name is not left in the file's free pages."""
    secret = "Maria-Ndun-0812-3456-7890"
    async with sqlite_engine.begin() as conn:
        assert (await conn.execute(text("PRAGMA secure_delete"))).scalar_one() == 1
        await conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
        await conn.execute(text("INSERT INTO note (body) VALUES (:b)"), {"b": secret})
    async with sqlite_engine.begin() as conn:
        await conn.execute(text("DELETE FROM note"))
    await sqlite_engine.dispose()  # the last connection checkpoints the WAL into the file
    stored = await asyncio.to_thread(
        lambda: b"".join(p.read_bytes() for p in tmp_path.glob("gate.db*"))
    )
    assert secret.encode() not in stored


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.parametrize("idle_s", [0.0, 60.0])
async def test_a_postgresql_connection_killed_while_idle_is_replaced_once_idle_long_enough(
    postgres_url: str, idle_s: float
) -> None:
    """Pinged only after `ping_after_idle_s` in the pool: then a dead one is replaced unseen;
    a connection used a moment ago goes straight to work (a dead one fails that once)."""
    engine = create_engine(postgres_url, ping_after_idle_s=idle_s)
    admin = create_engine(postgres_url)
    try:
        first = await _backend_pid(engine)
        async with admin.begin() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        if idle_s == 0.0:
            assert await _backend_pid(engine) != first  # pinged, replaced, served
        else:
            with pytest.raises(DBAPIError):
                await _backend_pid(engine)
            assert await _backend_pid(engine) != first  # the pool let the dead one go
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_the_bots_postgresql_connections_are_kept_for_every_update_at_once(
    postgres_url: str,
) -> None:
    """As many transactions as the bot runs at once, twice: the second round reuses the
    first round's connections (no server process started per update)."""
    app = build_application(load_settings(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=postgres_url))
    deps = app.bot_data.require()
    held = asyncio.Event()
    try:

        async def backend(ready: asyncio.Event) -> int:
            async with deps.sessions() as db, db.begin():
                pid = int((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())
                ready.set()
                await held.wait()  # all are open at once
                return pid

        rounds: list[set[int]] = []
        for _ in range(2):
            held.clear()
            readies = [asyncio.Event() for _ in range(CONCURRENT_UPDATES)]
            tasks = [asyncio.create_task(backend(ready)) for ready in readies]
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 10)
            held.set()
            rounds.append(set(await asyncio.gather(*tasks)))
        assert len(rounds[0]) == CONCURRENT_UPDATES
        assert rounds[1] == rounds[0]
    finally:
        await deps.engine.dispose()
