"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.inline_sqlite import connector
from db.storage import private_sqlite_file


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and one writer at a time.

    SQLite allows one writer. Each transaction takes the write lock up front (BEGIN
    IMMEDIATE), so none fails with "database is locked" when a read turns into a write, and
    a process keeps one connection: its transactions queue on the pool, an asyncio wait.
    Statements run on the event loop's thread (db.inline_sqlite): a lock held by another
    process (the command line, a second bot) is waited for with asyncio sleeps, never
    inside SQLite. Transactions are short: nothing waits on the network inside one.
    """
    # Bound values are people's messages, names and phone numbers: never in a log or an error.
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
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
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
