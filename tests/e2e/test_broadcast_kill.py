"""A bot process killed (SIGKILL) in the middle of a broadcast to 500 people, then restarted.

The first process is the real `pendamping run`, sending the broadcast's rows; it is killed
once some dozens have arrived. The next process (the real application, on a clock past the
lease) finishes the broadcast. Nobody gets the message twice, nobody is left out, and the
only rows without a certain outcome are the sends in flight at the kill, recorded `unknown`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.dispatcher import runner_of
from bot.dispatcher.passes import MAX_CONCURRENT_SENDS
from bot.localapi import LocalBotApi
from bot.services import broadcasts, people
from bot.services.broadcasts import Content, Target
from db.models import Audience, OutboxState, Role
from db.session import create_engine, create_session_factory
from tests.support.killing import row_states, run_and_kill, successor

TOKEN = "616162:KILL-broadcast-token"
PEOPLE = 500
FIRST_USER = 8_300_001
COORDINATOR = 8_299_999
RATE = 25  # sends a second: the broadcast takes 20 s, the kill comes after about 2 s
SENT_BEFORE_KILL = 40
TEXT = "Pelatihan label kemasan hari Kamis pukul 10.00 di aula Dekranasda."


async def _plan(sessions: async_sessionmaker[AsyncSession], api: LocalBotApi) -> int:
    """PEOPLE business owners who agreed, and a broadcast to them all, due now."""
    clock = SystemClock()
    async with sessions() as db, db.begin():
        api.add_chat_user(COORDINATOR, "Yuliana")
        coordinator = await people.register(db, clock, COORDINATOR, "Yuliana", [Role.COORDINATOR])
        for n in range(PEOPLE):
            api.add_chat_user(FIRST_USER + n, f"Pemilik {n}")
            owner = await people.register(db, clock, FIRST_USER + n, f"Pemilik {n}", [Role.UMKM])
            owner.consent_at = clock.now()
        draft = await broadcasts.create_draft(
            db, clock, coordinator.id, Content(TEXT, None, None, paid=False)
        )
        await broadcasts.set_target(db, draft.id, Target(Audience.BUSINESSES))
        view = await broadcasts.send_now(db, clock, draft.id, coordinator.id, (COORDINATOR, None))
        assert view.recipients == PEOPLE
        return draft.id


def _received(api: LocalBotApi) -> Counter[int]:
    """How many times each owner got the broadcast."""
    return Counter(
        {
            n: sum(1 for m in api.chat_messages(FIRST_USER + n) if m.text == TEXT)
            for n in range(PEOPLE)
        }
    )


async def test_a_broadcast_killed_midway_reaches_everyone_once_after_restart(
    database_url: str, tmp_path: Path
) -> None:
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        broadcast_id = await _plan(sessions, api)
        await run_and_kill(
            api,
            database_url,
            tmp_path,
            rate=RATE,
            until=lambda: sum(_received(api).values()) >= SENT_BEFORE_KILL,
        )
        before = _received(api)
        held = await row_states(sessions, FIRST_USER, broadcasts.KIND)
        untried = {n for n, s in held.items() if s in (OutboxState.PENDING, OutboxState.CLAIMED)}
        in_flight = {n for n, s in held.items() if s is OutboxState.SENDING}
        assert len(untried) >= PEOPLE // 2  # killed midway
        assert all(before[n] == 0 for n in untried)

        # The next process starts after the lease has run out, and finishes the broadcast.
        app = successor(api, database_url, tmp_path, rate=1000)  # the pace is not under test
        async with app:
            report = await runner_of(app.bot_data.require()).run_pass()
            async with sessions() as db:
                counts = await broadcasts.counts(db, broadcast_id)
        after = _received(api)
        final = await row_states(sessions, FIRST_USER, broadcasts.KIND)
    finally:
        await engine.dispose()
        await api.stop()

    assert len(final) == PEOPLE
    assert max(after.values()) == 1  # nobody twice
    assert all(after[n] == 1 and final[n] is OutboxState.SENT for n in untried)  # none lost
    assert report.sent == len(untried)
    # A row without a certain outcome is one whose send had started when the process died:
    # recorded as `unknown`, never sent again.
    unknown = {n for n, state in final.items() if state is OutboxState.UNKNOWN}
    assert unknown == in_flight and len(unknown) <= MAX_CONCURRENT_SENDS
    assert all(after[n] == before[n] for n in unknown)
    assert all(final[n] is OutboxState.SENT and after[n] == 1 for n in set(final) - unknown)
    assert counts.remaining == 0 and counts.sent + counts.unknown == PEOPLE
    assert api.violations == []
