"""The inbox of updates: stored before Telegram is told they arrived, each handled once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import locks
from db.models import InboxOutcome, InboxUpdate

# Handled rows are kept this long (to skip a late redelivery, and to look at), then pruned.
KEEP_HANDLED = timedelta(days=7)

# Every update runs these: built once, executed on the session's connection (Core), which
# costs a fifth of the ORM's UPDATE path for the same statement (bench/updates.py).
_MARK = (
    update(InboxUpdate)
    .where(InboxUpdate.update_id == bindparam("marked_id"), InboxUpdate.handled_at.is_(None))
    .values(handled_at=bindparam("now"), outcome=bindparam("outcome"))
    .returning(InboxUpdate.update_id)
)
# On PostgreSQL the person's lock (bot.services.locks.lock_person) goes with the mark: one
# round trip for both. The UPDATE runs whatever the lock waits for; what the turn reads
# next is read after the lock is held (each statement its own snapshot).
_MARKED = _MARK.cte("marked")
_LOCK_AND_MARK = select(
    func.pg_advisory_xact_lock(bindparam("person_key")).label("locked"),
    select(_MARKED.c.update_id).scalar_subquery().label("marked"),
)
_STORE_POSTGRESQL, _STORE_SQLITE = (
    dialect.insert(InboxUpdate)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(InboxUpdate.update_id)
    for dialect in (postgresql, sqlite)
)
_STORED = select(InboxUpdate.update_id).where(InboxUpdate.update_id == bindparam("update_id"))


@dataclass(frozen=True)
class Incoming:
    """An update as it arrived: Telegram's id, the chat it belongs to, its JSON."""

    update_id: int
    chat_id: int | None
    payload: dict[str, Any]


async def store(db: AsyncSession, clock: Clock, incoming: Sequence[Incoming]) -> set[int]:
    """Record the updates not seen before, in the caller's transaction; their ids.

    An id already stored (handled or not) is left as it is: a redelivery changes nothing.
    """
    if not incoming:
        return set()
    now = clock.now()
    rows = [
        {
            "update_id": item.update_id,
            "chat_id": item.chat_id,
            "payload": item.payload,
            "received_at": now,
        }
        for item in incoming
    ]
    conn = await db.connection()  # Core, as with the mark
    # Many parameter sets on one prebuilt statement: compiled once ("insertmanyvalues"),
    # where one multi-row VALUES would be compiled anew for every batch.
    stmt = _STORE_POSTGRESQL if conn.dialect.name == "postgresql" else _STORE_SQLITE
    return set((await conn.execute(stmt, rows)).scalars().all())


async def mark_handled(
    db: AsyncSession,
    clock: Clock,
    update_id: int,
    outcome: InboxOutcome = InboxOutcome.HANDLED,
    *,
    lock_person: int | None = None,
) -> bool:
    """Mark the update handled in the caller's transaction; False if it already was.

    On PostgreSQL the row stays locked until the transaction ends, so a second process
    handling the same update waits here and then sees it handled. An update that was never
    stored (pushed into the application directly) is handled as it comes. `lock_person`:
    a Telegram user id whose lock (`locks.lock_person`) is taken first, in the same
    statement where the database has such locks.
    """
    conn = await db.connection()
    values = {"marked_id": update_id, "now": clock.now(), "outcome": outcome}
    if lock_person is not None and locks.is_postgresql(conn):
        marked = await conn.execute(_LOCK_AND_MARK, {**values, "person_key": lock_person})
        marked_id = marked.one().marked
    else:
        if lock_person is not None:
            await locks.lock_person(db, lock_person)
        marked_id = (await conn.execute(_MARK, values)).scalar()
    if marked_id is not None:
        return True
    return (await conn.execute(_STORED, {"update_id": update_id})).scalar() is None


async def unhandled(db: AsyncSession) -> list[dict[str, Any]]:
    """The JSON of every stored update not yet handled, oldest first."""
    payloads: Sequence[dict[str, Any]] = (
        await db.scalars(
            select(InboxUpdate.payload)
            .where(InboxUpdate.handled_at.is_(None))
            .order_by(InboxUpdate.update_id)
        )
    ).all()
    return list(payloads)


async def prune(db: AsyncSession, clock: Clock, keep: timedelta = KEEP_HANDLED) -> int:
    """Delete rows handled longer ago than `keep`; how many."""
    result = await db.execute(
        delete(InboxUpdate).where(InboxUpdate.handled_at < clock.now() - keep)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult has rowcount
