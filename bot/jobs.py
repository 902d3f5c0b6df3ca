"""The periodic jobs besides the dispatcher: they plan rows; the rows are the schedule.

The JobQueue only wakes them. Each is safe to run from any process at any time: it looks at
the database and plans what is missing, so a restart or a late start loses nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bot import broadcasting, dispatcher
from bot.context import BotApplication, BotContext, Deps
from bot.services import deadlines, nudges, privacy, questions
from db.checkpoints import CHECKPOINT_INTERVAL_S, checkpoint_in_thread
from db.storage import sqlite_file

log = logging.getLogger(__name__)

# How often nudges for quiet businesses are planned (and overdue questions marked escalated).
NUDGE_PLAN_INTERVAL_S = 3600
# How often recurring deadlines whose occurrence passed or is done get their next one.
DEADLINE_ROLL_INTERVAL_S = 900
# How often people who never consented are looked for (they go after seven days).
UNCONSENTED_PURGE_INTERVAL_S = 6 * 3600
# APScheduler: run late rather than never, once when several runs were missed, never twice.
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


async def plan_nudges(deps: Deps) -> int:
    """Plan nudges and mark overdue questions escalated; how many nudges were planned."""
    async with deps.sessions() as db, db.begin():
        planned = await nudges.plan_nudges(db, deps.clock, deps.calendar)
        await questions.mark_escalations(db, deps.clock, deps.calendar)
    if any(p.due_at <= deps.clock.now() for p in planned):
        deps.wake_dispatcher()
    return len(planned)


async def roll_series(deps: Deps) -> int:
    """Create the next occurrences of recurring deadlines; how many were created."""
    async with deps.sessions() as db, db.begin():
        created = await deadlines.roll_forward(db, deps.clock, deps.calendar)
    if created:
        deps.wake_dispatcher()
    return len(created)


async def purge_unconsented(deps: Deps) -> int:
    """Forget people who opened a link a week ago and never consented (UU 27/2022)."""
    async with deps.sessions() as db, db.begin():
        forgotten = await privacy.purge_unconsented(db, deps.clock)
    for person in forgotten:
        await privacy.remove_files(deps.settings.data_dir, person.evidence_paths)
    return len(forgotten)


Job = Callable[[Deps], Awaitable[int]]
# name, the job, seconds between runs, seconds before the first run.
JOBS: tuple[tuple[str, Job, float, float], ...] = (
    ("nudges", plan_nudges, NUDGE_PLAN_INTERVAL_S, 30),
    ("deadline-series", roll_series, DEADLINE_ROLL_INTERVAL_S, 20),
    ("unconsented", purge_unconsented, UNCONSENTED_PURGE_INTERVAL_S, 90),
)


def _woken(job: Job) -> Callable[[BotContext], Coroutine[Any, Any, None]]:
    async def run(context: BotContext) -> None:
        if not dispatcher.runner_of(context.deps).leadership.held:
            return  # with several processes, the one that dispatches runs the jobs
        await job(context.deps)

    return run


def install(app: BotApplication) -> None:
    """Let the JobQueue wake the jobs (the dispatcher has its own wake-up)."""
    if app.job_queue is None:
        raise RuntimeError("the JobQueue is missing: install python-telegram-bot[job-queue]")
    for name, job, interval, first in JOBS:
        app.job_queue.run_repeating(
            _woken(job), interval=interval, first=first, name=name, job_kwargs=JOB_KWARGS
        )
    app.job_queue.run_repeating(
        _broadcast_progress,
        interval=broadcasting.PROGRESS_EVERY.total_seconds(),
        first=2,
        name="broadcast-progress",
        job_kwargs=JOB_KWARGS,
    )
    database = sqlite_file(app.bot_data.require().settings.database_url)
    if database is not None:  # every process that writes, not only the dispatching one
        app.job_queue.run_repeating(
            _checkpoint(database),
            interval=CHECKPOINT_INTERVAL_S,
            first=CHECKPOINT_INTERVAL_S,
            name="wal-checkpoint",
            job_kwargs=JOB_KWARGS,
        )


async def _broadcast_progress(context: BotContext) -> None:
    """Broadcasts: start those due, show their progress (it needs the bot to edit)."""
    await broadcasting.refresh(context.deps, context.bot)


def _checkpoint(database: str) -> Callable[[BotContext], Coroutine[Any, Any, None]]:
    async def run(_context: BotContext) -> None:
        """SQLite: the write-ahead log into the database file, off the loop (db.checkpoints)."""
        try:
            await checkpoint_in_thread(database)
        except sqlite3.Error as exc:  # tried again next time; a COMMIT checkpoints past a backstop
            log.warning("WAL checkpoint failed: %s", exc)

    return run
