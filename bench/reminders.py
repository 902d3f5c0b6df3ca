"""What the outbox dispatcher costs: an idle tick over many planned rows, and a big send.

1. Idle tick: SQLite holding 100,000 and then 500,000 reminders planned for the future and
   nothing due; the median of 50 dispatcher passes (expire leases + claim = one short
   transaction), with SQLite's plan for the claim query (it must search the
   (state, due_at) index, not scan the table). Goal: under 10 ms.
2. Dispatch: 10,000 due rows to 10,000 people through the real application's bot (its one
   limiter, `bot.dispatcher.Pacer`) at the paid rate (1,000 messages/s), against the local
   Bot API server running in a child process (as Telegram is elsewhere). Beside it, a bare
   `telegram.Bot` on the same transport (bot/transport.py) sends the same number of
   messages in the same run (32 at once, no limiter, no database): what the server and
   this machine allow at all. `dispatch_ratio` is our
   rate divided by min(1,000/s, the bare rate); the goal is at least 0.9. A short run at
   the default 30 messages/s shows the pace holds at Telegram's real limit.

    python -m bench.reminders [--rows 10000]

`--rows N` scales everything (idle sizes are 10*N and 50*N). The last line is one JSON
object: tick_ms_100k, tick_ms_500k, dispatch_ratio, dispatch_per_s, bare_per_s,
max_sends_per_second, vs_bare, paced_30_ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot import sending
from bot.app import build_application
from bot.clock import FakeClock
from bot.compose import KINDS, Kind
from bot.context import BotApplication, Deps
from bot.dispatcher import Pacer, claim_due, dispatch_once
from bot.i18n import Translator
from bot.localapi import LocalBotApi
from bot.render import Reply
from bot.render.text import Html
from bot.services.outbox import Payload
from bot.settings import load_settings
from bot.transport import new_request
from db import migrate
from db.models import OutboxMessage, OutboxState, Person

TOKEN = "777001:BENCH-REMINDERS"
KIND = "bench_note"
FIRST_USER = 2_000_000
FAST_RATE = 1000.0
REAL_RATE = 30.0
TICKS = 50
START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


class Note(Payload):
    """The benchmark's rows carry nothing."""

    KINDS = (KIND,)


async def _compose(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, note: Note
) -> Reply:
    return Reply(Html("Pengingat nomor {}").format(row.id))


# The bot's composers and the benchmark's kind.
NOTES = {**KINDS, KIND: Kind(Note, _compose)}


# --- the server, in a child process -------------------------------------------------------


def _server_process(conn: Connection, users: int) -> None:
    async def serve() -> None:
        api = LocalBotApi(token=TOKEN)
        await api.start()
        for i in range(users):
            api.add_chat_user(FIRST_USER + i, f"Orang {i}")
        conn.send({"base_url": api.base_url, "base_file_url": api.base_file_url})
        try:
            while True:
                command = await asyncio.to_thread(conn.recv)
                if command != "count":
                    break
                conn.send(sum(len(api.chat_messages(FIRST_USER + i)) for i in range(users)))
        finally:
            await api.stop()

    asyncio.run(serve())


@dataclass
class Server:
    conn: Connection
    urls: dict[str, str]

    async def messages(self) -> int:
        self.conn.send("count")
        return int(await asyncio.to_thread(self.conn.recv))


# --- filling the database -------------------------------------------------------------------


def _fill(
    path: Path, people: int, rows: int, *, first_row: int, due: datetime, step_s: float
) -> None:
    """Insert people (once) and rows, in chunks, through SQLAlchemy's executemany."""
    engine = create_sync_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        have: int = conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
        for start in range(have, people, 5000):
            conn.execute(
                insert(Person),
                [
                    {
                        "telegram_id": FIRST_USER + i,
                        "full_name": f"Orang {i}",
                        "locale": "id",
                        "created_at": START,
                    }
                    for i in range(start, min(people, start + 5000))
                ],
            )
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM person ORDER BY id")]
        for start in range(first_row, first_row + rows, 10_000):
            conn.execute(
                insert(OutboxMessage),
                [
                    {
                        "kind": KIND,
                        "recipient_id": ids[i % len(ids)],
                        "dedupe_key": f"r{i}",
                        "payload": {},
                        "due_at": due + timedelta(seconds=(i - first_row) * step_s),
                        "state": OutboxState.PENDING,
                        "attempts": 0,
                        "created_at": START,
                    }
                    for i in range(start, min(first_row + rows, start + 10_000))
                ],
            )
    engine.dispose()


async def _claim_plan(path: Path, clock: FakeClock) -> list[str]:
    """SQLite's plan for the claim statement, as EXPLAIN QUERY PLAN prints it."""
    captured: list[Any] = []

    class Capture:
        async def execute(self, stmt: Any) -> Any:
            captured.append(stmt)
            raise _Captured

    with contextlib.suppress(_Captured):
        await claim_due(Capture(), clock, "w", 200)  # type: ignore[arg-type]  # records the SQL
    sql = str(
        captured[0].compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    )
    with sqlite3.connect(path) as conn:
        return [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


class _Captured(Exception):
    pass


# --- the runs --------------------------------------------------------------------------------


def _app(server: Server, database: Path, clock: FakeClock, rate: float) -> BotApplication:
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.urls["base_url"],
        TELEGRAM_FILE_URL=server.urls["base_file_url"],
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_MAX_SENDS_PER_SECOND=rate,
        BOT_DISPATCH_INTERVAL=3600,
    )
    return build_application(settings, clock=clock)


async def _idle_ticks(app: BotApplication) -> float:
    deps = app.bot_data.deps
    assert deps is not None
    pacer = Pacer(deps.settings.max_sends_per_second)
    times: list[float] = []
    for _ in range(TICKS):
        began = time.perf_counter()
        report = await dispatch_once(deps, app.bot, worker_id="bench", pacer=pacer, kinds=NOTES)
        times.append(time.perf_counter() - began)
        assert report.claimed == 0
    return statistics.median(times) * 1000


async def _dispatch(app: BotApplication) -> tuple[float, int]:
    deps = app.bot_data.deps
    assert deps is not None
    began = time.perf_counter()
    report = await dispatch_once(deps, app.bot, worker_id="bench", kinds=NOTES)
    return time.perf_counter() - began, report.sent


async def _bare(server: Server, n: int) -> float:
    """A bare telegram.Bot sending n messages, 32 at once, no limiter, no database.

    Each call carries what the application's bot sends for a row: the same text, HTML and
    no link preview (its defaults)."""
    bot = Bot(TOKEN, base_url=server.urls["base_url"], request=new_request(256))
    await bot.initialize()
    queue = list(range(n))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await bot.send_message(
                FIRST_USER + i,
                f"Pengingat nomor {i + 1}",
                parse_mode=sending.PARSE_MODE,
                link_preview_options=sending.NO_PREVIEWS,
            )

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(32)))
        return time.perf_counter() - began
    finally:
        await bot.shutdown()


async def _with_app(
    server: Server, database: Path, clock: FakeClock, rate: float, run: Any
) -> Any:
    app = _app(server, database, clock, rate)
    await app.initialize()
    # As the running bot once connected: its start-up work, the heap it built frozen.
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    await app.bot_data.started()
    try:
        return await run(app)
    finally:
        await app.shutdown()
        await app.post_shutdown(app)
        deps = app.bot_data.deps
        assert deps is not None
        await deps.engine.dispose()


async def main(rows: int) -> dict[str, float]:
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-reminders-"))
    small, large = 10 * rows, 50 * rows
    paced = max(30, min(150, rows // 20))
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_server_process, args=(child, rows), daemon=True)
    process.start()
    server = Server(parent, parent.recv())
    clock = FakeClock(START)
    figures: dict[str, float] = {}
    try:
        # 1. idle ticks over many future rows
        idle = folder / "idle.db"
        await migrate.upgrade(f"sqlite+aiosqlite:///{idle}")
        tick_ms: dict[int, float] = {}
        done = 0
        for size in (small, large):
            began = time.perf_counter()
            _fill(idle, 1000, size - done, first_row=done, due=START + timedelta(days=1), step_s=7)
            print(f"planned {size - done:,} rows in {time.perf_counter() - began:.1f} s")
            done = size
            tick_ms[size] = await _with_app(server, idle, clock, REAL_RATE, _idle_ticks)
            print(f"idle tick with {size:>9,} planned rows: median {tick_ms[size]:.2f} ms")
        for line in await _claim_plan(idle, clock):
            print(f"  claim plan: {line}")

        # 2. dispatch many due rows at a raised limit, against a bare Bot
        due = folder / "due.db"
        await migrate.upgrade(f"sqlite+aiosqlite:///{due}")
        _fill(due, rows, rows, first_row=0, due=START - timedelta(minutes=5), step_s=0.01)
        bare_s = await _bare(server, rows)
        before = await server.messages()
        ours_s, sent = await _with_app(server, due, clock, FAST_RATE, _dispatch)
        received = await server.messages() - before
        assert sent == rows == received, (sent, rows, received)
        rate = rows / ours_s
        bare_rate = rows / bare_s
        reachable = min(FAST_RATE, bare_rate)
        print(f"bare Bot    {rows:,} messages in {bare_s:6.2f} s = {bare_rate:7.1f}/s")
        print(
            f"dispatcher  {rows:,} messages in {ours_s:6.2f} s = {rate:7.1f}/s"
            f" (min(limit {FAST_RATE:.0f}/s, bare): ratio {rate / reachable:.3f})"
        )

        # 3. Telegram's real limit: the pace must hold, without bursts beyond it
        real = folder / "real.db"
        await migrate.upgrade(f"sqlite+aiosqlite:///{real}")
        _fill(real, paced, paced, first_row=0, due=START - timedelta(minutes=5), step_s=0.01)
        real_s, real_sent = await _with_app(server, real, clock, REAL_RATE, _dispatch)
        assert real_sent == paced
        real_rate = paced / real_s
        print(
            f"at {REAL_RATE:.0f}/s     {paced} messages in {real_s:6.2f} s = {real_rate:7.1f}/s"
            f" (ratio {real_rate / REAL_RATE:.3f})"
        )
        figures = {
            "tick_ms_100k": round(tick_ms[small], 3),
            "tick_ms_500k": round(tick_ms[large], 3),
            "idle_rows_small": small,
            "idle_rows_large": large,
            "dispatch_rows": rows,
            "dispatch_ratio": round(rate / reachable, 3),
            "dispatch_per_s": round(rate, 1),
            "bare_per_s": round(bare_rate, 1),
            "max_sends_per_second": FAST_RATE,
            "vs_bare": round(bare_s / ours_s, 3),
            "paced_30_ratio": round(real_rate / REAL_RATE, 3),
        }
    finally:
        parent.send("stop")
        process.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    figures = asyncio.run(main(parser.parse_args().rows))
    print(json.dumps(figures))
