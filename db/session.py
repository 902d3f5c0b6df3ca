"""Engine and session factory for SQLite (embedded default) and PostgreSQL.

SQLite allows one writer at a time. Within this process writers wait in line on an
`asyncio.Lock` (the write gate) instead of in SQLite's busy handler, which sleeps and polls
(1, 2, 5, … 100 ms) and under load made updates wait for seconds. Other processes (the CLI)
still meet SQLite's busy timeout.

A transaction normally takes the gate and `BEGIN IMMEDIATE` up front, so it can never fail
with "database is locked" when it starts writing. Code that can run its whole transaction
again (the handler wrapper) may open it inside `deferred_writes()`: it then begins as a WAL
reader, concurrently with the writer and other readers, and takes the gate only at its first
write. If another writer committed since it began, its reads may be stale: the write raises
`WriteConflict` and the caller runs the transaction again with the gate taken up front.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util.concurrency import await_, in_greenlet

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Statements that only read; anything else (WITH included, conservatively) takes the gate.
_READS = ("SELECT", "PRAGMA", "EXPLAIN", "BEGIN")
# Keys of the per-connection state in `Connection.info`.
_STATE, _BEGAN_AT, _LOCK = "gate_state", "gate_generation", "gate_lock"
_READER, _WRITER, _CONFLICT = "reader", "writer", "conflict"


class WriteConflict(Exception):
    """A deferred transaction wrote after someone else committed: run it again, immediate."""


@dataclass
class WriteMode:
    """How the transactions opened in `deferred_writes` begin, and whether they wrote."""

    deferred: bool
    wrote: bool = False
    conflict: bool = False  # a write raised WriteConflict (even if something swallowed it)


_mode: ContextVar[WriteMode | None] = ContextVar("sqlite_write_mode", default=None)


@contextmanager
def deferred_writes(deferred: bool = True) -> Iterator[WriteMode]:
    """Transactions begun inside begin as readers (when `deferred`); see the module doc.

    Only for callers that catch `WriteConflict` and run the whole transaction again. The
    yielded `WriteMode.wrote` tells afterwards whether the transaction wrote (SQLite only).
    """
    mode = WriteMode(deferred)
    token = _mode.set(mode)
    try:
        yield mode
    finally:
        _mode.reset(token)


class _WriteGate:
    """One writer at a time in this process, waiting in line on the event loop."""

    def __init__(self) -> None:
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        # Write transactions ended so far: a reader that began at another count may be stale.
        self.generation = 0

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            for old in [known for known in self._locks if known.is_closed()]:
                del self._locks[old]
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def acquire(self, info: dict[Any, Any]) -> None:
        lock = self.lock()
        await_(lock.acquire())
        info[_LOCK], info[_STATE] = lock, _WRITER

    def release(self, info: dict[Any, Any]) -> None:
        """The transaction on this connection ended (or a new one begins): open the gate."""
        lock = info.pop(_LOCK, None)
        info.pop(_STATE, None)
        if lock is not None:
            self.generation += 1
            lock.release()


class _InlineCursor(aiosqlite.Cursor):
    """Runs statements on the event loop's own thread, rows fetched at once.

    aiosqlite sends every step (cursor, statement, rows, close) to the connection's thread
    and back: four waits per statement for a turn of the event loop, which under load is
    milliseconds each, all while the write gate is held. Our statements are small indexed
    lookups that take microseconds, so they run inline. What may wait still goes to the
    thread: BEGIN IMMEDIATE while another process holds the write lock (SQLite's busy
    timeout sleeps), and the COMMIT of a transaction that wrote (it may checkpoint the WAL
    and sync the disk).
    """

    _conn: _InlineConnection

    def __init__(self, conn: _InlineConnection) -> None:
        super().__init__(conn, None)  # type: ignore[arg-type]  # made at the first statement
        self._rows: list[Any] = []

    async def execute(self, sql: str, parameters: Any = None) -> _InlineCursor:
        conn, params = self._conn, [] if parameters is None else parameters
        cursor = self._cursor = self._cursor or conn._conn.cursor()
        if sql.startswith("BEGIN IMMEDIATE"):
            conn.wrote = True
            if not conn.begin_immediate_at_once(cursor, sql):
                await conn._execute(cursor.execute, sql)  # type: ignore[no-untyped-call]
                self._rows = []
                return self
        else:
            conn.wrote = conn.wrote or _writes(sql)
            cursor.execute(sql, params)
        self._rows = cursor.fetchall() if cursor.description else []
        return self

    async def executemany(self, sql: str, parameters: Any) -> _InlineCursor:
        self._conn.wrote = True
        cursor = self._cursor = self._cursor or self._conn._conn.cursor()
        cursor.executemany(sql, parameters)
        self._rows = []
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size if size is not None else (self._cursor.arraysize if self._cursor else 1)
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        """Nothing to wait for: every row was read, so SQLite has reset the statement."""
        self._rows = []

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor is not None else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor is not None else None

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None


class _Ready:
    """What `Connection.cursor()` returns: awaitable and an async context, without a trip."""

    def __init__(self, cursor: _InlineCursor) -> None:
        self._value = cursor

    def __await__(self) -> Any:
        return self._get().__await__()

    async def _get(self) -> _InlineCursor:
        return self._value

    async def __aenter__(self) -> _InlineCursor:
        return self._value

    async def __aexit__(self, *_exc: object) -> None:
        await self._value.close()


class _InlineConnection(aiosqlite.Connection):
    wrote = False  # the current transaction wrote: its COMMIT goes to the thread

    def cursor(self) -> Any:
        return _Ready(_InlineCursor(self))

    def begin_immediate_at_once(self, cursor: sqlite3.Cursor, sql: str) -> bool:
        """BEGIN IMMEDIATE without waiting; False when another process holds the lock."""
        raw = self._conn
        raw.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute(sql)
            return True
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    async def commit(self) -> None:
        wrote, self.wrote = self.wrote, False
        if wrote:
            await super().commit()
        else:  # ends a read snapshot: nothing to write or sync
            self._conn.commit()

    async def rollback(self) -> None:
        self.wrote = False
        self._conn.rollback()  # in WAL mode a rollback only drops frames: no waiting


def _connect(database: str, **kwargs: Any) -> aiosqlite.Connection:
    """`aiosqlite.connect` with inline statements; the thread does not hold up exit."""
    kwargs["check_same_thread"] = False  # used from the loop's thread and aiosqlite's
    connection = _InlineConnection(lambda: sqlite3.connect(database, **kwargs), 64)
    connection._thread.daemon = True
    return connection


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _writes(statement: str) -> bool:
    return not statement.lstrip()[:8].upper().startswith(_READS)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout, foreign keys and the write gate."""
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )
    sync_engine = engine.sync_engine
    gate = _WriteGate()

    @event.listens_for(sync_engine, "do_connect")
    def _on_do_connect(_dialect: Any, _record: Any, _cargs: Any, cparams: Any) -> None:
        cparams.setdefault("async_creator_fn", _connect)

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy decide when transactions begin (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        gate.release(conn.info)  # an earlier transaction on this connection has ended
        mode = _mode.get()
        if not in_greenlet():  # plain synchronous use: SQLite's busy timeout alone
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif mode is not None and mode.deferred:
            conn.info[_STATE], conn.info[_BEGAN_AT] = _READER, gate.generation
            conn.exec_driver_sql("BEGIN")
        else:
            # IMMEDIATE takes SQLite's write lock up front: a reader upgrading later could
            # fail with "database is locked"; the gate makes in-process writers queue first.
            gate.acquire(conn.info)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                gate.release(conn.info)
                raise

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before_execute(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        state = conn.info.get(_STATE)
        if state is None or not _writes(statement):
            return
        mode = _mode.get()
        if mode is not None:
            mode.wrote = True
        if state == _WRITER:
            return
        if state == _READER:
            # A writer in line or at work will commit before this one could: fail at once
            # rather than queue twice (once now, once for the run again).
            if not gate.lock().locked() and gate.generation == conn.info[_BEGAN_AT]:
                gate.acquire(conn.info)
                return
            conn.info[_STATE] = _CONFLICT
        if mode is not None:
            mode.conflict = True
        raise WriteConflict("another writer committed since this transaction began")

    @event.listens_for(sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        # Another process wrote since this deferred transaction began (or is writing now):
        # SQLite refuses the upgrade at once, without waiting. Run it again, immediate.
        error = context.sqlalchemy_exception
        mode = _mode.get()
        if (
            mode is not None
            and mode.deferred
            and isinstance(error, OperationalError)
            and "database is locked" in str(error.orig)
        ):
            mode.conflict = True
            raise WriteConflict("another process holds or changed the database") from error

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        gate.release(record.info)

    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
