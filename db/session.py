"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.checkpoints import BACKSTOP_PAGES
from db.inline_sqlite import connector
from db.storage import private_sqlite_file

# A pooled PostgreSQL connection unused this long is pinged before it is used again (the
# server restarted, a firewall dropped it): SQLAlchemy's pool_pre_ping would ping before
# every transaction, a round trip per update, where a busy bot's connections are never idle.
PING_AFTER_IDLE_S = 5.0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str,
    *,
    ping_after_idle_s: float = PING_AFTER_IDLE_S,
    checkpoints_elsewhere: bool = False,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and one writer at a time.

    SQLite allows one writer. Each transaction takes the write lock up front (BEGIN
    IMMEDIATE), so none fails with "database is locked" when a read turns into a write, and
    a process keeps one connection: its transactions queue on the pool, an asyncio wait.
    Statements run on the event loop's thread (db.inline_sqlite): a lock held by another
    process (the command line, a second bot) is waited for with asyncio sleeps, never
    inside SQLite. Transactions are short: nothing waits on the network inside one.
    `checkpoints_elsewhere`: the caller runs WAL checkpoints off the loop (db.checkpoints),
    so a COMMIT does so only past a backstop.
    """
    # Bound values are people's messages, names and phone numbers: never in a log or an error.
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        engine = create_async_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine, ping_after_idle_s)
        return engine
    private_sqlite_file(url)
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 60)
    # SQLAlchemy decides when transactions begin: the connection is in autocommit mode.
    database = make_url(url).database or ":memory:"
    engine = create_async_engine(url, async_creator=connector(database), **kwargs)
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted personal data is overwritten, not left in free pages (UU 27/2022).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if checkpoints_elsewhere:
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine: AsyncEngine, after_s: float) -> None:
    """SQLAlchemy's recipe for custom pessimistic disconnect handling: a connection that
    fails its ping is replaced before the transaction starts."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine.pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < after_s:
            return  # new, or in use a moment ago
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the idle connection is gone") from exc


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
