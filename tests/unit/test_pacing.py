"""The Pacer counts a send from its start until one second after its answer."""

from __future__ import annotations

import asyncio
from typing import Any

from bot import limits
from bot.dispatcher.pacing import Pacer

LATENCY_S = 0.3  # how long Telegram takes to answer each call here


async def _send(pacer: Pacer, chat_id: int, started: list[float]) -> None:
    async def call() -> bool:
        started.append(asyncio.get_running_loop().time())
        await asyncio.sleep(LATENCY_S)  # the call on its way, and its answer
        return True

    data: dict[str, Any] = {"chat_id": chat_id}
    await pacer.process_request(call, (), {}, "sendMessage", data, limits.Lane.BACKGROUND)


async def test_a_slow_answer_keeps_its_send_in_the_count() -> None:
    # Telegram counts a message when it arrives, somewhere before its answer: a second of
    # sends is measured from the last answer, so delays on the way cannot squeeze more
    # than the limit into one second there.
    pacer = Pacer(5)  # the outbox may use 4 a second
    loop = asyncio.get_running_loop()
    began = loop.time()
    started: list[float] = []
    await asyncio.gather(*(_send(pacer, chat, started) for chat in range(5)))
    first_four, fifth = sorted(started)[:4], sorted(started)[4]
    assert first_four[-1] - began < 0.1  # the first four went at once
    assert fifth - began >= LATENCY_S + 1.0 - 0.01  # one second after the first answers
