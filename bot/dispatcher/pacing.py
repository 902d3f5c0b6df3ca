"""The dispatcher's pace: evenly spaced sends overall, one a second to one person."""

from __future__ import annotations

import asyncio

# Telegram: about one message a second to one chat.
PER_CHAT_GAP_S = 1.0


class Pacer:
    """Spaces sends evenly at `rate` a second, one chat at most every `per_chat_gap` s.

    There is no burst allowance: slot n is at start + n / rate. A 429 pauses every sender.
    Times are the event loop's monotonic clock: pacing is about real seconds, not "now".
    """

    def __init__(self, rate: float, per_chat_gap: float = PER_CHAT_GAP_S) -> None:
        self.interval = 1.0 / rate
        self.per_chat_gap = per_chat_gap
        self._next = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}

    def pause(self, seconds: float) -> None:
        """Telegram's flood limit is global: nobody sends for `seconds`."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)

    async def slot(self, chat_id: int) -> None:
        """Wait for this chat's turn and a free overall slot."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = max(self._chat_next.get(chat_id, 0.0), self._paused_until) - now
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            moment = max(now, self._next)
            self._next = moment + self.interval
            self._chat_next[chat_id] = moment + self.per_chat_gap
            if moment > now:
                await asyncio.sleep(moment - now)
            if self._paused_until <= loop.time():
                break
        if len(self._chat_next) > 10_000:
            now = loop.time()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
