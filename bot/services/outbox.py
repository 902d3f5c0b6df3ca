"""Planning rows in the outbox. The dispatcher (bot/dispatcher.py) claims and sends them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import OutboxMessage, OutboxState


async def plan(
    db: AsyncSession,
    clock: Clock,
    *,
    kind: str,
    recipient_id: int,
    dedupe_key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Plan one message; planning the same (kind, recipient, key) again re-times it if unsent.

    A row already sent (or blocked, failed, ...) is returned as it is: a reminder goes out
    once. A pending or skipped row gets the new due time and payload, and is pending again.
    """
    existing = await db.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == kind,
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.dedupe_key == dedupe_key,
        )
    )
    if existing is not None:
        if existing.state in (OutboxState.PENDING, OutboxState.SKIPPED):
            existing.due_at = due_at
            existing.payload = dict(payload or {})
            existing.state = OutboxState.PENDING
            existing.error = None
        return existing
    row = OutboxMessage(
        kind=kind,
        recipient_id=recipient_id,
        dedupe_key=dedupe_key,
        due_at=due_at,
        payload=dict(payload or {}),
        state=OutboxState.PENDING,
        attempts=0,
        created_at=clock.now(),
    )
    db.add(row)
    await db.flush()
    return row


async def skip_pending(
    db: AsyncSession,
    *,
    kinds: Iterable[str],
    dedupe_prefix: str,
    recipient_id: int | None = None,
    reason: str = "",
) -> int:
    """Mark unsent rows of these kinds whose key starts with the prefix as skipped."""
    stmt = (
        update(OutboxMessage)
        .where(
            OutboxMessage.kind.in_(list(kinds)),
            OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True),
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.SKIPPED, error=reason or None)
    )
    if recipient_id is not None:
        stmt = stmt.where(OutboxMessage.recipient_id == recipient_id)
    result = await db.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult has rowcount
