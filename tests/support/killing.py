"""A real bot process (`pendamping run`) killed with SIGKILL while it works, and its successor."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.clock import FakeClock, SystemClock
from bot.context import BotApplication
from bot.dispatcher import LEASE
from bot.localapi import LocalBotApi
from bot.settings import load_settings
from db.models import OutboxMessage, OutboxState, Person

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 90  # imports and the first pass on a busy 2-core machine


async def run_and_kill(
    api: LocalBotApi,
    database_url: str,
    folder: Path,
    *,
    rate: float,
    until: Callable[[], bool],
) -> None:
    """Start `pendamping run` at `rate` sends a second; SIGKILL it once `until()` holds."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))},
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "TELEGRAM_FILE_URL": api.base_file_url,
        "DATABASE_URL": database_url,
        "BOT_DATA_DIR": str(folder / "data"),
        "BOT_MAX_SENDS_PER_SECOND": str(rate),
        "PYTHONPATH": str(ROOT),
    }
    with (folder / "first.log").open("wb") as log:
        first = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=folder, stderr=log
        )
        try:
            async with asyncio.timeout(STARTUP_S):
                while not until():
                    assert first.returncode is None, (folder / "first.log").read_text()
                    await api.wait_for_activity(1)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()


def successor(
    api: LocalBotApi, database_url: str, folder: Path, *, rate: float = 30
) -> BotApplication:
    """The next process, started after the dead one's lease ran out (not yet initialized)."""
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        TELEGRAM_FILE_URL=api.base_file_url,
        DATABASE_URL=database_url,
        BOT_DATA_DIR=str(folder / "data"),
        BOT_MAX_SENDS_PER_SECOND=rate,
    )
    return build_application(settings, clock=FakeClock(SystemClock().now() + LEASE + LEASE / 10))


async def row_states(
    sessions: async_sessionmaker[AsyncSession], first_user: int, kind: str | None = None
) -> dict[int, OutboxState]:
    """Each outbox row's state (of `kind`), by its recipient's number counted from first_user."""
    stmt = select(Person.telegram_id, OutboxMessage.state).join(
        Person, Person.id == OutboxMessage.recipient_id
    )
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    async with sessions() as db:
        found = await db.execute(stmt)
    return {telegram_id - first_user: state for telegram_id, state in found.all()}
