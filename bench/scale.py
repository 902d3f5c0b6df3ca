"""How the bot scales out on PostgreSQL: 1, 2 and 4 webhook workers, and the idle dispatcher.

1. Throughput: `pendamping webhook --workers N` (real processes) on a fresh PostgreSQL
   database, N = 1, 2, 4. `--users` business owners each go `--rounds` times through a
   two-step dialogue (`/tanya`, then the question: a dialogue row read and written under
   the person's lock, a question stored, the reply sent), posting each update to the
   webhook as Telegram does and waiting for the reply before the next, all people at once.
   The local Bot API server and the people run in this process; the workers send their
   replies to it. Figures: updates/s per N, and as ratios of one worker.
2. Idle dispatcher tick: 500,000 reminders planned for the future and nothing due; the
   median of 50 passes of the real dispatcher (take or keep the lead and beat the
   heartbeat, expire leases, claim), in ms.

    python -m bench.scale [--users 100] [--rounds 3] [--postgres URL]

Without `--postgres` a throwaway cluster is started from the installed server binaries.
The last line is one JSON object: workers_1, workers_2, workers_4, ratio_2, ratio_4,
tick_ms_500k.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, TCPConnector
from sqlalchemy import text

from bot.app import build_application
from bot.clock import FakeClock, SystemClock
from bot.dispatcher import runner_of
from bot.localapi import LocalBotApi
from bot.settings import load_settings
from db import migrate
from db.session import create_engine, create_session_factory
from tests.support.business import business_owner
from tests.support.deployment import Deployment, messages_at_least, text_update
from tests.support.pendamping_run import free_port
from tests.support.postgres import pg_bin, throwaway_cluster

TOKEN = "777002:BENCH-SCALE"
FIRST_USER = 3_000_000
WORKERS = (1, 2, 4)
IDLE_ROWS = 500_000
TICKS = 50
REPLY_WAIT_S = 120.0


@contextmanager
def _cluster(given: str | None) -> Iterator[str]:
    if given:
        yield given.rstrip("/") + "/"
        return
    bindir = pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries are missing: `make postgres-binaries`")
    with throwaway_cluster(bindir) as base:
        yield base


async def _admin(base: str, statement: str) -> None:
    engine = create_engine(base + "postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def _database(base: str, template: str) -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield base + name
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _people(url: str, api: LocalBotApi, users: list[int]) -> None:
    engine = create_engine(url)
    try:
        clock = FakeClock(SystemClock().now())
        async with create_session_factory(engine)() as db, db.begin():
            for user_id in users:
                api.add_chat_user(user_id, f"Pemilik {user_id}")
                await business_owner(db, clock, telegram_id=user_id)
    finally:
        await engine.dispose()


async def _converse(
    deployment: Deployment, client: ClientSession, user_id: int, rounds: int
) -> None:
    api = deployment.api
    for n in range(rounds):
        for step, words in enumerate(("/tanya", f"Pertanyaan {n} dari {user_id}")):
            update = text_update(user_id * 100 + 2 * n + step, user_id, words)
            assert await deployment.post(client, update) == 200
            await messages_at_least(api, user_id, 2 * n + step + 1, REPLY_WAIT_S, bool)


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process, and of the worker processes that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, ended.ru_utime + ended.ru_stime


async def _throughput(base: str, template: str, workers: int, users: int, rounds: int) -> float:
    """Updates per second that `workers` webhook workers handle (and where the CPU went)."""
    people = [FIRST_USER + n for n in range(users)]
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-"))
    try:
        async with _database(base, template) as url:
            await _people(url, api, people)
            deployment = Deployment(api, url, folder, free_port())
            deployment.settings.update(
                {"BOT_MAX_SENDS_PER_SECOND": "2000", "WEBHOOK_MAX_CONNECTIONS": "100"}
            )
            try:
                await deployment.webhook_workers(workers)
                connector = TCPConnector(limit=users)
                timeout = ClientTimeout(total=REPLY_WAIT_S)
                async with ClientSession(connector=connector, timeout=timeout) as client:
                    own_before, _ = _cpu()
                    started = time.perf_counter()
                    await asyncio.gather(
                        *(_converse(deployment, client, u, rounds) for u in people)
                    )
                    wall = time.perf_counter() - started
                    own = _cpu()[0] - own_before
                _, workers_before = _cpu()
                assert await deployment.stop("webhook") == 0, deployment.log("webhook")
                print(
                    f"  {wall:.1f} s wall; CPU: this process (people, Bot API server) "
                    f"{own:.1f} s, the workers {_cpu()[1] - workers_before:.1f} s "
                    "(start-up included)",
                    flush=True,
                )
            finally:
                await deployment.kill_all()
    finally:
        await api.stop()
    return users * rounds * 2 / wall


async def _idle_tick(base: str, template: str) -> float:
    """Median ms of a dispatcher pass over IDLE_ROWS future reminders, none due."""
    async with _database(base, template) as url:
        api = LocalBotApi(token=TOKEN)
        await _people(url, api, [FIRST_USER])
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO outbox_message (kind, recipient_id, dedupe_key, payload,"
                        " due_at, state, attempts, late, created_at)"
                        " SELECT 'help', (SELECT min(id) FROM person), 'r' || g, '{}',"
                        " now() + interval '30 days' + g * interval '1 second', 'pending',"
                        " 0, false, now() FROM generate_series(1, :rows) AS g"
                    ),
                    {"rows": IDLE_ROWS},
                )
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE outbox_message"))
        finally:
            await engine.dispose()
        settings = load_settings(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url)
        app = build_application(settings)
        runner = runner_of(app.bot_data.require())
        try:
            await runner.run_pass()  # takes the lead (a first connection, the listener)
            times = []
            for _ in range(TICKS):
                started = time.perf_counter()
                report = await runner.run_pass()
                times.append((time.perf_counter() - started) * 1000)
                assert report.claimed == 0
        finally:
            await runner.leadership.close()
            await app.bot_data.require().engine.dispose()
        return statistics.median(times)


async def main(users: int, rounds: int, postgres: str | None) -> dict[str, float]:
    logging.basicConfig(level=logging.WARNING)
    with _cluster(postgres) as base:
        template = f"bench_template_{uuid.uuid4().hex[:8]}"
        await _admin(base, f'CREATE DATABASE "{template}"')
        try:
            await asyncio.to_thread(migrate.upgrade_sync, base + template)
            per_s = {}
            for workers in WORKERS:
                per_s[workers] = await _throughput(base, template, workers, users, rounds)
                print(f"{workers} webhook worker(s): {per_s[workers]:.1f} updates/s", flush=True)
            tick = await _idle_tick(base, template)
            print(f"idle dispatcher tick, {IDLE_ROWS:,} planned reminders: {tick:.1f} ms")
        finally:
            await _admin(base, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    return {
        "workers_1": round(per_s[1], 1),
        "workers_2": round(per_s[2], 1),
        "workers_4": round(per_s[4], 1),
        "ratio_2": round(per_s[2] / per_s[1], 2),
        "ratio_4": round(per_s[4] / per_s[1], 2),
        "tick_ms_500k": round(tick, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres",
        help="postgresql+asyncpg://postgres@127.0.0.1:5432 (databases are made per run)",
    )
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.users, arguments.rounds, arguments.postgres))))
