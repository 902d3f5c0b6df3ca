"""How fast the bot answers people, against a bare python-telegram-bot echo bot.

50 simulated people each send /start and press one button, on the local Bot API server,
first to an echo bot that does no work at all, then to the real bot (SQLite, the full
handler wrapper), both in this process against the same server. The server and the
simulated people run in a child process, as Telegram is elsewhere in real life, so its work
does not slow this process's event loop. Both bots have the same rate limiter, raised far
above Telegram's 30 messages/s so the figures show our own cost.

    python -m bench.updates [--users 50] [--rounds 3]

Each round runs the echo bot, then ours on a fresh database. The last line is one JSON
object of medians over the rounds: updates_per_s, p95_ms, echo_updates_per_s, echo_p95_ms,
ratio (ours / echo throughput within a round; the goal is at least 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import text
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
)

from bot.app import build_application
from bot.localapi import LocalBotApi
from bot.runner import start_polling, stop_polling
from bot.settings import load_settings
from db import migrate
from db.session import create_engine

TOKEN = "777000:BENCH"
FIRST_USER = 500_000
SENDS_PER_SECOND = 2000.0


async def _drive(api: LocalBotApi, users: int, button: str) -> tuple[float, list[float]]:
    """Every user sends /start, then presses `button`; returns wall time and latencies."""
    latencies: list[float] = []

    async def person(user_id: int) -> None:
        mark = api.activity_mark()
        started = time.perf_counter()
        await api.user_sends_text(user_id, "/start")
        menu = await api.wait_for_bot_message(user_id, timeout=30, after_index=mark)
        latencies.append(time.perf_counter() - started)
        data = next(b.data for row in menu.buttons for b in row if b.text == button)
        assert data is not None
        mark = api.activity_mark()
        started = time.perf_counter()
        await api.user_presses(user_id, menu.message_id, data)
        await api.wait_for_bot_message(user_id, timeout=30, after_index=mark)
        latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(person(FIRST_USER + i) for i in range(users)))
    return time.perf_counter() - began, latencies


def _figures(wall: float, latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return len(latencies) / wall, statistics.median(ordered) * 1000, p95 * 1000


@asynccontextmanager
async def _fresh_database(folder: Path, postgres: str | None) -> AsyncIterator[str]:
    """A new, migrated database for one run: every run registers all its people again."""
    if postgres is None:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(dir=folder)) / 'bench.db'}"
        await migrate.upgrade(url)
        yield url
        return
    name = f"pendamping_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = postgres.rstrip("/") + "/" + name
        await migrate.upgrade(url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _ours(urls: dict[str, Any], users: int, folder: Path, postgres: str | None) -> None:
    async with _fresh_database(folder, postgres) as url:
        await _run_ours(urls, users, folder, url)


async def _run_ours(urls: dict[str, Any], users: int, folder: Path, url: str) -> None:
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=urls["base_url"],
        TELEGRAM_FILE_URL=urls["base_file_url"],
        DATABASE_URL=url,
        BOT_COORDINATORS=",".join(str(FIRST_USER + i) for i in range(users)),
        BOT_MAX_SENDS_PER_SECOND=SENDS_PER_SECOND,
        BOT_DATA_DIR=str(folder / "data"),
        BOT_DISPATCH_INTERVAL=3600,
    )
    app = build_application(settings)
    await start_polling(app)
    try:
        await _remote_drive(urls["conn"], "Bantuan")
    finally:
        await stop_polling(app)


async def _echo(urls: dict[str, Any]) -> None:
    async def start(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "echo",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Echo", callback_data="e")]]),
        )

    async def press(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await context.bot.send_message(query.message.chat.id, "echo")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(urls["base_url"])
        .base_file_url(urls["base_file_url"])
        .concurrent_updates(32)
        .rate_limiter(AIORateLimiter(overall_max_rate=SENDS_PER_SECOND, max_retries=0))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=25)
    try:
        await _remote_drive(urls["conn"], "Echo")
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def _remote_drive(conn: Connection, button: str) -> None:
    """Ask the child to run the people, and wait for it without blocking the event loop."""
    conn.send(("drive", button))
    await asyncio.to_thread(conn.poll, None)


def _server_process(conn: Connection, users: int) -> None:
    """The child: the local Bot API server and the simulated people."""

    async def serve() -> None:
        api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
        await api.start()
        for i in range(users):
            api.add_chat_user(FIRST_USER + i, f"Orang {i}")
        conn.send({"base_url": api.base_url, "base_file_url": api.base_file_url})
        try:
            while True:
                command, button = await asyncio.to_thread(conn.recv)
                if command != "drive":
                    break
                conn.send(await _drive(api, users, button))
        finally:
            await api.stop()

    asyncio.run(serve())


async def _timed(
    label: str, conn: Connection, run: Callable[[], Awaitable[None]]
) -> tuple[float, float, float]:
    await run()
    wall, latencies = conn.recv()
    rate, p50, p95 = _figures(wall, latencies)
    print(f"{label:<10} {rate:8.1f} updates/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    return rate, p50, p95


async def main(users: int, rounds: int = 3, postgres: str | None = None) -> dict[str, float]:
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-"))
    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_server_process, args=(child, users), daemon=True
    )
    server.start()
    urls: dict[str, Any] = {**parent.recv(), "conn": parent}
    echo: list[tuple[float, float, float]] = []
    ours: list[tuple[float, float, float]] = []
    try:
        print(f"{users} people, /start then one button each ({2 * users} updates per run)")
        # Rounds alternate the two bots, so a busy neighbour on the machine slows both alike.
        for _ in range(rounds):
            echo.append(await _timed("echo bot", parent, lambda: _echo(urls)))
            ours.append(
                await _timed("our bot", parent, lambda: _ours(urls, users, folder, postgres))
            )
    finally:
        parent.send(("stop", ""))
        server.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "updates_per_s": round(statistics.median(r for r, _, _ in ours), 1),
        "p95_ms": round(statistics.median(p for _, _, p in ours), 1),
        "echo_updates_per_s": round(statistics.median(r for r, _, _ in echo), 1),
        "echo_p95_ms": round(statistics.median(p for _, _, p in echo), 1),
        "ratio": round(statistics.median(o[0] / e[0] for o, e in zip(ours, echo, strict=True)), 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="echo/ours pairs; medians")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run our bot on PostgreSQL instead of SQLite, e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1:5432 (a database is made per run)",
    )
    arguments = parser.parse_args()
    figures = asyncio.run(main(arguments.users, arguments.rounds, arguments.postgres))
    print(json.dumps(figures))
