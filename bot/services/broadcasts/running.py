"""Broadcasts under way or waiting: a new time or cancelling before the start, pausing and going
on, and the moments the progress view is due.

Pausing gives the unsent rows a far due time (rows a dispatcher had claimed are taken back from
it: it checks before each send); going on makes them due now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import people
from bot.services.broadcasts.planning import check_moment
from bot.services.broadcasts.views import (
    ACTIVE,
    PAUSED_DUE,
    UNSENT,
    View,
    counts,
    get,
    rows_of,
    view_of,
)
from bot.services.errors import Stale
from db.models import Broadcast, BroadcastState, OutboxMessage, OutboxState


async def not_started(db: AsyncSession, clock: Clock, broadcast_id: int) -> Broadcast:
    """A broadcast that has not started: it may still be re-timed or cancelled."""
    broadcast = await get(db, broadcast_id)
    not_yet = broadcast.due_at is not None and broadcast.due_at > clock.now()
    if broadcast.state is not BroadcastState.SCHEDULED or not not_yet:
        raise Stale()
    return broadcast


async def reschedule(
    db: AsyncSession, clock: Clock, broadcast_id: int, at: datetime, by_id: int
) -> View:
    """Move a broadcast that has not started to another moment."""
    check_moment(clock, at)
    broadcast = await not_started(db, clock, broadcast_id)
    await _retime(db, broadcast_id, at, (OutboxState.PENDING,))
    broadcast.due_at = at
    await people.audit(
        db, clock, by_id, "broadcast.rescheduled", broadcast=broadcast_id, at=at.isoformat()
    )
    return await view_of(db, broadcast)


async def _retime(
    db: AsyncSession, broadcast_id: int, due_at: datetime, states: Sequence[OutboxState]
) -> None:
    """Unsent rows due at `due_at`; rows a dispatcher had claimed are taken back, untried."""
    await db.execute(
        update(OutboxMessage)
        .where(rows_of(broadcast_id, states))
        .values(
            state=OutboxState.PENDING,
            due_at=due_at,
            attempts=case(
                (OutboxMessage.state == OutboxState.CLAIMED, OutboxMessage.attempts - 1),
                else_=OutboxMessage.attempts,
            ),
            claimed_by=None,
        )
        .execution_options(synchronize_session=False)
    )


async def pause(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Hold the unsent rows; the sends already under way finish."""
    broadcast = await get(db, broadcast_id)
    if broadcast.state is not BroadcastState.SENDING:
        raise Stale()
    await _retime(db, broadcast_id, PAUSED_DUE, UNSENT)
    broadcast.state = BroadcastState.PAUSED
    await people.audit(db, clock, by_id, "broadcast.paused", broadcast=broadcast_id)
    return await view_of(db, broadcast)


async def resume(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Go on: the held rows are due now."""
    broadcast = await get(db, broadcast_id)
    if broadcast.state is not BroadcastState.PAUSED:
        raise Stale()
    await _retime(db, broadcast_id, clock.now(), (OutboxState.PENDING,))
    broadcast.state = BroadcastState.SENDING
    broadcast.progress_shown = None  # show the progress again at once
    await people.audit(db, clock, by_id, "broadcast.resumed", broadcast=broadcast_id)
    return await view_of(db, broadcast)


async def cancel(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Skip every unsent row (a scheduled broadcast: before it starts)."""
    broadcast = await get(db, broadcast_id)
    if broadcast.state is BroadcastState.SCHEDULED:
        broadcast = await not_started(db, clock, broadcast_id)
    elif broadcast.state not in ACTIVE:
        raise Stale()
    await db.execute(
        update(OutboxMessage)
        .where(rows_of(broadcast_id, UNSENT))
        .values(state=OutboxState.SKIPPED, error="broadcast cancelled", claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    broadcast.state = BroadcastState.CANCELLED
    broadcast.finished_at = clock.now()
    await people.audit(db, clock, by_id, "broadcast.cancelled", broadcast=broadcast_id)
    return await view_of(db, broadcast)


# --- the progress view ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A broadcast whose progress view may be shown now, and whether it has just ended."""

    view: View
    finished: bool


async def start_due(db: AsyncSession, clock: Clock) -> list[int]:
    """Scheduled broadcasts whose moment came are sending now; their ids."""
    now = clock.now()
    found = (
        await db.scalars(
            select(Broadcast.id).where(
                Broadcast.state == BroadcastState.SCHEDULED, Broadcast.due_at <= now
            )
        )
    ).all()
    if found:
        await db.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(found), Broadcast.state == BroadcastState.SCHEDULED)
            .values(state=BroadcastState.SENDING, started_at=now)
            .execution_options(synchronize_session=False)
        )
    return list(found)


async def progress_due(db: AsyncSession, clock: Clock, every: timedelta) -> list[Due]:
    """Broadcasts under way whose view changed and was last edited `every` ago (or that ended).

    Each is claimed (its `progress_at` set now) in the caller's transaction, so two processes
    never edit one view at the same moment. A broadcast with no row left is done.
    """
    now = clock.now()
    active = (
        await db.scalars(
            select(Broadcast).where(Broadcast.state.in_(ACTIVE)).order_by(Broadcast.id)
        )
    ).all()
    due: list[Due] = []
    for broadcast in active:
        found = await counts(db, broadcast.id)
        finished = broadcast.state is BroadcastState.SENDING and found.remaining == 0
        if found.shown() == broadcast.progress_shown and not finished:
            continue
        recent = broadcast.progress_at is not None and now - broadcast.progress_at < every
        if recent and not finished:
            continue
        claimed = await db.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast.id,
                Broadcast.state == broadcast.state,
                or_(
                    Broadcast.progress_at.is_(None), Broadcast.progress_at == broadcast.progress_at
                ),
            )
            .values(
                progress_at=now,
                progress_shown=found.shown(),
                **_finished(now) if finished else {},
            )
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]  # another process took it
            continue
        await db.refresh(broadcast)
        due.append(Due(await view_of(db, broadcast), finished))
    return due


def _finished(now: datetime) -> dict[str, Any]:
    return {"state": BroadcastState.DONE, "finished_at": now}


async def show_progress_in(
    db: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """The progress view moved to another message (the old one could not be edited)."""
    broadcast = await get(db, broadcast_id)
    broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id
