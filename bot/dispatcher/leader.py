"""One dispatcher at a time across processes: on PostgreSQL, the holder of an advisory lock.

Every process that may dispatch (each webhook worker, `pendamping dispatch`) tries a
session-level advisory lock at each tick, on a connection of its own that no pool hands
out again. The holder dispatches and runs the periodic jobs, and beats the heartbeat row on
that very connection every tick interval, also while a long pass runs, so a connection
that died is noticed and the lead dropped. When the holder's process dies, PostgreSQL ends
its session and frees the lock; the next tick of another process takes it, gives back what
the dead one held (never tried: pending again; a send started: unknown, never re-sent) and
goes on. A process that plans due rows without holding the lock tells the holder at once
(NOTIFY). With SQLite there is one process: it always leads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool
from telegram.ext import JobQueue

from bot.context import Deps
from bot.dispatcher import rows
from bot.dispatcher.passes import DispatchReport
from bot.services import locks, ops
from db.session import create_engine, is_sqlite

log = logging.getLogger(__name__)

CHANNEL = "pendamping_outbox"  # NOTIFY: due rows were planned somewhere
# Rows held by another process when the lock is taken are orphans; clocks of other hosts may
# run this far ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


class Leadership:
    """Whether this process dispatches; on PostgreSQL it holds the dispatcher's lock."""

    def __init__(
        self,
        deps: Callable[[], Deps],
        holder: str,
        wake: Callable[[], None],
        job_queue: JobQueue[Any] | None = None,
    ) -> None:
        self._deps = deps
        self._job_queue = job_queue
        self.holder = holder
        self._wake = wake
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._io = asyncio.Lock()  # one statement at a time on the dedicated connection
        self._tasks: set[asyncio.Task[None]] = set()
        self._beating = False
        self._inherited = DispatchReport()  # what the last takeover gave back
        self.held = False

    async def hold(self) -> bool:
        """Take or keep the lead and beat the heartbeat; whether this process leads."""
        deps = self._deps()
        if is_sqlite(deps.settings.database_url):
            async with deps.sessions() as db, db.begin():
                await ops.beat(db, deps.clock, ops.DISPATCHER, self.holder)
            self.held = True
            return True
        async with self._io:
            try:
                held = await self._hold_postgresql(deps)
            except (SQLAlchemyError, OSError) as exc:
                if self.held:
                    log.warning("dispatcher %s lost its lock connection: %s", self.holder, exc)
                await self._drop()
                return False
        if held and not self._beating and self._job_queue is not None:
            # Beat between ticks too: a pass may run for minutes (a broadcast at 30 a second).
            self._beating = True
            self._job_queue.run_repeating(
                self._beat,
                interval=deps.settings.dispatch_interval_s,
                name="dispatcher-heartbeat",
                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            )
        return held

    async def _beat(self, _context: object) -> None:
        if self.held:
            await self.hold()

    async def _hold_postgresql(self, deps: Deps) -> bool:
        conn = self._conn
        if conn is None:
            if self._engine is None:
                # No pool: closing the connection ends the session and so frees the lock.
                self._engine = create_engine(deps.settings.database_url, poolclass=NullPool)
            conn = await self._engine.connect()
            self._conn = conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if not self.held:
            if not await locks.try_role_lock(conn, locks.DISPATCHER):
                return False
            self.held = True
            await self._take_over(deps, conn)
        await ops.beat(conn, deps.clock, ops.DISPATCHER, self.holder)
        return True

    async def _take_over(self, deps: Deps, conn: AsyncConnection) -> None:
        """Give back what an earlier holder left held; listen for wake-ups."""
        async with deps.sessions() as db, db.begin():
            left = await rows.expire_leases(db, deps.clock, -CLOCK_SKEW)
        self._inherited.released += left.released
        self._inherited.unknown += left.unknown
        log.info(
            "dispatcher %s took the lead (%d row(s) given back, %d unknown)",
            self.holder,
            left.released,
            left.unknown,
        )
        raw = await conn.get_raw_connection()
        listener: Any = raw.driver_connection  # asyncpg's connection

        def heard(*_: object) -> None:
            self._wake()

        await listener.add_listener(CHANNEL, heard)

    def inherited(self) -> DispatchReport:
        """What taking the lead gave back (counted once, in the next pass's report)."""
        found, self._inherited = self._inherited, DispatchReport()
        return found

    def tell_holder(self) -> None:
        """Due rows were planned here: wake the dispatcher of the process that leads."""
        if self.held:
            return
        deps = self._deps()
        if is_sqlite(deps.settings.database_url):
            return
        task = asyncio.get_running_loop().create_task(self._notify(deps.engine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, engine: AsyncEngine) -> None:
        try:
            async with engine.begin() as conn:
                await conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        except (SQLAlchemyError, OSError) as exc:  # the holder's next tick finds the rows
            log.warning("could not wake the dispatcher elsewhere: %s", exc)

    async def close(self) -> None:
        """Let go of the lead (another process takes it at its next tick)."""
        async with self._io:
            if self.held and self._conn is not None:
                with suppress(SQLAlchemyError, OSError):
                    await locks.role_unlock(self._conn, locks.DISPATCHER)
            await self._drop()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except (SQLAlchemyError, OSError):
                await conn.invalidate()
