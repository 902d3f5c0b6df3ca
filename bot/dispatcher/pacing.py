"""One limiter for every message the bot sends: replies first, the outbox in what is left.

Telegram allows about 30 messages a second overall (1,000 with allow_paid_broadcast) and one a
second to one chat; a 429 names how long everyone must wait. The `Pacer` is the bot's rate
limiter (python-telegram-bot's `BaseRateLimiter`), so replies to people and the outbox's sends
pass through one count:

- a reply (any call made outside the dispatcher) goes at once; it waits only if the last
  second already holds the full rate;
- an outbox send (`limits.Lane.BACKGROUND` or `PAID`, set by the dispatcher around its send)
  waits for a slot: evenly spaced at a little under the rate, one chat at most every
  `per_chat_gap`, and never while the last second holds `background_budget` sends. A reply
  therefore always finds room, and the outbox gives way to it;
- a 429 anywhere pauses every outbox send for its retry_after. A reply is not held by it:
  it has its own short, bounded retry (handlers/base.py), and a person waiting for an
  answer should not wait a minute because another chat was refused.

The dispatcher takes its slot (`slot`) before it marks a row `sending`, so a process killed
while waiting leaves the row untried; the count is checked again right at the send.
Times are the event loop's monotonic clock: pacing is about real seconds, not "now".
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

from bot import limits
from bot.limits import Lane

# Telegram: about one message a second to one chat.
PER_CHAT_GAP_S = 1.0
# The window Telegram's rates are counted in.
WINDOW_S = 1.0
# With allow_paid_broadcast: up to 1,000 messages a second.
PAID_RATE = float(FloodLimit.PAID_MESSAGES_PER_SECOND)
# How often a send waiting only for calls in flight looks again.
IN_FLIGHT_POLL_S = 0.005
# The share of the rate the outbox may use; the rest is kept for replies to people.
BACKGROUND_SHARE = 0.97


def background_budget(rate: float) -> int:
    """Outbox sends allowed in one window at `rate` a second (at least one)."""
    return max(1, math.floor(rate * WINDOW_S * BACKGROUND_SHARE))


class _Window:
    """The sends of the last `WINDOW_S` seconds, each counted until its answer came.

    Telegram counts a message when it arrives, somewhere between our start of the call and
    its answer; a busy event loop (ours or the server's) moves that moment. Counting a send
    from its start (in flight) until one window after its answer keeps any second at
    Telegram within the limit, however the calls were delayed on the way.
    """

    def __init__(self) -> None:
        self.done: deque[float] = deque()  # when answered, oldest first
        self.in_flight = 0

    def wait(self, now: float, limit: int) -> float:
        """Seconds until a send fits under `limit` (0: now; a short poll while only sends
        still in flight stand in the way)."""
        done = self.done
        while done and done[0] <= now - WINDOW_S:
            done.popleft()
        excess = len(done) + self.in_flight - limit
        if excess < 0:
            return 0.0
        if excess < len(done):
            return done[excess] + WINDOW_S - now
        return IN_FLIGHT_POLL_S

    def start(self) -> None:
        self.in_flight += 1

    def answered(self, now: float) -> None:
        self.in_flight -= 1
        self.done.append(now)


class Pacer(BaseRateLimiter[Lane]):
    """Spaces the outbox's sends and counts every send; replies to people go first."""

    def __init__(
        self,
        rate: float,
        per_chat_gap: float = PER_CHAT_GAP_S,
        *,
        paid_rate: float = PAID_RATE,
    ) -> None:
        self.rate = rate
        self.paid_rate = paid_rate
        self.per_chat_gap = per_chat_gap
        self.budget = background_budget(rate)
        self.paid_budget = background_budget(paid_rate)
        self._full = max(1, math.floor(rate * WINDOW_S))
        self._paid_full = max(1, math.floor(paid_rate * WINDOW_S))
        self._interval = {False: 1.0 / (rate * BACKGROUND_SHARE), True: 1.0 / self.paid_budget}
        self._next = {False: 0.0, True: 0.0}
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._free = _Window()  # sends that count against the free rate
        self._all = _Window()  # every send, paid ones too

    @property
    def interval(self) -> float:
        """Seconds between two outbox sends at the free rate."""
        return self._interval[False]

    def seconds_for(self, messages: int, *, paid: bool = False) -> float:
        """How long the outbox needs for `messages` sends to different people, at best."""
        per_second = self.paid_budget if paid else self.rate * BACKGROUND_SHARE
        return messages / per_second

    def pause(self, seconds: float) -> None:
        """Telegram's flood limit is global: nobody sends for `seconds`."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)

    async def slot(self, chat_id: int, *, paid: bool = False) -> None:
        """An outbox send's turn: this chat's gap, an evenly spaced slot, no pause."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = max(self._chat_next.get(chat_id, 0.0), self._paused_until) - now
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            moment = max(now, self._next[paid])
            self._next[paid] = moment + self._interval[paid]
            self._chat_next[chat_id] = moment + self.per_chat_gap
            if moment > now:
                await asyncio.sleep(moment - now)
            if self._paused_until <= loop.time():
                break
        if len(self._chat_next) > 10_000:
            now = loop.time()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}

    async def _admit(self, lane: Lane | None) -> list[_Window]:
        """Wait until this send fits the counts of the last second, then count it in
        flight; the windows it counts in (`_answered` closes it there)."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if lane is Lane.PAID:
                wait = self._all.wait(now, self.paid_budget)
            else:
                free_limit = self.budget if lane is Lane.BACKGROUND else self._full
                wait = max(self._free.wait(now, free_limit), self._all.wait(now, self._paid_full))
            if lane is not None:  # the outbox honours a flood pause; replies go on
                wait = max(wait, self._paused_until - now)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        windows = [self._all] if lane is Lane.PAID else [self._free, self._all]
        for window in windows:
            window.start()
        return windows

    @staticmethod
    def _answered(windows: list[_Window]) -> None:
        now = asyncio.get_running_loop().time()
        for window in windows:
            window.answered(now)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Count a call that sends to a chat (after the pause and the counts allow it)."""
        windows: list[_Window] = []
        if data.get("chat_id") is not None:
            lane = rate_limit_args or limits.SENDING_LANE.get()
            windows = await self._admit(lane)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            wait = limits.retry_after_seconds(exc)
            if wait is not None:
                self.pause(wait)
            raise
        finally:
            self._answered(windows)


def pacer_of(bot: Bot, rate: float) -> Pacer:
    """The bot's own limiter when it is a Pacer (the application's is), else a new one."""
    found = bot.rate_limiter if isinstance(bot, ExtBot) else None
    return found if isinstance(found, Pacer) else Pacer(rate)
