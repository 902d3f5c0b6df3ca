"""A bot process killed in the middle of sending a batch: nothing it never tried is lost.

The first process is the real `pendamping run`, killed with SIGKILL while it works through a
batch it claimed. The next process (here, the real application on a clock past the lease)
sends every row the dead one never tried, once, and never sends again what it had started.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.dispatcher import runner_of
from bot.localapi import LocalBotApi
from db.models import (
    OutboxState,
)
from db.session import create_engine, create_session_factory
from tests.support.killing import row_states, run_and_kill, successor
from tests.support.outbox import HELP_TEXT, plan_help_requests

TOKEN = "616161:KILL-test-token"
ROWS = 24
FIRST_USER = 8_200_001
RATE = 4  # sends a second: the batch takes six seconds, plenty of time to kill it midway
SENT_BEFORE_KILL = 3


def _received(api: LocalBotApi) -> Counter[int]:
    """How many requests for help each coordinator has received."""
    return Counter(
        {
            n: sum(1 for m in api.chat_messages(FIRST_USER + n) if HELP_TEXT in m.text)
            for n in range(ROWS)
        }
    )


async def test_rows_a_killed_process_never_tried_are_sent_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        await plan_help_requests(sessions, api, [FIRST_USER + n for n in range(ROWS)])
        await run_and_kill(
            api,
            database_url,
            tmp_path,
            rate=RATE,
            until=lambda: sum(_received(api).values()) >= SENT_BEFORE_KILL,
        )
        before = _received(api)
        held = await row_states(sessions, FIRST_USER)
        # The dead process held its batch: a few sends started, most rows never tried.
        untried = [n for n, state in held.items() if state is OutboxState.CLAIMED]
        assert len(untried) >= ROWS // 2
        assert all(before[n] == 0 for n in untried)
        assert OutboxState.PENDING not in held.values()

        # The next process starts after the lease has run out.
        app = successor(api, database_url, tmp_path)
        async with app:
            report = await runner_of(app.bot_data.require()).run_pass()
        after = _received(api)
        final = await row_states(sessions, FIRST_USER)
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
