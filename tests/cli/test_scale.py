"""Scaled out on PostgreSQL: webhook workers in several processes and one dispatcher at a time.

The processes are the real `pendamping webhook --workers 2` and `pendamping dispatch`; the
test posts people's updates to the webhook as Telegram does (at the same moment, some
twice), and the local Bot API server is the Bot API their replies go to.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, TCPConnector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock, SystemClock
from bot.localapi import LocalBotApi
from bot.services import ops
from db.models import DialogueState, InboxUpdate, OutboxMessage, OutboxState, Person, Question
from db.session import create_engine, create_session_factory
from tests.support.business import business_owner
from tests.support.deployment import (
    SECRET,
    Deployment,
    alive,
    messages_at_least,
    text_update,
    until,
)
from tests.support.outbox import HELP_TEXT, plan_help_requests
from tests.support.pendamping_run import free_port

TOKEN = "525252:SCALE-test-token"
PEOPLE = 200
FIRST_USER = 8_400_001
WAIT_S = 90.0  # one person's replies, while 199 others are served on a busy 2-core machine
# People sending at the same moment: more, and this process (people and Bot API server in
# one) answers the bot's sends later than the bot waits, which makes outcomes unknown.
AT_ONCE = 50
SENT_ROWS = f'pendamping_outbox_rows{{state="sent"}} {float(PEOPLE)}'


@pytest.fixture
async def sessions(postgres_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(postgres_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def deployment(postgres_url: str, tmp_path: Path) -> AsyncIterator[Deployment]:
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    running = Deployment(api, postgres_url, tmp_path, free_port())
    try:
        yield running
    finally:
        await running.kill_all()
        await api.stop()


def _reply(text: str) -> bool:
    """A reply to one of the person's own updates (not the request for help sent later)."""
    return HELP_TEXT not in text


async def _person(
    deployment: Deployment, client: ClientSession, n: int, user_id: int, gate: asyncio.Semaphore
) -> list[int]:
    """/tanya (delivered twice at once), then two texts at the same moment; the update ids."""
    async with gate:
        return await _converse(deployment, client, n, user_id)


async def _converse(
    deployment: Deployment, client: ClientSession, n: int, user_id: int
) -> list[int]:
    api = deployment.api
    ask = text_update(FIRST_USER * 10 + 3 * n, user_id, "/tanya")
    statuses = await asyncio.gather(deployment.post(client, ask), deployment.post(client, ask))
    assert list(statuses) == [200, 200]
    await messages_at_least(api, user_id, 1, WAIT_S, _reply)
    first = text_update(ask["update_id"] + 1, user_id, f"Pertanyaan A dari {user_id}")
    second = text_update(ask["update_id"] + 2, user_id, f"Pertanyaan B dari {user_id}")
    statuses = await asyncio.gather(
        deployment.post(client, first), deployment.post(client, second)
    )
    assert list(statuses) == [200, 200]
    await messages_at_least(api, user_id, 3, WAIT_S, _reply)
    return [ask["update_id"], first["update_id"], second["update_id"]]


async def test_two_workers_and_a_dispatcher_serve_200_people_each_update_once(
    deployment: Deployment, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api = deployment.api
    users = [FIRST_USER + n for n in range(PEOPLE)]
    clock = FakeClock(SystemClock().now())
    async with sessions() as db, db.begin():
        for user_id in users:
            api.add_chat_user(user_id, f"Orang {user_id}")
            await business_owner(db, clock, telegram_id=user_id)
    await plan_help_requests(sessions, api, users)
    deployment.settings["BOT_MAX_SENDS_PER_SECOND"] = "100"
    await deployment.webhook_workers(2)
    await deployment.start("dispatch", ["dispatch"])
    await deployment.ready("dispatch", r"dispatcher \S+ ready")

    gate = asyncio.Semaphore(AT_ONCE)
    connector = TCPConnector(limit=2 * AT_ONCE)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=60)) as client:
        started = time.monotonic()
        sent = await asyncio.gather(
            *(_person(deployment, client, n, u, gate) for n, u in enumerate(users))
        )
        took = time.monotonic() - started
        # Without the secret, or with a wrong one: refused, and nothing is stored.
        forged = text_update(1, users[0], "/tanya")
        assert await deployment.post(client, forged, secret=None) == 403
        assert await deployment.post(client, forged, secret=SECRET + "x") == 403
        for user_id in users:
            await messages_at_least(api, user_id, 1, WAIT_S, lambda text: HELP_TEXT in text)
        # What the workers counted and the database holds, summed over both workers.
        expected = (f"pendamping_updates_handled_total {3.0 * PEOPLE}", SENT_ROWS)
        metrics = ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        while not all(line in metrics for line in expected):
            assert loop.time() < deadline, metrics
            await asyncio.sleep(0.1)  # outcomes are recorded in batches, a moment after
            async with client.get(f"{deployment.url}/metrics") as response:
                metrics = await response.text()
        async with client.get(f"{deployment.url}/healthz") as response:
            health = await response.json()
    assert await deployment.stop("dispatch") == 0
    assert await deployment.stop("webhook") == 0  # a clean stop: every update in hand done

    update_ids = [i for ids in sent for i in ids]
    print(f"\n{len(update_ids)} updates (and {PEOPLE} repeated) of {PEOPLE} people: {took:.1f} s")
    async with sessions() as db:
        inbox = dict(
            (await db.execute(select(InboxUpdate.update_id, InboxUpdate.handled_at))).all()
        )
        questions = Counter((await db.scalars(select(Question.asker_id))).all())
        assert None not in questions
        owners = dict((await db.execute(select(Person.id, Person.telegram_id))).all())
        dialogues = await db.scalar(select(func.count()).select_from(DialogueState))
        states = Counter((await db.scalars(select(OutboxMessage.state))).all())
    assert sorted(inbox) == sorted(update_ids)  # the forged update is not among them
    assert all(handled is not None for handled in inbox.values())
    for user_id in users:
        replies = [m.text for m in api.chat_messages(user_id)]
        # /tanya once (not twice), one text taken as the question, the other told apart.
        assert len([t for t in replies if _reply(t)]) == 3, replies
        assert len([t for t in replies if HELP_TEXT in t]) == 1, replies
    # Each dialogue took exactly one step from each state: one question per person, none open.
    assert sorted(owners[asker] for asker in questions if asker is not None) == users
    assert set(questions.values()) == {1}
    assert dialogues == 0
    assert states == {OutboxState.SENT: PEOPLE}
    assert health["ok"] is True, health
    assert "pendamping_update_seconds_bucket" in metrics
    assert "refused: no secret token" in deployment.log("webhook")
    assert "refused: a wrong secret token" in deployment.log("webhook")
    assert api.violations == []


ROWS = 40
RATE = 8  # sends a second: the batch takes five seconds, time enough to kill it midway
SENT_BEFORE_KILL = 4
TAKEOVER_S = 15.0


async def _states(sessions: async_sessionmaker[AsyncSession]) -> dict[int, OutboxState]:
    async with sessions() as db:
        found = await db.execute(
            select(Person.telegram_id, OutboxMessage.state).join(
                Person, Person.id == OutboxMessage.recipient_id
            )
        )
        return dict(found.all())


def _received(api: LocalBotApi, users: list[int]) -> Counter[int]:
    return Counter({u: sum(HELP_TEXT in m.text for m in api.chat_messages(u)) for u in users})


async def test_the_dispatchers_process_killed_another_takes_over_nothing_lost_or_doubled(
    deployment: Deployment, sessions: async_sessionmaker[AsyncSession]
) -> None:
    api = deployment.api
    users = [FIRST_USER + PEOPLE + n for n in range(ROWS)]
    deployment.settings["BOT_MAX_SENDS_PER_SECOND"] = str(RATE)
    await deployment.webhook_workers(2)
    await plan_help_requests(sessions, api, users)
    holder: list[Any] = []

    async def note_holder() -> bool:
        pid = await deployment.dispatcher_pid(sessions)
        holder[:] = [pid]
        return pid is not None and sum(_received(api, users).values()) >= SENT_BEFORE_KILL

    while not await note_holder():
        await api.wait_for_activity(1)
    (first,) = holder
    os.kill(first, signal.SIGKILL)
    killed_at = SystemClock().now()
    await until(lambda: not alive(first), 10, "the dispatcher's process to die")
    before = _received(api, users)

    async def finished() -> bool:
        states = await _states(sessions)
        return all(s in (OutboxState.SENT, OutboxState.UNKNOWN) for s in states.values())

    started = time.monotonic()
    while not await finished():
        assert time.monotonic() - started < 60, await _states(sessions)
        await api.wait_for_activity(1)
    async with sessions() as db:
        beat = await ops.last_beat(db, ops.DISPATCHER)
    assert await deployment.stop("webhook") == 0
    after = _received(api, users)
    states = await _states(sessions)

    assert beat is not None
    assert int(beat.holder.split(":")[1]) != first
    assert (beat.since - killed_at).total_seconds() < TAKEOVER_S
    assert "exited with -9; starting another" in deployment.log("webhook")
    for user_id in users:
        assert after[user_id] <= 1  # never twice
        if states[user_id] is OutboxState.SENT:
            assert after[user_id] == 1
        else:  # a send under way when the process died: maybe delivered, never sent again
            assert after[user_id] == before[user_id]
    assert sum(s is OutboxState.UNKNOWN for s in states.values()) <= 2
    assert sum(before.values()) < ROWS  # the kill came midway: the next holder sent the rest
    assert api.violations == []
