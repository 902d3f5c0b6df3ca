"""The outbox dispatcher: claims due rows, composes them, sends at one pace, records outcomes.

One pass (`dispatch_once`) repeats, until no due row remains:

1. claim a batch of due rows in one short transaction (`claim_due`: one UPDATE ... RETURNING;
   on PostgreSQL the inner SELECT takes `FOR UPDATE SKIP LOCKED`, SQLite has one writer);
2. compose each row with the composer registered for its kind (`bot.composers`), in a
   session that is rolled back: composing writes nothing;
3. send with no transaction open, paced: evenly spaced at `max_sends_per_second` overall and
   at most one message a second to one person; a 429 pauses the whole pass;
4. record the outcomes in short transactions, only on rows this worker still holds.

Delivery is at most once. A row is claimed before it is sent, and a claimed row is never
claimed again: when a process dies between claim and record, its rows stay `claimed` until
their lease (`LEASE`) runs out, then become `unknown` and are logged, never re-sent. The
same goes for a send whose answer never came (a read timeout, a connection dropped after the
request went out): Telegram may have delivered it, so the row is `unknown`, not retried. A
send that certainly did not go out (5xx, 429, no connection) is retried with back-off.

Catch-up after downtime: every due row is sent once, oldest first. Rows claimed together
that carry the same `payload["subject"]` for the same recipient and kind group
(`payload["group"]`, else the kind) are made pointless by the newest one: only that one is
sent, the older ones are skipped. A row claimed more than `LATE_AFTER` after its due time has
`row.late` set, so its composer may say it comes late.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import limits
from bot.clock import Clock
from bot.composers import COMPOSERS
from bot.context import BotApplication, BotContext, Deps
from bot.render import Reply
from bot.services import people, roles
from db.models import OutboxMessage, OutboxState, Person

log = logging.getLogger(__name__)

# A claimed row whose outcome is not recorded within this time was held by a dead process.
LEASE = timedelta(minutes=5)
# A row not yet sent this close to the end of its lease goes back to pending unsent.
LEASE_MARGIN = timedelta(minutes=1)
# Claimed this long after its due time (the bot was down): the row is marked late.
LATE_AFTER = timedelta(hours=1)
# Attempts that failed for a passing reason (5xx, no connection) before the row fails.
MAX_ATTEMPTS = 5
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
# Telegram: about one message a second to one chat.
PER_CHAT_GAP_S = 1.0
# Rows claimed at once; a batch is sent well within the lease at 30 messages a second.
DEFAULT_BATCH = 200
# People served at once within a batch (each person's rows go one after another).
MAX_CONCURRENT_SENDS = 32
# Outcomes recorded together in one transaction.
RECORD_EVERY = 100

# httpx errors raised after the request went out: Telegram may have acted on it.
_AFTER_SENDING = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
)


def new_worker_id() -> str:
    """Host, process and a random part: two processes (or two runners) never share one."""
    host = socket.gethostname()[:40]
    return f"{host}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class DispatchReport:
    """What one pass did, counted by outcome."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0  # back to pending: 429, a passing failure, or a lease nearly over
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    unknown: int = 0  # leases expired, or sends whose answer never came

    def count(self, state: OutboxState) -> None:
        name = "retried" if state is OutboxState.PENDING else state.value
        setattr(self, name, getattr(self, name) + 1)

    def merge(self, other: DispatchReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Pacer:
    """Spaces sends evenly at `rate` a second, one chat at most every `per_chat_gap` s.

    There is no burst allowance: slot n is at start + n / rate. A 429 pauses every sender.
    Times are the event loop's monotonic clock: pacing is about real seconds, not "now".
    """

    def __init__(self, rate: float, per_chat_gap: float = PER_CHAT_GAP_S) -> None:
        self.interval = 1.0 / rate
        self.per_chat_gap = per_chat_gap
        self._next = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}

    def pause(self, seconds: float) -> None:
        """Telegram's flood limit is global: nobody sends for `seconds`."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)

    async def slot(self, chat_id: int) -> None:
        """Wait for this chat's turn and a free overall slot."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = max(self._chat_next.get(chat_id, 0.0), self._paused_until) - now
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            moment = max(now, self._next)
            self._next = moment + self.interval
            self._chat_next[chat_id] = moment + self.per_chat_gap
            if moment > now:
                await asyncio.sleep(moment - now)
            if self._paused_until <= loop.time():
                break
        if len(self._chat_next) > 10_000:
            now = loop.time()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}


# --- the database steps ---------------------------------------------------------------------


async def claim_due(db: AsyncSession, clock: Clock, worker_id: str, limit: int) -> list[int]:
    """Claim up to `limit` due pending rows, oldest first, in one statement; returns their ids.

    The caller owns the (short) transaction. Each claim counts as an attempt.
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


async def expire_leases(db: AsyncSession, clock: Clock, lease: timedelta = LEASE) -> int:
    """Rows claimed longer than the lease by a process that never recorded them: unknown.

    They are not sent again (the dead process may have sent them): at most once.
    """
    stmt = (
        update(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.CLAIMED,
            OutboxMessage.claimed_at < clock.now() - lease,
        )
        .values(
            state=OutboxState.UNKNOWN,
            error="the sending process stopped before recording the outcome",
        )
        .returning(OutboxMessage.id, OutboxMessage.claimed_by)
        .execution_options(synchronize_session=False)
    )
    expired = (await db.execute(stmt)).all()
    for row_id, worker in expired:
        log.warning("outbox row %s claimed by %s: outcome unknown, not re-sent", row_id, worker)
    return len(expired)


async def unreachable_people(db: AsyncSession) -> Sequence[Person]:
    """People Telegram refused to deliver to (they blocked the bot), most recent first."""
    stmt = (
        select(Person)
        .where(Person.unreachable_since.is_not(None))
        .order_by(Person.unreachable_since.desc(), Person.id)
    )
    return (await db.scalars(stmt)).all()


# --- one pass -------------------------------------------------------------------------------


@dataclass
class _Outcome:
    """The new state of one claimed row; every field is written (one executemany)."""

    row_id: int
    state: OutboxState
    due_at: datetime
    attempts: int
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    error: str | None = None
    unreachable_person: int | None = None  # mark this person unreachable too


@dataclass
class _Outgoing:
    row_id: int
    recipient_id: int
    chat_id: int
    reply: Reply
    due_at: datetime
    attempts: int
    claimed_at: datetime


@dataclass
class _Recorder:
    """Collects outcomes and writes them in short transactions, RECORD_EVERY at a time."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    worker_id: str
    report: DispatchReport
    pending: list[_Outcome] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def add(self, outcome: _Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= RECORD_EVERY:
            await self.flush()

    async def flush(self) -> None:
        async with self.lock:
            batch, self.pending = self.pending, []
            if not batch:
                return
            await _record(self.sessions, self.clock, self.worker_id, batch)
            for outcome in batch:
                self.report.count(outcome.state)


_RECORD = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id == bindparam("row_id"),
        OutboxMessage.state == OutboxState.CLAIMED,
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


async def _record(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    worker_id: str,
    batch: list[_Outcome],
) -> None:
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
    async with sessions() as db, db.begin():
        conn = await db.connection()
        result = await conn.execute(_RECORD, params)
        written = result.rowcount
        for person_id in {o.unreachable_person for o in batch if o.unreachable_person}:
            await people.mark_unreachable(db, clock, person_id)
    if written != len(batch):
        log.warning(
            "%d outbox outcomes not recorded: the rows were no longer held by %s",
            len(batch) - written,
            worker_id,
        )


async def dispatch_once(
    deps: Deps,
    bot: Bot,
    *,
    worker_id: str,
    limit: int = DEFAULT_BATCH,
    pacer: Pacer | None = None,
) -> DispatchReport:
    """One pass: expire dead leases, then claim, compose, send and record until none is due."""
    pacer = pacer or Pacer(deps.settings.max_sends_per_second)
    report = DispatchReport()
    first = True
    while True:
        async with deps.sessions() as db, db.begin():
            if first:
                report.unknown += await expire_leases(db, deps.clock)
                first = False
            ids = await claim_due(db, deps.clock, worker_id, limit)
        if not ids:
            return report
        report.claimed += len(ids)
        recorder = _Recorder(deps.sessions, deps.clock, worker_id, report)
        outgoing, outcomes = await _compose(deps, ids)
        for outcome in outcomes:  # recorded once the compose session is closed
            await recorder.add(outcome)
        await _send_all(deps.clock, bot, pacer, outgoing, recorder)
        await recorder.flush()


async def _compose(deps: Deps, ids: list[int]) -> tuple[list[_Outgoing], list[_Outcome]]:
    """Turn claimed rows into replies (read only); rows that will not be sent get outcomes."""
    outgoing: list[_Outgoing] = []
    outcomes: list[_Outcome] = []
    async with deps.sessions() as db:
        transaction = await db.begin()
        try:
            rows = (
                await db.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .order_by(OutboxMessage.due_at, OutboxMessage.id)
                )
            ).all()
            recipients = {r.recipient_id for r in rows}
            persons = {
                p.id: p
                for p in (await db.scalars(select(Person).where(Person.id.in_(recipients)))).all()
            }
            newest = _newest_per_subject(rows)
            for row in rows:
                made = await _compose_row(db, deps, row, persons.get(row.recipient_id), newest)
                if isinstance(made, _Outcome):
                    outcomes.append(made)
                else:
                    outgoing.append(made)
        finally:
            await transaction.rollback()
    return outgoing, outcomes


async def _compose_row(
    db: AsyncSession,
    deps: Deps,
    row: OutboxMessage,
    person: Person | None,
    newest: dict[tuple[int, str, str], int],
) -> _Outgoing | _Outcome:
    """The reply for one claimed row, or the row's final outcome when it will not be sent."""

    def final(state: OutboxState, error: str | None) -> _Outcome:
        return _Outcome(row.id, state, row.due_at, row.attempts, error=error)

    key = _subject_key(row)
    later = newest.get(key, row.id) if key is not None else row.id
    if later != row.id:
        return final(OutboxState.SKIPPED, f"made pointless by a later message ({later})")
    if person is None:
        return final(OutboxState.FAILED, "recipient not found")
    if person.unreachable_since is not None:
        since = person.unreachable_since.isoformat()
        return final(OutboxState.BLOCKED, f"recipient unreachable since {since}")
    if person.deactivated_at is not None and row.kind not in roles.KINDS_FOR_PAUSED:
        return final(OutboxState.SKIPPED, "recipient's access is paused")
    composer = COMPOSERS.get(row.kind)
    if composer is None:
        return final(OutboxState.FAILED, f"no composer for kind {row.kind!r}")
    try:
        async with db.begin_nested():  # a failing composer leaves the session usable
            reply = await composer(db, deps, deps.i18n.translator(person.locale), row)
    except Exception as exc:
        log.exception("composer for %s failed on outbox row %s", row.kind, row.id)
        return final(OutboxState.FAILED, f"composer failed: {exc!r}")
    if reply is None:
        return final(OutboxState.SKIPPED, None)
    claimed_at = row.claimed_at or deps.clock.now()
    return _Outgoing(
        row.id, person.id, person.telegram_id, reply, row.due_at, row.attempts, claimed_at
    )


def _subject_key(row: OutboxMessage) -> tuple[int, str, str] | None:
    subject = row.payload.get("subject") if isinstance(row.payload, dict) else None
    if subject is None:
        return None
    group = row.payload.get("group") or row.kind
    return (row.recipient_id, str(group), str(subject))


def _newest_per_subject(rows: Sequence[OutboxMessage]) -> dict[tuple[int, str, str], int]:
    """For each (recipient, group, subject): the id of the newest row (rows come oldest first)."""
    newest: dict[tuple[int, str, str], int] = {}
    for row in rows:
        key = _subject_key(row)
        if key is not None:
            newest[key] = row.id
    return newest


async def _send_all(
    clock: Clock, bot: Bot, pacer: Pacer, outgoing: list[_Outgoing], recorder: _Recorder
) -> None:
    """Send per person in order, people concurrently; the pacer keeps the overall rate."""
    by_chat: defaultdict[int, list[_Outgoing]] = defaultdict(list)
    for item in outgoing:
        by_chat[item.chat_id].append(item)
    gate = asyncio.Semaphore(MAX_CONCURRENT_SENDS)

    async def serve(items: list[_Outgoing]) -> None:
        async with gate:
            blocked = False
            for item in items:
                if blocked:  # Telegram refused this person a moment ago: do not knock again
                    error = "recipient unreachable (blocked the bot)"
                    outcome = _Outcome(
                        item.row_id, OutboxState.BLOCKED, item.due_at, item.attempts, error=error
                    )
                else:
                    outcome = await _send_one(clock, bot, pacer, item)
                    blocked = outcome.state is OutboxState.BLOCKED
                await recorder.add(outcome)

    await asyncio.gather(*(serve(items) for items in by_chat.values()))


async def _send_one(clock: Clock, bot: Bot, pacer: Pacer, item: _Outgoing) -> _Outcome:
    from handlers.base import send_reply  # handlers import the app's types; import late

    if clock.now() - item.claimed_at > LEASE - LEASE_MARGIN:
        # Held too long (a long flood pause): give it back unsent before the lease runs out.
        return _Outcome(item.row_id, OutboxState.PENDING, item.due_at, item.attempts - 1)
    await pacer.slot(item.chat_id)
    try:
        message = await send_reply(bot, item.chat_id, item.reply)
    except TelegramError as exc:
        return _after_error(clock, pacer, item, exc)
    except Exception as exc:
        log.exception("sending outbox row %s failed unexpectedly", item.row_id)
        return _Outcome(
            item.row_id, OutboxState.FAILED, item.due_at, item.attempts, error=repr(exc)
        )
    return _Outcome(
        item.row_id,
        OutboxState.SENT,
        item.due_at,
        item.attempts,
        sent_at=clock.now(),
        telegram_message_id=message.message_id,
    )


def _after_error(clock: Clock, pacer: Pacer, item: _Outgoing, exc: TelegramError) -> _Outcome:
    """What a failed send means for the row (and maybe the person)."""
    now = clock.now()
    reason = f"{type(exc).__name__}: {exc.message}"
    outcome = limits.classify(exc)
    if isinstance(exc, InvalidToken):  # our configuration, not the message: try later
        outcome = limits.SendOutcome.RETRY
    if outcome is limits.SendOutcome.BLOCKED:
        log.info("outbox row %s: person %s is unreachable", item.row_id, item.recipient_id)
        return _Outcome(
            item.row_id,
            OutboxState.BLOCKED,
            item.due_at,
            item.attempts,
            error=reason,
            unreachable_person=item.recipient_id,
        )
    if outcome is not limits.SendOutcome.RETRY:
        return _Outcome(item.row_id, OutboxState.FAILED, item.due_at, item.attempts, error=reason)
    flood = limits.retry_after_seconds(exc)
    if flood is not None:
        pacer.pause(flood)
        log.warning("flood limit: every send pauses for %.0f s", flood)
        # Not a failure of this row: the claim's attempt is given back.
        return _Outcome(
            item.row_id,
            OutboxState.PENDING,
            now + timedelta(seconds=flood),
            item.attempts - 1,
            error=reason,
        )
    if isinstance(exc.__cause__, _AFTER_SENDING):
        log.warning("outbox row %s: no answer after sending, outcome unknown", item.row_id)
        return _Outcome(
            item.row_id,
            OutboxState.UNKNOWN,
            item.due_at,
            item.attempts,
            error=f"no answer from Telegram, may have been delivered ({reason})",
        )
    if item.attempts >= MAX_ATTEMPTS:
        return _Outcome(
            item.row_id,
            OutboxState.FAILED,
            item.due_at,
            item.attempts,
            error=f"gave up after {item.attempts} attempts: {reason}",
        )
    delay = BACKOFF[min(item.attempts, len(BACKOFF)) - 1]
    return _Outcome(item.row_id, OutboxState.PENDING, now + delay, item.attempts, error=reason)


# --- the wake-up ----------------------------------------------------------------------------


class DispatchRunner:
    """Runs passes for one application, never two at once in this process; also its waker."""

    def __init__(self, app: BotApplication, worker_id: str | None = None) -> None:
        self.app = app
        self.worker_id = worker_id or new_worker_id()
        self._lock = asyncio.Lock()
        self._again = False
        self._wake_scheduled = False
        self._pacer: Pacer | None = None

    @property
    def deps(self) -> Deps:
        deps = self.app.bot_data.deps
        if deps is None:
            raise RuntimeError("build_application() did not set the dependencies")
        return deps

    def __call__(self) -> None:
        """Wake: a pass runs soon (or the running pass goes round once more)."""
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
        if report.claimed or report.unknown:
            log.info("outbox pass by %s: %s", self.worker_id, report.as_dict())

    async def run_pass(self) -> DispatchReport:
        """One pass (waiting for a running one to end first), again if woken meanwhile."""
        deps = self.deps
        if self._pacer is None:
            self._pacer = Pacer(deps.settings.max_sends_per_second)
        report = DispatchReport()
        async with self._lock:
            while True:
                self._again = False
                report.merge(
                    await dispatch_once(
                        deps, self.app.bot, worker_id=self.worker_id, pacer=self._pacer
                    )
                )
                if not self._again:
                    return report


def install(app: BotApplication) -> DispatchRunner:
    """The JobQueue wakes the dispatcher every `dispatch_interval_s`; the DB holds the schedule."""
    deps = app.bot_data.deps
    if deps is None:
        raise RuntimeError("build_application() did not set the dependencies")
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


__all__ = [
    "BACKOFF",
    "LATE_AFTER",
    "LEASE",
    "MAX_ATTEMPTS",
    "DispatchReport",
    "DispatchRunner",
    "Pacer",
    "claim_due",
    "dispatch_once",
    "expire_leases",
    "install",
    "new_worker_id",
    "runner_of",
    "unreachable_people",
]
