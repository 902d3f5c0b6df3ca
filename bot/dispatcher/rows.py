"""The dispatcher's database steps: claim, mark a send as started, give back, expire, record.

Each is one short statement (or one executemany); the caller owns the (short) transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import people
from db.models import OutboxMessage, OutboxState, Person

log = logging.getLogger(__name__)

# A claimed row whose outcome is not recorded within this time was held by a dead process.
LEASE = timedelta(minutes=5)
# Claimed this long after its due time (the bot was down): the row is marked late.
LATE_AFTER = timedelta(hours=1)
# The states of a row a worker holds: claimed (not tried yet), sending (a send started).
HELD = (OutboxState.CLAIMED, OutboxState.SENDING)


async def claim_due(db: AsyncSession, clock: Clock, worker_id: str, limit: int) -> list[int]:
    """Claim up to `limit` due pending rows, oldest first, in one statement; returns their ids.

    Each claim counts as an attempt (given back when the row is released untried).
    """
    now = clock.now()
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
        # Materialized: as a plain subquery PostgreSQL may run it more than once per
        # statement and so claim more than `limit` rows.
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    stmt = (
        update(OutboxMessage)
        # Only the id: a state filter here makes SQLite walk every pending row of the index.
        .where(OutboxMessage.id.in_(select(due.c.id)))
        .values(
            state=OutboxState.CLAIMED,
            claimed_at=now,
            claimed_by=worker_id,
            attempts=OutboxMessage.attempts + 1,
            late=case((OutboxMessage.due_at < now - LATE_AFTER, True), else_=False),
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted((await db.execute(stmt)).scalars())


# Built once: a mark is written about a hundred times a second at the paid rate.
_MARK_SENDING = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id.in_(bindparam("ids", expanding=True)),
        # An expression, not the bare column: given a dozen ids, SQLite would rather walk
        # every claimed row of the (state, due_at) index than look the ids up.
        cast(OutboxMessage.state, String) == OutboxState.CLAIMED.value,
        OutboxMessage.claimed_by == bindparam("worker"),
    )
    .values(state=OutboxState.SENDING)
    .returning(OutboxMessage.id)
)


async def mark_sending(db: AsyncSession, worker_id: str, ids: Iterable[int]) -> set[int]:
    """Mark rows this worker still holds as `sending`, just before their sends; returns them.

    A row not returned was taken from this worker (its lease ran out): it must not be sent.
    """
    conn = await db.connection()  # a Core statement: no ORM bookkeeping for these rows
    result = await conn.execute(_MARK_SENDING, {"ids": list(ids), "worker": worker_id})
    return set(result.scalars())


async def settle(db: AsyncSession, worker_id: str, ids: Iterable[int]) -> tuple[int, int]:
    """At the end of a pass, rows of it this worker still holds: (given back, unknown).

    Never tried: pending again at once. A send started with no outcome recorded (the pass
    was cancelled mid-send): unknown.
    """
    mine = and_(OutboxMessage.id.in_(list(ids)), OutboxMessage.claimed_by == worker_id)
    released, unknown = await _let_go(db, mine, "the pass stopped")
    return len(released), len(unknown)


@dataclass(frozen=True)
class Expired:
    released: int  # never tried: pending again
    unknown: int  # a send had started: Telegram may have delivered it


async def expire_leases(db: AsyncSession, clock: Clock, lease: timedelta = LEASE) -> Expired:
    """Rows held longer than the lease by a process that never recorded them.

    A row whose send never started goes back to pending and is sent by whoever claims it
    next; a row whose send started is `unknown`, never sent again: at most once.
    """
    stale = OutboxMessage.claimed_at < clock.now() - lease
    released, unknown = await _let_go(db, stale, "the sending process stopped")
    for row_id, worker in released:
        log.info("outbox row %s claimed by %s was never tried: pending again", row_id, worker)
    for row_id, worker in unknown:
        log.warning("outbox row %s sent by %s: outcome unknown, not re-sent", row_id, worker)
    return Expired(len(released), len(unknown))


_Taken = tuple[int, str | None]  # a row's id and the worker that held it


async def _let_go(
    db: AsyncSession, held: ColumnElement[bool], why: str
) -> tuple[list[_Taken], list[_Taken]]:
    """Held rows matching `held`: untried ones pending again (their attempt undone), rows
    whose send started unknown. Returns the (id, worker) of each, in that order."""

    async def step(current: OutboxState, **values: Any) -> list[_Taken]:
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.state == current, held)
            .values(**values)
            .returning(OutboxMessage.id, OutboxMessage.claimed_by)
            .execution_options(synchronize_session=False)
        )
        return [(row_id, worker) for row_id, worker in (await db.execute(stmt)).all()]

    released = await step(
        OutboxState.CLAIMED,
        state=OutboxState.PENDING,
        attempts=OutboxMessage.attempts - 1,
        error=f"given back untried: {why}",
    )
    unknown = await step(
        OutboxState.SENDING,
        state=OutboxState.UNKNOWN,
        error=f"{why} before recording the outcome",
    )
    return released, unknown


async def unreachable_people(db: AsyncSession) -> Sequence[Person]:
    """People Telegram refused to deliver to (they blocked the bot), most recent first."""
    stmt = (
        select(Person)
        .where(Person.unreachable_since.is_not(None))
        .order_by(Person.unreachable_since.desc(), Person.id)
    )
    return (await db.scalars(stmt)).all()


@dataclass
class Outcome:
    """The new state of one held row; every field is written (one executemany)."""

    row_id: int
    state: OutboxState
    due_at: datetime
    attempts: int
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    error: str | None = None
    unreachable_person: int | None = None  # mark this person unreachable too


_RECORD = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id == bindparam("row_id"),
        # Not IN (...): an expanding parameter cannot go into an executemany.
        or_(*(OutboxMessage.state == state for state in HELD)),
        OutboxMessage.claimed_by == bindparam("worker"),
    )
    .values(
        state=bindparam("new_state"),
        due_at=bindparam("new_due_at"),
        attempts=bindparam("new_attempts"),
        sent_at=bindparam("new_sent_at"),
        telegram_message_id=bindparam("new_message_id"),
        error=bindparam("new_error"),
    )
    .execution_options(synchronize_session=False)
)


async def record(db: AsyncSession, clock: Clock, worker_id: str, batch: list[Outcome]) -> None:
    """Write outcomes (one executemany), only on rows this worker still holds."""
    params: list[dict[str, Any]] = [
        {
            "row_id": o.row_id,
            "worker": worker_id,
            "new_state": o.state,
            "new_due_at": o.due_at,
            "new_attempts": o.attempts,
            "new_sent_at": o.sent_at,
            "new_message_id": o.telegram_message_id,
            "new_error": o.error[:2000] if o.error else None,
        }
        for o in batch
    ]
    conn = await db.connection()
    result = await conn.execute(_RECORD, params)
    written = result.rowcount
    for person_id in {o.unreachable_person for o in batch if o.unreachable_person}:
        await people.mark_unreachable(db, clock, person_id)
    if 0 <= written != len(batch):  # asyncpg's executemany tells no count (-1)
        log.warning(
            "%d outbox outcomes not recorded: the rows were no longer held by %s",
            len(batch) - written,
            worker_id,
        )
