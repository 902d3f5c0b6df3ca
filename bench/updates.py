"""How fast the bot answers people, beside two echo bots driven by the same people.

50 simulated people (most of them business owners and agency focal points who joined by
invitation, two coordinators) use the bot as they would on a busy morning: everyone sends
/start; a business owner opens the guidance from the menu, opens the first module and then
the checklist (/cek) and answers its first item; focal points and coordinators open
/tenggat. The local Bot API server and the people run in a child process, as Telegram is
elsewhere in real life, so their work does not slow the bots' event loop.

Three bots take the same updates from the same people, one after another in each round, in
an order that turns every round (a busy neighbour on the machine slows all three alike):

- `echo`: a bare python-telegram-bot echo bot (PTB's own httpx transport), one reply per
  update (a tap: its answer and a new message). What a bot costs that does nothing.
- `echo_fair`: no database and no logic, but for each update exactly the Bot API calls our
  bot made for it (recorded in a first, uncounted run), with the same payloads, through our
  transport and rate limiter. What our bot would cost if its own work were free.
- ours: `build_application()` on a fresh copy of a seeded database (SQLite, or PostgreSQL
  with `--postgres`).
- with `--postgres`, also ours on SQLite (`ours_sqlite`), so that PostgreSQL's cost is a
  ratio within the same rounds too.

All three send under a rate limit raised far above Telegram's 30 messages/s, so the figures
show our own cost. Then `pendamping run` is started as a process: the time from its start
to its first getUpdates (fresh database, migrations included; and with 500 coordinators in
BOT_COORDINATORS), its memory idle and after the same people used it.

    python -m bench.updates [--people 50] [--rounds 5] [--postgres [URL]]

`--postgres` without a URL starts a throwaway cluster as the tests do. The last line is one
JSON object of medians over the rounds: updates_per_s, p95_ms, echo_updates_per_s,
echo_p95_ms, fair_updates_per_s, fair_p95_ms, ratio (ours / echo within a round),
fair_ratio (ours / echo_fair within a round), startup_ms, startup_500_ms, rss_idle_mb,
rss_after_mb, load (the machine's 1-minute load average when the rounds ended); with
`--postgres` also sqlite_updates_per_s and postgres_vs_sqlite (ours on PostgreSQL / ours on
SQLite within a round).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import json
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import text
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.clock import SystemClock
from bot.content import DEFAULT_CONTENT_ROOT, load_content
from bot.inbox import handling
from bot.localapi import LocalBotApi, SentMessage
from bot.runner import start_polling, stop_polling
from bot.services import agencies, deadlines, people
from bot.services.calendar import work_calendar
from bot.services.deadlines.changes import NewDeadline
from bot.settings import Settings, load_settings
from bot.transport import new_request
from db import migrate
from db.models import Business, Role
from db.session import create_engine, create_session_factory

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "777000:BENCH"
FIRST_USER = 500_000
SENDS_PER_SECOND = 2000.0
COORDINATORS = 2
FOCAL_SHARE = 0.3  # of the others; the rest own a business
MANY_COORDINATORS = 500  # the second start-up figure
REPLY_TIMEOUT = 30.0
STARTUP_RUNS = 3
SETTLE_S = 1.0  # after the first getUpdates, before memory is read: post-start work ends

# A step: ("text", what is sent) or ("tap", the callback data prefix of the button pressed
# on the newest bot message that has one). Recorded runs replay taps as ("press", data).
Step = tuple[str, str]
BUSINESS_STEPS: tuple[Step, ...] = (
    ("text", "/start"),
    ("tap", "m:guide"),  # the main menu's guidance entry
    ("tap", "g:"),  # the first module
    ("text", "/cek"),
    ("tap", "ca:"),  # the first answer to the first item
)
AGENCY_STEPS: tuple[Step, ...] = (("text", "/start"), ("text", "/tenggat"))
Script = dict[int, list[Step]]


@dataclass(frozen=True)
class Population:
    coordinators: tuple[int, ...]
    focal_points: tuple[int, ...]
    businesses: tuple[int, ...]

    @classmethod
    def of(cls, size: int) -> Population:
        ids = [FIRST_USER + i for i in range(size)]
        focal = round((size - COORDINATORS) * FOCAL_SHARE)
        return cls(
            tuple(ids[:COORDINATORS]),
            tuple(ids[COORDINATORS : COORDINATORS + focal]),
            tuple(ids[COORDINATORS + focal :]),
        )

    @property
    def everyone(self) -> tuple[int, ...]:
        return self.coordinators + self.focal_points + self.businesses

    def plan(self) -> Script:
        steps = {u: list(AGENCY_STEPS) for u in self.coordinators + self.focal_points}
        return steps | {u: list(BUSINESS_STEPS) for u in self.businesses}


# --- the child: the Bot API server and the people ------------------------------------------


class _BenchApi(LocalBotApi):
    """The local Bot API server, noting when a bot first asks for updates."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN, bot_username="PendampingUMKMBot")
        self.first_poll = asyncio.Event()
        self.first_poll_at = 0.0
        self.app.middlewares.append(self._note_poll)

    @web.middleware
    async def _note_poll(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not self.first_poll.is_set() and request.path.lower().endswith("/getupdates"):
            self.first_poll_at = time.monotonic()  # system-wide: the parent reads it too
            self.first_poll.set()
        return await handler(request)


def _newest_with(api: LocalBotApi, chat_id: int, wanted: Callable[[str], bool]) -> SentMessage:
    for message in reversed(api.chat_messages(chat_id)):
        if any(wanted(b.data) for row in message.buttons for b in row):
            return message
    raise LookupError(f"no bot message in chat {chat_id} has the button")


def _button(api: LocalBotApi, user_id: int, kind: str, value: str) -> tuple[SentMessage, str]:
    """The message and callback data a step presses."""
    if kind == "tap":
        message = _newest_with(api, user_id, lambda data: data.startswith(value))
        data = next(b.data for row in message.buttons for b in row if b.data.startswith(value))
        return message, data
    try:  # a recorded press; echo bots show other buttons: then their newest message
        return _newest_with(api, user_id, lambda data: data == value), value
    except LookupError:
        return api.chat_messages(user_id)[-1], value


async def _person(
    api: LocalBotApi, user_id: int, steps: Sequence[Step], latencies: list[float]
) -> list[Step]:
    """One person's steps, each waiting for the bot's first reaction; the steps as pressed."""
    done: list[Step] = []
    for kind, value in steps:
        mark = api.activity_mark()
        started = time.perf_counter()
        if kind == "text":
            await api.user_sends_text(user_id, value)
        else:
            message, value = _button(api, user_id, kind, value)
            await api.user_presses(user_id, message.message_id, value)
            kind = "press"
        await api.wait_for_bot_message(user_id, timeout=REPLY_TIMEOUT, after_index=mark)
        latencies.append(time.perf_counter() - started)
        done.append((kind, value))
    return done


async def _drive(api: LocalBotApi, script: Script) -> tuple[float, list[float], Script]:
    latencies: list[float] = []
    began = time.perf_counter()
    pressed = await asyncio.gather(*(_person(api, u, s, latencies) for u, s in script.items()))
    return time.perf_counter() - began, latencies, dict(zip(script, pressed, strict=True))


def _server_process(conn: Connection, user_ids: Sequence[int]) -> None:
    async def serve() -> None:
        api = _BenchApi()
        await api.start()
        for user_id in user_ids:
            api.add_chat_user(user_id, f"Orang {user_id - FIRST_USER}")
        conn.send({"base_url": api.base_url, "base_file_url": api.base_file_url})
        try:
            while True:
                command, argument = await asyncio.to_thread(conn.recv)
                if command == "drive":
                    conn.send(await _drive(api, argument))
                elif command == "arm":
                    api.first_poll = asyncio.Event()
                    conn.send(None)
                elif command == "first_poll":
                    await asyncio.wait_for(api.first_poll.wait(), argument)
                    conn.send(api.first_poll_at)
                else:
                    break
        finally:
            await api.stop()

    asyncio.run(serve())


class Child:
    """The parent's handle on the child process."""

    def __init__(self, user_ids: Sequence[int]) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_server_process, args=(child, list(user_ids)), daemon=True
        )
        self._process.start()
        self.urls: dict[str, str] = self._conn.recv()

    async def ask(self, command: str, argument: object = None) -> Any:
        """Send a command and wait for its answer without blocking the event loop."""
        self._conn.send((command, argument))
        await asyncio.to_thread(self._conn.poll, None)
        return self._conn.recv()

    def close(self) -> None:
        self._conn.send(("stop", None))
        self._process.join(timeout=10)


# --- databases -------------------------------------------------------------------------------


async def _seed(url: str, population: Population, coordinators: Sequence[int] = ()) -> None:
    """Agencies with two deadlines each, focal points, businesses, coordinators: all joined."""
    await migrate.upgrade(url)
    engine = create_engine(url)
    clock = SystemClock()
    content = load_content(DEFAULT_CONTENT_ROOT)
    sectors = content.sector_keys
    try:
        async with create_session_factory(engine)() as db, db.begin():
            await agencies.seed_pilot_agencies(db, clock)
            agency_ids = [a.id for a in await agencies.all_agencies(db)]
            for user_id in (*population.coordinators, *coordinators):
                await people.ensure_coordinator(db, clock, user_id, f"Koordinator {user_id}")
            now = clock.now()
            for n, user_id in enumerate(population.focal_points):
                person = await people.register(
                    db, clock, user_id, f"Bapak Focal {n}", [Role.FOCAL], consent_at=now
                )
                await agencies.add_member(db, clock, agency_ids[n % len(agency_ids)], person.id)
            for n, user_id in enumerate(population.businesses):
                name = f"Ibu Usaha {n}"
                person = await people.register(
                    db, clock, user_id, name, [Role.UMKM], consent_at=now
                )
                db.add(
                    Business(
                        name=f"Usaha {n}",
                        sector=sectors[n % len(sectors)],
                        owner_name=name,
                        owner_id=person.id,
                        created_at=now,
                    )
                )
            calendar = work_calendar(load_settings().timezone, content.extra_leave_days)
            for agency_id in agency_ids:
                for days, title in ((10, "Laporan triwulan"), (30, "Dokumen mutu")):
                    new = NewDeadline(title, now + timedelta(days=days), agency_id=agency_id)
                    await deadlines.create(db, clock, calendar, new, created_by_id=None)
    finally:
        await engine.dispose()


class Databases:
    """A seeded template, and a fresh copy of it for every run of our bot."""

    def __init__(self, folder: Path, postgres: str | None) -> None:
        self.folder = folder
        self.postgres = postgres.rstrip("/") if postgres else None
        self.template = ""
        self.template_sqlite = str(folder / "template.db")  # the process runs use SQLite

    async def prepare(self, population: Population) -> None:
        await _seed(f"sqlite+aiosqlite:///{self.template_sqlite}", population)
        if self.postgres is None:
            self.template = self.template_sqlite
            return
        self.template = f"bench_template_{uuid.uuid4().hex[:8]}"
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await _seed(f"{self.postgres}/{self.template}", population)

    @asynccontextmanager
    async def fresh(self, *, sqlite: bool = False) -> AsyncIterator[str]:
        """A new copy of the template: on PostgreSQL if given, unless `sqlite`."""
        if sqlite or self.postgres is None:
            path = Path(tempfile.mkdtemp(dir=self.folder)) / "bench.db"
            shutil.copy(self.template_sqlite, path)
            yield f"sqlite+aiosqlite:///{path}"
            return
        name = f"bench_{uuid.uuid4().hex[:8]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        try:
            yield f"{self.postgres}/{name}"
        finally:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def drop(self) -> None:
        if self.postgres is not None and self.template:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')

    async def _admin(self, statement: str) -> None:
        assert self.postgres is not None
        admin = create_engine(f"{self.postgres}/postgres", isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await admin.dispose()


# --- the bots ----------------------------------------------------------------------------------


@dataclass
class Recorded:
    """The Bot API calls our bot made for one update, and the message its button was on."""

    message_id: int | None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class RecordingRequest(BaseRequest):
    """Our transport, noting each call made while an update is handled."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner
        self.by_update: dict[int, tuple[int, Recorded]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        update = handling()
        if update is not None and update.effective_chat is not None and request_data:
            query = update.callback_query
            source = query.message if query is not None else None
            _, recorded = self.by_update.setdefault(
                update.update_id,
                (update.effective_chat.id, Recorded(source.message_id if source else None)),
            )
            recorded.calls.append((url.rsplit("/", 1)[-1], dict(request_data.parameters)))
        return await self.inner.do_request(url, method, request_data, *args, **kwargs)

    def per_chat(self) -> dict[int, list[Recorded]]:
        """Each chat's updates in the order they came."""
        chats: dict[int, list[Recorded]] = defaultdict(list)
        for _, (chat_id, recorded) in sorted(self.by_update.items()):
            chats[chat_id].append(recorded)
        return dict(chats)


def _settings(
    urls: dict[str, str], database_url: str, folder: Path, coordinators: Sequence[int]
) -> Settings:
    return load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=urls["base_url"],
        TELEGRAM_FILE_URL=urls["base_file_url"],
        DATABASE_URL=database_url,
        BOT_COORDINATORS=",".join(str(c) for c in coordinators),
        BOT_MAX_SENDS_PER_SECOND=SENDS_PER_SECOND,
        BOT_DATA_DIR=str(folder / "data"),
        BOT_DISPATCH_INTERVAL=3600,
    )


async def run_ours(
    child: Child,
    databases: Databases,
    population: Population,
    script: Script,
    request: BaseRequest | None = None,
    *,
    sqlite: bool = False,
) -> Driven:
    async with databases.fresh(sqlite=sqlite) as url:
        settings = _settings(child.urls, url, databases.folder, population.coordinators)
        app = build_application(settings, request=request)
        await start_polling(app)
        try:
            return await _drive_timed(child, script)
        finally:
            await stop_polling(app)


Driven = tuple[float, list[float], Script, float]  # wall s, latencies, steps, CPU s


async def _drive_timed(child: Child, script: Script) -> Driven:
    """The people's run, and the CPU time this process spent meanwhile (all its threads)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall, latencies, pressed = await child.ask("drive", script)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, latencies, pressed, cpu


def _rate_limiter() -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=SENDS_PER_SECOND, max_retries=0)


async def _run_app(app: Any, child: Child, script: Script) -> Driven:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=25)
    try:
        return await _drive_timed(child, script)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def run_echo(child: Child, script: Script) -> Driven:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Echo", callback_data="e")]])

    async def reply(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        assert update.effective_message is not None
        await update.effective_message.reply_text("echo", reply_markup=keyboard)

    async def press(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await context.bot.send_message(query.message.chat.id, "echo", reply_markup=keyboard)

    builder = ApplicationBuilder().token(TOKEN).base_url(child.urls["base_url"])
    app = builder.concurrent_updates(32).rate_limiter(_rate_limiter()).build()
    app.add_handler(MessageHandler(filters.ALL, reply))
    app.add_handler(CallbackQueryHandler(press))
    return await _run_app(app, child, script)


async def run_echo_fair(
    child: Child, script: Script, recorded: dict[int, list[Recorded]]
) -> Driven:
    seen: dict[int, int] = defaultdict(int)

    async def replay(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        assert update.effective_chat is not None
        chat_id = update.effective_chat.id
        turn = recorded[chat_id][seen[chat_id]]
        seen[chat_id] += 1
        query = update.callback_query
        source = query.message if query is not None else None
        for method, params in turn.calls:
            given = dict(params)
            if query is not None and "callback_query_id" in given:
                given["callback_query_id"] = query.id
            if source is not None and given.get("message_id") == turn.message_id:
                given["message_id"] = source.message_id
            answer = Message if method.startswith(("send", "edit")) else None
            await context.bot.do_api_request(method, api_kwargs=given, return_type=answer)

    builder = ApplicationBuilder().token(TOKEN).base_url(child.urls["base_url"])
    builder = builder.request(new_request(256)).get_updates_request(new_request(1))
    app = builder.concurrent_updates(32).rate_limiter(_rate_limiter()).build()
    app.add_handler(TypeHandler(Update, replay))
    return await _run_app(app, child, script)


# --- `pendamping run` as a process -----------------------------------------------------------


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError("no VmRSS")


@asynccontextmanager
async def _process(
    child: Child, folder: Path, database_url: str, coordinators: Sequence[int]
) -> AsyncIterator[tuple[asyncio.subprocess.Process, float]]:
    """`python -m bot run` against the child's server; yields it and ms to its first poll."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": child.urls["base_url"],
        "TELEGRAM_FILE_URL": child.urls["base_file_url"],
        "DATABASE_URL": database_url,
        "BOT_COORDINATORS": ",".join(str(c) for c in coordinators),
        "BOT_MAX_SENDS_PER_SECOND": str(SENDS_PER_SECOND),
        "BOT_DATA_DIR": str(folder / "data"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    workdir = Path(tempfile.mkdtemp(dir=folder))  # no .env of the developer's is read
    await child.ask("arm")
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=workdir, stdout=subprocess.DEVNULL
    )
    try:
        first_poll = await child.ask("first_poll", 60.0)
        yield process, (first_poll - began) * 1000
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def measure_process(
    child: Child, databases: Databases, population: Population, script: Script
) -> dict[str, float]:
    # Start-up from bytecode, as installed (pip compiles what it installs): a checkout
    # run with PYTHONDONTWRITEBYTECODE would compile every changed module on every start.
    for package in ("bot", "db", "handlers"):
        compileall.compile_dir(ROOT / package, quiet=1)
    folder = databases.folder
    fresh: list[float] = []
    for _ in range(STARTUP_RUNS):
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(dir=folder)) / 'fresh.db'}"
        async with _process(child, folder, url, population.coordinators) as (_, ms):
            fresh.append(ms)
    many_ids = [FIRST_USER + 100_000 + i for i in range(MANY_COORDINATORS)]
    many_db = Path(tempfile.mkdtemp(dir=folder)) / "coordinators.db"
    await _seed(f"sqlite+aiosqlite:///{many_db}", Population((), (), ()), many_ids)
    many: list[float] = []
    for _ in range(STARTUP_RUNS):
        async with _process(child, folder, f"sqlite+aiosqlite:///{many_db}", many_ids) as (_, ms):
            many.append(ms)
    seeded = Path(tempfile.mkdtemp(dir=folder)) / "seeded.db"
    shutil.copy(databases.template_sqlite, seeded)
    url = f"sqlite+aiosqlite:///{seeded}"
    async with _process(child, folder, url, population.coordinators) as (process, _):
        await asyncio.sleep(SETTLE_S)
        idle = _rss_mb(process.pid)
        await child.ask("drive", script)
        after = _rss_mb(process.pid)
    return {
        "startup_ms": round(statistics.median(fresh)),
        "startup_500_ms": round(statistics.median(many)),
        "rss_idle_mb": round(idle, 1),
        "rss_after_mb": round(after, 1),
    }


# --- the rounds ---------------------------------------------------------------------------------


def _figures(label: str, result: Driven) -> tuple[float, float, float]:
    """Updates per second, p95 latency (ms) and CPU per update (ms) of one run."""
    wall, latencies, _, cpu = result
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
    rate = len(latencies) / wall
    p50 = statistics.median(ordered) * 1000
    cpu_ms = cpu * 1000 / len(latencies)
    print(
        f"{label:<10} {rate:8.1f} updates/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
        f"CPU {cpu_ms:5.2f} ms/update"
    )
    return rate, p95, cpu_ms


async def main(size: int, rounds: int, postgres: str | None) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    # echo_fair replays our calls by name through do_api_request, which would warn each time.
    warnings.filterwarnings("ignore", message="Please use 'Bot.")
    population = Population.of(size)
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-"))
    child = Child(population.everyone)
    databases = Databases(folder, postgres)
    try:
        await databases.prepare(population)
        recorder = RecordingRequest(new_request(256))
        plan = population.plan()
        _, _, script, _ = await run_ours(child, databases, population, plan, recorder)
        recorded = recorder.per_chat()
        total = sum(len(s) for s in script.values())
        print(f"{size} people, {total} updates per run, {rounds} rounds")
        bots: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("echo", lambda: run_echo(child, script)),
            ("echo_fair", lambda: run_echo_fair(child, script, recorded)),
            ("ours", lambda: run_ours(child, databases, population, script)),
        ]
        if postgres:
            bots.append(
                (
                    "ours_sqlite",
                    lambda: run_ours(child, databases, population, script, sqlite=True),
                )
            )
        results: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for n in range(rounds):
            turned = bots[n % len(bots) :] + bots[: n % len(bots)]
            for label, run in turned:
                results[label].append(_figures(label, await run()))
        load = os.getloadavg()[0]
        process = await measure_process(child, databases, population, script)
    finally:
        child.close()
        await databases.drop()
        shutil.rmtree(folder, ignore_errors=True)

    def median(label: str, index: int) -> float:
        return round(statistics.median(r[index] for r in results[label]), 1)

    def ratio(baseline: str) -> float:
        pairs = zip(results["ours"], results[baseline], strict=True)
        return round(statistics.median(o[0] / b[0] for o, b in pairs), 3)

    return {
        "updates_per_s": median("ours", 0),
        "p95_ms": median("ours", 1),
        "echo_updates_per_s": median("echo", 0),
        "echo_p95_ms": median("echo", 1),
        "fair_updates_per_s": median("echo_fair", 0),
        "fair_p95_ms": median("echo_fair", 1),
        "cpu_ms": median("ours", 2),
        "echo_cpu_ms": median("echo", 2),
        "fair_cpu_ms": median("echo_fair", 2),
        "ratio": ratio("echo"),
        "fair_ratio": ratio("echo_fair"),
        **process,
        **(
            {
                "sqlite_updates_per_s": median("ours_sqlite", 0),
                "postgres_vs_sqlite": ratio("ours_sqlite"),
            }
            if postgres
            else {}
        ),
        "database": "postgresql" if postgres else "sqlite",
        "load": round(load, 2),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three bots")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        metavar="URL",
        help="run our bot on PostgreSQL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432 "
        "(a database is made per run); without a URL a throwaway cluster is started",
    )
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    with contextlib.ExitStack() as stack:
        url = arguments.postgres
        if url == "":
            from tests.support.postgres import pg_bin, throwaway_cluster

            bindir = pg_bin()
            if bindir is None:
                raise SystemExit("no PostgreSQL server binaries here; pass --postgres URL")
            url = stack.enter_context(throwaway_cluster(bindir))
        figures = asyncio.run(main(arguments.people, arguments.rounds, url))
    print(json.dumps(figures))
