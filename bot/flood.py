"""Per-chat flood control: past its allowance a chat is muted until it has been quiet a while."""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FloodLimits:
    """How many updates one chat may send within `window` before the rest are dropped."""

    window: timedelta = timedelta(seconds=10)
    person: int = 20
    coordinator: int = 60  # coordinators invite and answer in bursts


class Verdict(enum.Enum):
    ADMIT = "admit"
    DROP_AND_TELL = "drop_and_tell"  # the first dropped update: say "please slow down" once
    DROP = "drop"


@dataclass
class _ChatRate:
    arrivals: deque[datetime]
    allowance: int | None = None  # decided (by role) only once `person` is exceeded
    muted_until: datetime | None = None


@dataclass
class FloodControl:
    """Every chat's recent arrivals, in memory: a rate is no state a restart must keep."""

    limits: FloodLimits = field(default_factory=FloodLimits)
    _chats: dict[int, _ChatRate] = field(default_factory=dict)

    # Beyond this many chats, the idle ones are forgotten on the next new chat.
    SWEEP_ABOVE = 4096

    async def admit(
        self, chat_id: int, now: datetime, allowance: Callable[[], Awaitable[int]]
    ) -> Verdict:
        """Record one update of the chat and say whether it may be processed.

        `allowance` (the chat's limit by role) is asked only when the person limit is passed.
        A muted chat stays muted until a whole window passes without an update from it.
        """
        rate = self._rate(chat_id, now)
        if rate.muted_until is not None:
            if now < rate.muted_until:
                rate.muted_until = now + self.limits.window
                return Verdict.DROP
            rate.muted_until, rate.allowance = None, None
            rate.arrivals.clear()
        since = now - self.limits.window
        while rate.arrivals and rate.arrivals[0] <= since:
            rate.arrivals.popleft()
        rate.arrivals.append(now)
        if len(rate.arrivals) <= self.limits.person:
            return Verdict.ADMIT
        if rate.allowance is None:
            rate.allowance = await allowance()
        if len(rate.arrivals) <= rate.allowance:
            return Verdict.ADMIT
        rate.muted_until = now + self.limits.window
        return Verdict.DROP_AND_TELL

    def _rate(self, chat_id: int, now: datetime) -> _ChatRate:
        rate = self._chats.get(chat_id)
        if rate is None:
            if len(self._chats) >= self.SWEEP_ABOVE:
                self._sweep(now)
            size = max(self.limits.person, self.limits.coordinator) + 1
            rate = self._chats[chat_id] = _ChatRate(deque(maxlen=size))
        return rate

    def _sweep(self, now: datetime) -> None:
        since = now - self.limits.window
        for chat_id, rate in list(self._chats.items()):
            quiet = not rate.arrivals or rate.arrivals[-1] <= since
            if quiet and (rate.muted_until is None or rate.muted_until <= now):
                del self._chats[chat_id]
