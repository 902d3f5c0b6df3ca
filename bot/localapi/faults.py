"""Failures the tests inject into the next matching calls: 429, 403, 409, 500, delays, timeouts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.localapi.errors import ApiError

FORBIDDEN_BLOCKED = "Forbidden: bot was blocked by the user"
FAULT_KINDS = ("429", "403", "409", "500", "delay", "timeout")
TIMEOUT_SECONDS = 10.0  # a "timeout" answers this late unless told otherwise


@dataclass
class Fault:
    """One injected failure for a method (optionally only for one chat)."""

    method: str
    kind: str
    count: int = 1
    retry_after: int = 1
    seconds: float = 0.0
    chat_id: int | None = None

    def error(self) -> ApiError | None:
        """The error answered instead of the call, for the kinds that fail it."""
        if self.kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if self.kind == "403":
            return ApiError(403, FORBIDDEN_BLOCKED)
        if self.kind == "409":  # what a poller hears when a second one starts
            return ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        if self.kind == "500":
            return ApiError(500, "Internal Server Error")
        return None

    async def before_call(self) -> None:
        """A "delay" holds the call before it takes effect."""
        if self.kind == "delay":
            await asyncio.sleep(self.seconds)

    async def after_call(self) -> None:
        """A "timeout" lets the call take effect, then answers later than the client waits."""
        if self.kind == "timeout":
            await asyncio.sleep(self.seconds or TIMEOUT_SECONDS)


class Faults:
    """Failures to inject into the next matching calls."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[Fault] = []

    def add(
        self,
        method: str = "sendMessage",
        kind: str = "429",
        *,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 0.0,
        chat_id: int | None = None,
    ) -> Fault:
        """Fail the next `count` calls of `method` with 429/403/500, or delay/time them out."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        fault = Fault(method, kind, count, retry_after, seconds, chat_id)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every pending fault."""
        self.pending.clear()

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """The fault for this call, if any, counting it down."""
        for fault in self.pending:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            fault.count -= 1
            if fault.count <= 0:
                self.pending.remove(fault)
            self.fired.append(fault)
            return fault
        return None
