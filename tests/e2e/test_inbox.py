"""Every update is a row first: none lost, none handled twice, and no chat holds up the rest."""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import httpx
from sqlalchemy import select
from telegram import Update

from bot.flood import FloodLimits
from bot.services import inbox
from bot.services.inbox import Incoming
from db.models import InboxOutcome, InboxUpdate, Person
from db.session import create_engine, create_session_factory
from tests.support.world import TOKEN, World

SLOW_DOWN = "mengirim pesan lebih cepat"


async def _outcomes(world: World, chat_id: int) -> list[InboxOutcome | None]:
    async with world.sessions() as db:
        rows = await db.scalars(
            select(InboxUpdate.outcome)
            .where(InboxUpdate.chat_id == chat_id)
            .order_by(InboxUpdate.update_id)
        )
        return list(rows.all())


async def test_a_redelivered_update_changes_nothing(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    update = await world.api.user_sends_text(koordinator.user_id, "/start")
    assert await world.done.wait(update["update_id"], 10)
    assert len(koordinator.messages) == 1
    async with world.sessions() as db:
        before = await db.get(InboxUpdate, update["update_id"])
        people_before = (await db.scalars(select(Person.id))).all()
    assert before is not None
    assert before.outcome is InboxOutcome.HANDLED

    # Telegram sends it again (its 200 got lost): the way in of webhooks and of every poll.
    assert world.app is not None
    await world.app.update_queue.put(Update.de_json(update, world.app.bot))
    # The chat's next update runs after anything queued before it in this chat.
    await koordinator.send("/bantuan")
    assert len(koordinator.messages) == 2
    assert "Halo" not in koordinator.last.text
    async with world.sessions() as db:
        after = await db.get(InboxUpdate, update["update_id"])
        assert after is not None
        assert (after.handled_at, after.payload) == (before.handled_at, before.payload)
        assert (await db.scalars(select(Person.id))).all() == people_before


async def test_updates_stored_but_never_handled_are_handled_first_at_start(
    world: World,
) -> None:
    maria, yohanes = world.person("Maria"), world.person("Yohanes")
    await world.stop()
    for person, text in ((maria, "/start"), (yohanes, "/start"), (maria, "/bantuan")):
        await world.api.user_sends_text(person.user_id, text)
    # A bot fetched them, stored them, confirmed them to Telegram, and died.
    async with httpx.AsyncClient(base_url=f"{world.api.base_url}{TOKEN}/") as client:
        fetched: list[dict[str, Any]] = (await client.post("getUpdates")).json()["result"]
        assert len(fetched) == 3
        confirm = {"offset": fetched[-1]["update_id"] + 1, "timeout": 0}
        assert (await client.post("getUpdates", json=confirm)).json()["result"] == []
    engine = create_engine(world.database_url)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            stored = [Incoming(u["update_id"], u["message"]["chat"]["id"], u) for u in fetched]
            assert len(await inbox.store(db, world.clock, stored)) == 3
    finally:
        await engine.dispose()
    assert world.api.pending_updates == []

    await world.start()
    for update in fetched:
        assert await world.done.wait(update["update_id"], 10)
    assert len(maria.messages) == 2  # in the order she sent them
    assert "Selamat datang di Pendamping UMKM" in maria.messages[0].text
    assert "Selamat datang" not in maria.messages[1].text
    assert "Selamat datang di Pendamping UMKM" in yohanes.last.text
    assert await _outcomes(world, maria.user_id) == [InboxOutcome.HANDLED] * 2


async def test_a_flooding_person_is_asked_once_to_slow_down_then_served_after_a_pause(
    world: World,
) -> None:
    world.flood = FloodLimits()  # the limits the bot runs with
    await world.restart()
    ani = world.person("Ani")
    for i in range(world.flood.person):
        reply = await ani.send(f"pesan {i}")
        assert SLOW_DOWN not in reply.text
    told = await ani.send("satu lagi")
    assert SLOW_DOWN in told.text
    answered = len(ani.messages)
    for i in range(5):  # recorded, not processed, and no second notice
        update = await world.api.user_sends_text(ani.user_id, f"lagi {i}")
        assert await world.done.wait(update["update_id"], 10)
    assert len(ani.messages) == answered
    outcomes = await _outcomes(world, ani.user_id)
    assert outcomes[: world.flood.person] == [InboxOutcome.HANDLED] * world.flood.person
    assert outcomes[world.flood.person :] == [InboxOutcome.DROPPED] * 6

    world.clock.advance(seconds=world.flood.window.total_seconds() + 1)
    reply = await ani.send("/bantuan")
    assert "tautan undangan" in reply.text

    # A coordinator has a larger allowance.
    koordinator = world.coordinator()
    for i in range(world.flood.person + 5):
        assert SLOW_DOWN not in (await koordinator.send(f"/bantuan {i}")).text


async def test_a_flood_from_one_chat_does_not_hold_up_everyone_else(world: World) -> None:
    world.flood = FloodLimits()
    await world.restart()
    flooder = world.person("Banjir")
    others = [world.person(f"Orang {i}") for i in range(40)]
    loop = asyncio.get_running_loop()
    flood_ids = [
        (await world.api.user_sends_text(flooder.user_id, f"spam {i}"))["update_id"]
        for i in range(1000)
    ]

    async def first_reply(index: int) -> float:
        await asyncio.sleep(index * 0.05)  # people keep arriving while the flood is handled
        person = others[index]
        sent = loop.time()
        await world.api.user_sends_text(person.user_id, "/start")
        await world.api.wait_for_bot_message(person.user_id, timeout=30)
        return loop.time() - sent

    latencies = await asyncio.gather(*(first_reply(i) for i in range(len(others))))
    assert await world.done.wait(flood_ids[-1], 60)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"\nflood of 1000 from one chat: others' first reply p95 {p95 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, median {statistics.median(latencies) * 1000:.0f} ms"
    )
    assert p95 < 5.0  # the goal is under 1 s; the machine is shared
    notices = [m for m in flooder.messages if SLOW_DOWN in m.text]
    assert len(notices) == 1
    outcomes = await _outcomes(world, flooder.user_id)
    assert outcomes.count(InboxOutcome.DROPPED) == 1000 - world.flood.person


async def test_every_update_ends_marked_even_when_no_handler_commits_it(world: World) -> None:
    maria = world.person("Maria")
    await maria.send("/start")
    await maria.press_data("m:no-such-entry")  # refused: its transaction rolls back
    edit = world.api.user_edits_message(maria.user_id, maria.messages[0].message_id - 1, "x")
    assert await world.done.wait(edit["update_id"], 10)  # edits stop at a guard
    assert await _outcomes(world, maria.user_id) == [
        InboxOutcome.HANDLED,
        InboxOutcome.SKIPPED,
        InboxOutcome.SKIPPED,
    ]
