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
from db.checkpoints import checkpoint_in_thread
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


async def _fill_log(engine: AsyncEngine, transactions: int) -> None:
    """Commit `transactions` small transactions of about three 4 KiB pages each."""
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS filler (b BLOB)"))
    for _ in range(transactions):
        async with engine.begin() as conn:
            for _ in range(3):
                await conn.execute(text("INSERT INTO filler VALUES (randomblob(3000))"))


@pytest.mark.parametrize("elsewhere", [True, False])
async def test_commits_leave_the_write_ahead_log_to_the_checkpointer(
    tmp_path: Path, elsewhere: bool
) -> None:
    """The bot's engine never checkpoints inside a COMMIT (below the backstop); SQLite's
    default does once the log passes 1,000 pages."""
    database = tmp_path / "log.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}", checkpoints_elsewhere=elsewhere)
    try:
        await _fill_log(engine, 500)  # ~1,500 pages
        pending = await checkpoint_in_thread(str(database))
    finally:
        await engine.dispose()
    if elsewhere:
        assert pending.log_frames > 1_400
    else:
        assert pending.log_frames < 1_000
    assert pending.checkpointed_frames == pending.log_frames
    assert pending.busy == 0


async def test_a_checkpoint_runs_while_the_event_loop_serves_others(tmp_path: Path) -> None:
    database = tmp_path / "log.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}", checkpoints_elsewhere=True)
    try:
        await _fill_log(engine, 1_500)  # ~18 MB of log to copy and sync
        ticks = 0
        copying = asyncio.create_task(checkpoint_in_thread(str(database)))
        while not copying.done():
            ticks += 1
            await asyncio.sleep(0)
        done = await copying
        async with engine.begin() as conn:  # the bot's connection writes on, unharmed
            await conn.execute(text("INSERT INTO filler VALUES (x'00')"))
    finally:
        await engine.dispose()
    assert done.checkpointed_frames == done.log_frames > 4_000
    assert ticks > 1  # the copy happened beside the loop, not on it


def test_the_bot_on_sqlite_checkpoints_with_a_job_and_on_postgresql_does_not(
    tmp_path: Path, postgres_url: str
) -> None:
    on_file = build_application(
        load_settings(
            TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/b.db"
        )
    )
    on_server = build_application(
        load_settings(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=postgres_url)
    )
    for app, expected in ((on_file, 1), (on_server, 0)):
        assert app.job_queue is not None
        assert len(app.job_queue.get_jobs_by_name("wal-checkpoint")) == expected


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
