"""One dispatcher pass: claim due rows, compose them, send at one pace, record the outcomes.

`dispatch_once` repeats, until no due row remains:

1. claim a batch of due rows in one short transaction (`rows.claim_due`), and the next one
   whenever fewer than half a batch wait to be sent: claiming never stalls the sends;
2. compose each row with the composer of its kind (`bot.compose`), read only;
3. send with no transaction open, through the bot's one limiter (`pacing.Pacer`): evenly
   spaced a little under `max_sends_per_second` (or the paid rate for a paid broadcast),
   at most one message a second to one person, replies to people first; a 429 pauses every
   send. Just before its send a row is marked `sending` (marks asked for within 10 ms share
   one write, which also records the outcomes known so far);
4. when the pass ends, however it ends, rows never tried go back to pending at once.

Delivery is at most once, and nothing untried is dropped: only a row whose send started and
got no answer (a read timeout, a connection dropped after the request went out, a process
killed mid-send) is `unknown`, never retried. A claimed row of a process that died is given
back when its lease runs out. A send that certainly did not go out (5xx, 429, no connection)
is retried with back-off. A row claimed more than `LATE_AFTER` after its due time has
`row.late` set, so its composer may say it comes late.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import limits, sending
from bot.clock import Clock
from bot.compose import KINDS, Kind
from bot.context import Deps
from bot.dispatcher import rows
from bot.dispatcher.composing import Outgoing, compose
from bot.dispatcher.pacing import Pacer, pacer_of
from bot.dispatcher.rows import LEASE, Outcome
from db.models import OutboxState

log = logging.getLogger(__name__)

# A row not yet sent this close to the end of its lease goes back to pending unsent.
LEASE_MARGIN = timedelta(minutes=1)
# Attempts that failed for a passing reason (5xx, no connection) before the row fails.
MAX_ATTEMPTS = 5
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
# Rows claimed at once; a batch is sent well within the lease at 30 messages a second.
DEFAULT_BATCH = 200
# People served at once within a batch (each person's rows go one after another). A send
# waits for its slot, ~10 ms for its mark and then for Telegram: at the paid rate about 30
# are under way at any moment, more when the event loop lags.
MAX_CONCURRENT_SENDS = 64
# Outcomes recorded together in one transaction when no mark carries them sooner.
RECORD_EVERY = 100
# `sending` marks asked for within this time share one write (each write costs about as much
# CPU as a send): about ten rows at the paid rate of 1,000 a second, one at Telegram's 30.
MARK_GATHER_S = 0.01
# A group this large is written at once.
MARK_GROUP = 64


@dataclass
class DispatchReport:
    """What one pass did, counted by outcome."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0  # back to pending: 429, a passing failure, or a lease nearly over
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    unknown: int = 0  # sends whose answer never came (here or in a dead process)
    released: int = 0  # claimed by a dead process and never tried: pending again

    def count(self, state: OutboxState) -> None:
        name = "retried" if state is OutboxState.PENDING else state.value
        setattr(self, name, getattr(self, name) + 1)

    def merge(self, other: DispatchReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class _Ledger:
    """What a pass writes while it sends: `sending` marks and outcomes, in short transactions.

    A mark is committed before its send starts. The first mark of a group waits
    `MARK_GATHER_S` for others (or `MARK_GROUP` of them), then one write marks them all and
    carries the outcomes collected so far; each sender sends as soon as it is written.
    """

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    worker_id: str
    report: DispatchReport
    unsettled: set[int] = field(default_factory=set)  # rows held with no outcome written
    outcomes: list[Outcome] = field(default_factory=list)
    marks: dict[int, asyncio.Future[bool]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def mark(self, row_id: int) -> bool:
        """Mark the row's send as started; False when this worker no longer holds it."""
        held: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.marks[row_id] = held
        if len(self.marks) == 1:  # the first of a group gathers the others, then writes
            try:
                await asyncio.sleep(MARK_GATHER_S)
            except BaseException:  # cancelled: nothing of the group is written or sent
                marks, self.marks = self.marks, {}
                for future in marks.values():
                    future.cancel()
                raise
            await self._write()
        elif len(self.marks) >= MARK_GROUP:
            await self._write()
        return await held

    async def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if len(self.outcomes) >= RECORD_EVERY:
            await self._write()

    async def flush(self) -> None:
        await self._write()

    async def _write(self) -> None:
        async with self.lock:
            marks, self.marks = self.marks, {}
            outcomes, self.outcomes = self.outcomes, []
            if not marks and not outcomes:
                return
            try:
                async with self.sessions() as db, db.begin():
                    held = await rows.mark_sending(db, self.worker_id, marks) if marks else set()
                    if outcomes:
                        await rows.record(db, self.clock, self.worker_id, outcomes)
            except Exception as exc:
                for future in marks.values():  # each sender learns it; none sends
                    future.set_exception(exc)
                if not marks:
                    raise
                return
            except BaseException:  # cancelled: so are the senders waiting for this write
                for future in marks.values():
                    future.cancel()
                raise
            for row_id, future in marks.items():
                future.set_result(row_id in held)
            for outcome in outcomes:
                self.report.count(outcome.state)
                self.unsettled.discard(outcome.row_id)


async def dispatch_once(
    deps: Deps,
    bot: Bot,
    *,
    worker_id: str,
    limit: int = DEFAULT_BATCH,
    pacer: Pacer | None = None,
    kinds: Mapping[str, Kind[Any]] = KINDS,
) -> DispatchReport:
    """One pass: expire dead leases, then claim, compose, send and record until none is due.

    Claiming and composing run beside the sends: the next batch is claimed and composed while
    the current one goes out, so the sends never wait for the database between batches.
    """
    pacer = pacer or pacer_of(bot, deps.settings.max_sends_per_second)
    report = DispatchReport()

    async def claim(*, first: bool = False) -> list[int]:
        async with deps.sessions() as db, db.begin():
            if first:
                expired = await rows.expire_leases(db, deps.clock)
                report.released += expired.released
                report.unknown += expired.unknown
            ids = await rows.claim_due(db, deps.clock, worker_id, limit)
        unsettled.update(ids)
        report.claimed += len(ids)
        return ids

    unsettled: set[int] = set()  # claimed by this pass, no outcome written yet
    ids = await claim(first=True)  # one short transaction when nothing is due
    if not ids:
        return report
    ledger = _Ledger(deps.sessions, deps.clock, worker_id, report, unsettled)
    queue = _Queue(low_water=max(1, limit // 2))

    async def produce(ids: list[int]) -> None:
        """Compose a batch, then claim the next whenever the queue runs low, until none."""
        try:
            while ids:
                async for outgoing, outcomes in compose(deps, kinds, ids):
                    for outcome in outcomes:  # recorded once the compose session is closed
                        await ledger.add(outcome)
                    queue.put(outgoing)
                await queue.wait_until_low()
                ids = await claim()
        finally:
            queue.close()

    async def serve() -> None:
        """Send one person's rows in order, one person after another."""
        while (chat := await queue.next_chat()) is not None:
            blocked = False
            while (item := queue.pop(chat)) is not None:
                if blocked:  # Telegram refused this person a moment ago: do not knock again
                    error = "recipient unreachable (blocked the bot)"
                    outcome: Outcome | None = Outcome(
                        item.row_id, OutboxState.BLOCKED, item.due_at, item.attempts, error=error
                    )
                else:
                    outcome = await _send_one(deps.clock, bot, pacer, ledger, item)
                    blocked = outcome is not None and outcome.state is OutboxState.BLOCKED
                if outcome is not None:
                    await ledger.add(outcome)

    try:
        # A task group: when one sender fails the others stop before the pass is settled.
        async with asyncio.TaskGroup() as group:
            group.create_task(produce(ids))
            for _ in range(MAX_CONCURRENT_SENDS):
                group.create_task(serve())
    finally:  # also when cancelled: what was learnt is kept, nothing untried stays held
        await _settle(deps, worker_id, ledger)
    return report


class _Queue:
    """Composed rows waiting to be sent, per person in order; people are served concurrently."""

    def __init__(self, low_water: int) -> None:
        self.low_water = low_water
        self.waiting = 0  # rows composed and not yet taken by a sender
        self._by_chat: dict[int, deque[Outgoing]] = {}
        self._ready: deque[int] = deque()  # people with rows that no sender serves yet
        self._changed = asyncio.Event()
        self._closed = False

    def put(self, items: list[Outgoing]) -> None:
        for item in items:
            rows_of = self._by_chat.get(item.chat_id)
            if rows_of is None:  # nobody serves this person now
                rows_of = self._by_chat[item.chat_id] = deque()
                self._ready.append(item.chat_id)
            rows_of.append(item)
        self.waiting += len(items)
        self._changed.set()

    def close(self) -> None:
        """Nothing more will come."""
        self._closed = True
        self._changed.set()

    async def wait_until_low(self) -> None:
        while self.waiting > self.low_water:
            self._changed.clear()
            await self._changed.wait()

    async def next_chat(self) -> int | None:
        """A person to serve, or None once everything was taken and nothing more comes."""
        while not self._ready:
            if self._closed:
                return None
            self._changed.clear()
            await self._changed.wait()
        return self._ready.popleft()

    def pop(self, chat_id: int) -> Outgoing | None:
        """The person's next row; None when they have none left (their sender moves on)."""
        rows_of = self._by_chat[chat_id]
        if not rows_of:
            del self._by_chat[chat_id]
            return None
        self.waiting -= 1
        if self.waiting <= self.low_water:
            self._changed.set()
        return rows_of.popleft()


async def _settle(deps: Deps, worker_id: str, ledger: _Ledger) -> None:
    try:
        await ledger.flush()
    finally:
        if ledger.unsettled:  # rows never tried, or sends cut off (a cancelled pass)
            async with deps.sessions() as db, db.begin():
                released, unknown = await rows.settle(db, worker_id, sorted(ledger.unsettled))
        else:
            released = unknown = 0
        ledger.report.retried += released
        ledger.report.unknown += unknown


async def _send_one(
    clock: Clock, bot: Bot, pacer: Pacer, ledger: _Ledger, item: Outgoing
) -> Outcome | None:
    """Send one row; its outcome, or None when the row was taken from this worker."""
    paid = item.reply.paid
    await pacer.slot(item.chat_id, paid=paid)
    if clock.now() - item.claimed_at > LEASE - LEASE_MARGIN:
        # Held too long (a long flood pause): give it back unsent before the lease runs out.
        return Outcome(item.row_id, OutboxState.PENDING, item.due_at, item.attempts - 1)
    if not await ledger.mark(item.row_id):
        log.warning("outbox row %s is no longer held by this worker: not sent", item.row_id)
        return None
    lane = limits.SENDING_LANE.set(limits.Lane.PAID if paid else limits.Lane.BACKGROUND)
    try:
        message_id = await sending.send_reply(bot, item.chat_id, item.reply)
    except TelegramError as exc:
        return _after_error(clock, pacer, item, exc)
    except Exception as exc:
        log.exception("sending outbox row %s failed unexpectedly", item.row_id)
        return Outcome(
            item.row_id, OutboxState.FAILED, item.due_at, item.attempts, error=repr(exc)
        )
    finally:
        limits.SENDING_LANE.reset(lane)
    return Outcome(
        item.row_id,
        OutboxState.SENT,
        item.due_at,
        item.attempts,
        sent_at=clock.now(),
        telegram_message_id=message_id,
    )


def _after_error(clock: Clock, pacer: Pacer, item: Outgoing, exc: TelegramError) -> Outcome:
    """What a failed send means for the row (and maybe the person)."""
    now = clock.now()
    reason = f"{type(exc).__name__}: {exc.message}"
    outcome = limits.classify(exc)
    if isinstance(exc, InvalidToken):  # our configuration, not the message: try later
        outcome = limits.SendOutcome.RETRY
    if outcome is limits.SendOutcome.BLOCKED:
        log.info("outbox row %s: person %s is unreachable", item.row_id, item.recipient_id)
        return Outcome(
            item.row_id,
            OutboxState.BLOCKED,
            item.due_at,
            item.attempts,
            error=reason,
            unreachable_person=item.recipient_id,
        )
    if outcome is not limits.SendOutcome.RETRY:
        return Outcome(item.row_id, OutboxState.FAILED, item.due_at, item.attempts, error=reason)
    flood = limits.retry_after_seconds(exc)
    if flood is not None:
        pacer.pause(flood)
        log.warning("flood limit: every send pauses for %.0f s", flood)
        # Not a failure of this row: the claim's attempt is given back.
        return Outcome(
            item.row_id,
            OutboxState.PENDING,
            now + timedelta(seconds=flood),
            item.attempts - 1,
            error=reason,
        )
    if limits.may_have_arrived(exc):
        log.warning("outbox row %s: no answer after sending, outcome unknown", item.row_id)
        return Outcome(
            item.row_id,
            OutboxState.UNKNOWN,
            item.due_at,
            item.attempts,
            error=f"no answer from Telegram, may have been delivered ({reason})",
        )
    if item.attempts >= MAX_ATTEMPTS:
        return Outcome(
            item.row_id,
            OutboxState.FAILED,
            item.due_at,
            item.attempts,
            error=f"gave up after {item.attempts} attempts: {reason}",
        )
    delay = BACKOFF[min(item.attempts, len(BACKOFF)) - 1]
    return Outcome(item.row_id, OutboxState.PENDING, now + delay, item.attempts, error=reason)
