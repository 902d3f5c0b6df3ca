"""What operators watch: the dispatcher's heartbeat, the outbox and the inbox in figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.clock import Clock
from bot.services import locks
from db.models import Heartbeat, InboxUpdate, OutboxMessage, OutboxState

DISPATCHER = "dispatcher"


async def beat(db: AsyncSession | AsyncConnection, clock: Clock, role: str, holder: str) -> None:
    """Record that `holder` holds `role` now (since now, if it was someone else's)."""
    now = clock.now()
    insert = postgresql.insert if locks.is_postgresql(db) else sqlite.insert
    stmt = insert(Heartbeat).values(role=role, holder=holder, since=now, beat_at=now)
    same = Heartbeat.holder == stmt.excluded.holder
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=["role"],
            set_={
                "holder": stmt.excluded.holder,
                "beat_at": stmt.excluded.beat_at,
                "since": case((same, Heartbeat.since), else_=stmt.excluded.since),
            },
        )
    )


@dataclass(frozen=True)
class Beat:
    holder: str
    since: datetime
    beat_at: datetime


async def last_beat(db: AsyncSession, role: str) -> Beat | None:
    row = await db.get(Heartbeat, role)
    return Beat(row.holder, row.since, row.beat_at) if row is not None else None


async def outbox_depth(db: AsyncSession) -> dict[OutboxState, int]:
    """Rows per state (every state, zero included)."""
    found = await db.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    )
    counts = dict.fromkeys(OutboxState, 0)
    counts.update(dict(found.all()))
    return counts


async def outbox_lag(db: AsyncSession, clock: Clock) -> float:
    """Seconds the oldest due pending row has waited (0 when none is due)."""
    oldest = await db.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= clock.now()
        )
    )
    if oldest is None:
        return 0.0
    return max(0.0, (clock.now() - oldest).total_seconds())


async def inbox_backlog(db: AsyncSession) -> int:
    """Updates stored and not yet handled."""
    count = await db.scalar(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
    )
    return int(count or 0)
