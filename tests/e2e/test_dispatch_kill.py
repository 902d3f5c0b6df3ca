"""A bot process killed in the middle of sending a batch: nothing it never tried is lost.

The first process is the real `pendamping run`, killed with SIGKILL while it works through a
batch it claimed. The next process (here, the real application on a clock past the lease)
sends every row the dead one never tried, once, and never sends again what it had started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.clock import FakeClock, SystemClock
from bot.dispatcher import LEASE, runner_of
from bot.localapi import LocalBotApi
from bot.settings import load_settings
from db.models import (
    OutboxMessage,
    OutboxState,
    Person,
)
from db.session import create_engine, create_session_factory
from tests.support.outbox import HELP_TEXT, plan_help_requests

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "616161:KILL-test-token"
ROWS = 24
FIRST_USER = 8_200_001
RATE = 4  # sends a second: the batch takes six seconds, plenty of time to kill it midway
SENT_BEFORE_KILL = 3
STARTUP_S = 90  # imports and the first pass on a busy 2-core machine


def _received(api: LocalBotApi) -> Counter[int]:
    """How many requests for help each coordinator has received."""
    return Counter(
        {
            n: sum(1 for m in api.chat_messages(FIRST_USER + n) if HELP_TEXT in m.text)
            for n in range(ROWS)
        }
    )


async def _states(sessions: async_sessionmaker[AsyncSession]) -> dict[int, OutboxState]:
    """Each row's state, by its recipient's number."""
    async with sessions() as db:
        found = await db.execute(
            select(Person.telegram_id, OutboxMessage.state).join(
                Person, Person.id == OutboxMessage.recipient_id
            )
        )
        return {telegram_id - FIRST_USER: state for telegram_id, state in found.all()}


async def test_rows_a_killed_process_never_tried_are_sent_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        await plan_help_requests(sessions, api, [FIRST_USER + n for n in range(ROWS)])
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.base_url,
            "TELEGRAM_FILE_URL": api.base_file_url,
            "DATABASE_URL": database_url,
            "BOT_DATA_DIR": str(tmp_path / "data"),
            "BOT_MAX_SENDS_PER_SECOND": str(RATE),
            "PYTHONPATH": str(ROOT),
        }
        with (tmp_path / "first.log").open("wb") as log:
            first = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=log
            )
            try:
                async with asyncio.timeout(STARTUP_S):
                    while sum(_received(api).values()) < SENT_BEFORE_KILL:
                        assert first.returncode is None, (tmp_path / "first.log").read_text()
                        await api.wait_for_activity(1)
            finally:
                first.send_signal(signal.SIGKILL)
                await first.wait()
        before = _received(api)
        held = await _states(sessions)
        # The dead process held its batch: a few sends started, most rows never tried.
        untried = [n for n, state in held.items() if state is OutboxState.CLAIMED]
        assert len(untried) >= ROWS // 2
        assert all(before[n] == 0 for n in untried)
        assert OutboxState.PENDING not in held.values()

        # The next process starts after the lease has run out.
        later = FakeClock(SystemClock().now() + LEASE + LEASE / 10)
        settings = load_settings(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api.base_url,
            TELEGRAM_FILE_URL=api.base_file_url,
            DATABASE_URL=database_url,
            BOT_DATA_DIR=str(tmp_path / "data"),
        )
        app = build_application(settings, clock=later)
        async with app:
            report = await runner_of(app.bot_data.require()).run_pass()
        after = _received(api)
        final = await _states(sessions)
    finally:
        await engine.dispose()
        await api.stop()

    assert (report.released, report.sent) == (len(untried), len(untried))
    assert all(after[n] == 1 and final[n] is OutboxState.SENT for n in untried)  # once
    for n in set(range(ROWS)) - set(untried):  # a send had started: never again
        assert after[n] == before[n] <= 1
        assert final[n] in (OutboxState.SENT, OutboxState.UNKNOWN)
    # Only a send under way when the process died has no recorded outcome.
    assert sum(1 for n in range(ROWS) if final[n] is OutboxState.UNKNOWN) <= 2
    assert api.violations == []
