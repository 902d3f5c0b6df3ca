"""Replies to a person reach them through a flood limit or a passing server error."""

from __future__ import annotations

import logging

import pytest

from tests.support.world import World


async def test_invitation_link_waits_out_a_flood_limit(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/undang")
    await koordinator.press("Koordinator")
    await koordinator.expect("nama")
    await koordinator.send("Ani")
    await koordinator.expect("Bagaimana bot menyapa")
    await koordinator.press("Ibu")
    await koordinator.expect("periksa undangan")
    flood = world.api.faults.add(
        method="editMessageText", kind="429", retry_after=1, chat_id=koordinator.user_id
    )

    made = await koordinator.press("Buat tautan")

    assert flood in world.api.faults.fired
    assert "https://t.me/PendampingUMKMBot?start=" in made.text


async def test_reply_survives_two_server_errors(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    world.api.faults.add(method="sendMessage", kind="500", count=2, chat_id=koordinator.user_id)

    welcome = await koordinator.send("/start")

    assert len(world.api.faults.fired) == 2
    assert welcome.text
    assert [m.text for m in koordinator.messages] == [welcome.text]  # once


async def test_reply_lost_beyond_the_bound_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    koordinator = world.coordinator("Yuliana")
    world.api.faults.add(
        method="sendMessage", kind="429", retry_after=60, chat_id=koordinator.user_id
    )
    with caplog.at_level(logging.WARNING, logger="handlers.base"):
        await world.api.user_sends_text(koordinator.user_id, "/bantuan")
        # One chat's updates run in order: once this is answered, the first one is done.
        answered = await koordinator.send("/start")

    assert [m.text for m in koordinator.messages] == [answered.text]
    lost = [r for r in caplog.records if "not delivered" in r.getMessage()]
    assert len(lost) == 1
    assert "retry" in lost[0].getMessage()
