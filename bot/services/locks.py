"""Locks that order work across processes, held in the database (PostgreSQL advisory locks).

Two key spaces that never overlap (PostgreSQL keeps one-bigint and two-int keys apart): a
person's lock is their Telegram user id as one bigint; the locks of the processes' roles
(the dispatcher, start-up) are two ints under `NAMESPACE`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

NAMESPACE = 0x50_44_4D  # "PDM"
DISPATCHER = 1  # held by the one process that dispatches the outbox
START_UP = 2  # held while a worker seeds the database at start


def is_postgresql(db: AsyncSession | AsyncConnection) -> bool:
    bind = db.get_bind() if isinstance(db, AsyncSession) else db
    return bind.dialect.name == "postgresql"


async def lock_person(db: AsyncSession, telegram_id: int) -> None:
    """Hold this person's lock until the caller's transaction ends.

    Two updates of one person handled at the same moment by two workers run one after the
    other, each reading what the other wrote, so a dialogue never takes two steps from one
    state. The key is the Telegram user id: it exists before the person's row does (two
    `/start` at once make one person). SQLite has one writer at a time: nothing to do.
    """
    if is_postgresql(db):
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": telegram_id})


async def try_role_lock(conn: AsyncConnection, role: int) -> bool:
    """Take a role's session-level lock if free (it lasts as long as the connection)."""
    taken = await conn.scalar(
        text("SELECT pg_try_advisory_lock(:ns, :role)"), {"ns": NAMESPACE, "role": role}
    )
    return bool(taken)


async def role_lock(conn: AsyncConnection, role: int) -> None:
    """Wait for a role's session-level lock."""
    await conn.execute(
        text("SELECT pg_advisory_lock(:ns, :role)"), {"ns": NAMESPACE, "role": role}
    )


async def role_unlock(conn: AsyncConnection, role: int) -> None:
    """Let go of a role's lock now (a graceful stop: the next holder need not wait)."""
    await conn.execute(
        text("SELECT pg_advisory_unlock(:ns, :role)"), {"ns": NAMESPACE, "role": role}
    )
