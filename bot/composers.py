"""What an outbox row says, decided when it is sent: one composer per kind of row.

A composer reads what it needs (the row's payload, the database) and returns the reply in
the recipient's language, or None when the message has become pointless (the deadline was
acknowledged, the question answered, ...): the dispatcher then marks the row skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from db.models import OutboxMessage

Composer = Callable[[AsyncSession, Deps, Translator, OutboxMessage], Awaitable[Reply | None]]

COMPOSERS: dict[str, Composer] = {}


def composer(kind: str) -> Callable[[Composer], Composer]:
    """Register the composer of one kind of outbox row (kinds are at most 32 characters)."""
    if len(kind) > 32:
        raise ValueError(f"outbox kind {kind!r} is longer than 32 characters")

    def register(fn: Composer) -> Composer:
        if kind in COMPOSERS:
            raise ValueError(f"outbox kind {kind!r} has two composers")
        COMPOSERS[kind] = fn
        return fn

    return register
