"""Planning rows in the outbox. The dispatcher (bot/dispatcher/) claims and sends them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import OutboxMessage, OutboxState


class Payload(BaseModel):
    """What a row of some kinds carries: ids to look up when it is composed, little else.

    Each kind has one payload type; a type names the kinds it serves (`KINDS`). It is
    checked when the row is planned and validated again when the row is composed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    KINDS: ClassVar[tuple[str, ...]] = ()


async def plan(
    db: AsyncSession,
    clock: Clock,
    *,
    kind: str,
    recipient_id: int,
    dedupe_key: str,
    due_at: datetime,
    payload: Payload,
) -> OutboxMessage:
    """Plan one message; planning the same (kind, recipient, key) again re-times it if unsent.

    A row already sent (or blocked, failed, ...) is returned as it is: a reminder goes out
    once. A pending or skipped row gets the new due time and payload, and is pending again.
    Raises ValueError when the payload's type is not the one of this kind.
    """
    if kind not in type(payload).KINDS:
        raise ValueError(f"a {type(payload).__name__} is not the payload of kind {kind!r}")
    data = payload.model_dump(mode="json")
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
            existing.payload = data
            existing.state = OutboxState.PENDING
            existing.error = None
        return existing
    row = OutboxMessage(
        kind=kind,
        recipient_id=recipient_id,
        dedupe_key=dedupe_key,
        due_at=due_at,
        payload=data,
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
