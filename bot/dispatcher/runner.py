"""Waking the dispatcher: the JobQueue ticks, commits that planned due rows wake it sooner."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from typing import Any

from bot import metrics
from bot.compose import KINDS, Kind
from bot.context import BotApplication, BotContext, Deps
from bot.dispatcher.leader import Leadership
from bot.dispatcher.pacing import Pacer, pacer_of
from bot.dispatcher.passes import DispatchReport, dispatch_once

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """Host, process and a random part: two processes (or two runners) never share one."""
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{secrets.token_hex(3)}"


class DispatchRunner:
    """Runs passes for one application, never two at once in this process; also its waker."""

    def __init__(
        self,
        app: BotApplication,
        worker_id: str | None = None,
        kinds: Mapping[str, Kind[Any]] = KINDS,
    ) -> None:
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self.kinds = kinds
        self._lock = asyncio.Lock()
        self._again = False
        self._wake_scheduled = False
        self._pacer: Pacer | None = None
        self.leadership = Leadership(app.bot_data.require, self.worker_id, self, app.job_queue)

    @property
    def deps(self) -> Deps:
        return self.app.bot_data.require()

    def __call__(self) -> None:
        """Wake: a pass runs soon (or the running pass goes round once more)."""
        self.leadership.tell_holder()  # when another process dispatches
        if self._lock.locked():
            self._again = True
            return
        if self._wake_scheduled or self.app.job_queue is None:
            return
        self._wake_scheduled = True
        self.app.job_queue.run_once(self._on_wake, 0, name="outbox-wake")

    async def _on_wake(self, context: BotContext) -> None:
        self._wake_scheduled = False
        await self.on_tick(context)

    async def on_tick(self, context: BotContext) -> None:
        if self._lock.locked():
            self._again = True
            return
        report = await self.run_pass()
        if report.claimed or report.unknown or report.released:
            log.info("outbox pass by %s: %s", self.worker_id, report.as_dict())

    async def run_pass(self) -> DispatchReport:
        """One pass (waiting for a running one to end first), again if woken meanwhile."""
        deps = self.deps
        if self._pacer is None:
            self._pacer = pacer_of(self.app.bot, deps.settings.max_sends_per_second)
        report = DispatchReport()
        async with self._lock:
            if not await self.leadership.hold():  # another process dispatches
                return report
            report.merge(self.leadership.inherited())
            while True:
                self._again = False
                report.merge(
                    await dispatch_once(
                        deps,
                        self.app.bot,
                        worker_id=self.worker_id,
                        pacer=self._pacer,
                        kinds=self.kinds,
                    )
                )
                if not self._again:
                    metrics.dispatched(report.as_dict())
                    return report


def install(app: BotApplication) -> DispatchRunner:
    """The JobQueue wakes the dispatcher every `dispatch_interval_s`; the DB holds the schedule."""
    deps = app.bot_data.require()
    runner = DispatchRunner(app)
    if app.job_queue is None:
        raise RuntimeError("the JobQueue is missing: install python-telegram-bot[job-queue]")
    app.job_queue.run_repeating(
        runner.on_tick,
        interval=deps.settings.dispatch_interval_s,
        first=1,
        name="outbox",
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    deps.wakers.append(runner)
    return runner


def runner_of(deps: Deps) -> DispatchRunner:
    """The runner `install` registered among the wakers (tests drive passes through it)."""
    for waker in deps.wakers:
        if isinstance(waker, DispatchRunner):
            return waker
    raise LookupError("no dispatcher installed on this application")
