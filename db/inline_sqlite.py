"""SQLite on the event loop's own thread, behind the async interface SQLAlchemy expects.

aiosqlite hands every statement to its thread and the answer back through the event loop:
two thread switches and a loop turn per statement, most of the cost of an update, while the
statement itself takes tens of microseconds. Here a statement runs where it is awaited.
What could hold the loop is waiting for a lock, so the connection never waits inside
SQLite (busy_timeout 0): a statement refused with SQLITE_BUSY (another process, e.g. the
command line, holds the write lock) is tried again after an asyncio sleep, up to
`BUSY_WAIT_S`, and only where that is safe (outside a transaction: BEGIN IMMEDIATE takes
the write lock first, and in WAL mode nothing after it waits; or COMMIT).

The connection is aiosqlite-shaped (`async_creator` of `create_async_engine`) and used
only by the thread that made it (sqlite3's own check stays on).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

BUSY_WAIT_S = 10.0
_FIRST_PAUSE_S, _LONGEST_PAUSE_S = 0.001, 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


class InlineCursor:
    """An aiosqlite-like cursor whose coroutines finish without suspending (unless busy)."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection.raw.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        await self._connection.run(self._cursor.execute, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)  # a generator could not be read twice after a busy retry
        await self._connection.run(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-like connection over a plain `sqlite3.Connection`."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self._closed = False

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """aiosqlite's name for the open connection: SQLAlchemy's adapter reads it."""
        return None if self._closed else self.raw

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def run(self, call: Callable[..., Any], *args: Any) -> Any:
        """`call(*args)` now; on SQLITE_BUSY, again after a pause if that is safe."""
        return await self._patiently(not self.raw.in_transaction, call, *args)

    async def _patiently(self, retry_safe: bool, call: Callable[..., Any], *args: Any) -> Any:
        deadline = time.monotonic() + BUSY_WAIT_S
        pause = _FIRST_PAUSE_S
        while True:
            try:
                return call(*args)
            except sqlite3.OperationalError as error:
                if not (retry_safe and _busy(error)) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE_S)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        # A COMMIT refused as busy leaves the transaction open: trying it again is safe.
        await self._patiently(True, self.raw.commit)

    async def rollback(self) -> None:
        self.raw.rollback()

    async def close(self) -> None:
        self._closed = True
        self.raw.close()

    def stop(self) -> None:
        """Close without awaiting (SQLAlchemy's terminate, e.g. from the garbage collector)."""
        self._closed = True
        with contextlib.suppress(sqlite3.ProgrammingError):  # from another thread: ending
            self.raw.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.raw.create_function(*args, **kwargs)


def connector(database: str, **kwargs: Any) -> Callable[[], Any]:
    """The `async_creator` for one database file: connections in autocommit mode, so that
    SQLAlchemy's BEGIN (IMMEDIATE, see db.session) starts each transaction."""

    async def connect() -> InlineConnection:
        raw = sqlite3.connect(database, isolation_level=None, timeout=0, **kwargs)
        return InlineConnection(raw)

    return connect
