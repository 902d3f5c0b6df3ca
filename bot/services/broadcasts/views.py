"""What a broadcast is and how screens see it: its content, audience, counts and history.

The outbox rows of one broadcast share the key `broadcast:<id>` (the outbox's unique
(kind, recipient, key) keeps it to one row per person); the counts are read from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import NotFound
from bot.services.outbox import Payload
from db.models import (
    Agency,
    Audience,
    Broadcast,
    BroadcastState,
    FileKind,
    OutboxMessage,
    OutboxState,
    Person,
)

KIND = "broadcast"
# Rows of a paused broadcast wait until this moment, i.e. until the coordinator goes on.
PAUSED_DUE = datetime(2999, 1, 1, tzinfo=UTC)
# Telegram Stars a paid broadcast costs per message (allow_paid_broadcast).
STARS_PER_MESSAGE = 0.1
# A broadcast may be scheduled this far ahead at most.
MAX_AHEAD = timedelta(days=366)
# Open states: rows may still go out.
ACTIVE = (BroadcastState.SENDING, BroadcastState.PAUSED)
UNSENT = (OutboxState.PENDING, OutboxState.CLAIMED)
NOT_REACHED = (OutboxState.BLOCKED, OutboxState.FAILED, OutboxState.UNKNOWN)
UNDER_WAY = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)


class BroadcastRef(Payload):
    """A broadcast row names its broadcast; the text is read when the row is sent."""

    KINDS = (KIND,)

    broadcast_id: int


def key(broadcast_id: int) -> str:
    """The dedupe key every row of one broadcast shares."""
    return f"broadcast:{broadcast_id}"


@dataclass(frozen=True)
class Content:
    """What recipients see: Telegram HTML and maybe a file (photo or document) by file id."""

    text: str
    file_id: str | None
    file_kind: FileKind | None
    paid: bool


@dataclass(frozen=True)
class Target:
    """An audience, with the sector or agency it needs, and the agency's name to show."""

    audience: Audience
    sector: str | None = None
    agency_id: int | None = None
    agency_name: str | None = None
    people: tuple[int, ...] = ()  # audience `picked`: person ids


@dataclass(frozen=True)
class Reach:
    """Who an audience reaches now, and who is left out (each person counted once)."""

    recipients: tuple[int, ...]  # person ids
    unreachable: int  # blocked the bot
    no_consent: int  # never agreed to (or withdrew) the privacy notice
    paused: int  # a coordinator paused their access

    @property
    def left_out(self) -> int:
        return self.unreachable + self.no_consent + self.paused


@dataclass(frozen=True)
class Counts:
    """A started broadcast's rows, by outcome."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0  # a send started and no answer came: maybe delivered, never re-sent
    skipped: int = 0  # cancelled, or the person's access was paused meanwhile
    remaining: int = 0

    @property
    def total(self) -> int:
        return (
            self.sent + self.blocked + self.failed + self.unknown + self.skipped + self.remaining
        )

    def shown(self) -> str:
        """A short signature: the progress view is edited only when it changes."""
        return (
            f"{self.sent}/{self.blocked}/{self.failed}/{self.unknown}/{self.skipped}/"
            f"{self.remaining}"
        )


@dataclass(frozen=True)
class View:
    """One broadcast as screens show it."""

    id: int
    content: Content
    target: Target | None
    state: BroadcastState
    due_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    recipients: int
    left_unreachable: int
    left_no_consent: int
    left_paused: int
    counts: Counts
    progress_chat_id: int | None
    progress_message_id: int | None

    @property
    def left_out(self) -> int:
        return self.left_unreachable + self.left_no_consent + self.left_paused


@dataclass(frozen=True)
class Unreached:
    """A recipient the message did not (certainly) reach."""

    name: str
    state: OutboxState


async def get(db: AsyncSession, broadcast_id: int) -> Broadcast:
    found = await db.get(Broadcast, broadcast_id)
    if found is None:
        raise NotFound()
    return found


def rows_of(broadcast_id: int, states: Iterable[OutboxState]) -> ColumnElement[bool]:
    return (
        (OutboxMessage.kind == KIND)
        & (OutboxMessage.dedupe_key == key(broadcast_id))
        & OutboxMessage.state.in_(list(states))
    )


async def target_of(db: AsyncSession, broadcast: Broadcast) -> Target | None:
    if broadcast.audience is None:
        return None
    agency = await db.get(Agency, broadcast.agency_id) if broadcast.agency_id else None
    return Target(
        broadcast.audience,
        broadcast.sector,
        broadcast.agency_id,
        agency.name if agency is not None else None,
        tuple(broadcast.picked or ()),
    )


async def counts(db: AsyncSession, broadcast_id: int) -> Counts:
    """The broadcast's rows by outcome (one indexed query)."""
    stmt = (
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.kind == KIND, OutboxMessage.dedupe_key == key(broadcast_id))
        .group_by(OutboxMessage.state)
    )
    by_state: dict[OutboxState, int] = dict((await db.execute(stmt)).all())
    return Counts(
        sent=by_state.get(OutboxState.SENT, 0),
        blocked=by_state.get(OutboxState.BLOCKED, 0),
        failed=by_state.get(OutboxState.FAILED, 0),
        unknown=by_state.get(OutboxState.UNKNOWN, 0),
        skipped=by_state.get(OutboxState.SKIPPED, 0),
        remaining=sum(by_state.get(s, 0) for s in UNDER_WAY),
    )


async def view_of(db: AsyncSession, broadcast: Broadcast) -> View:
    return View(
        id=broadcast.id,
        content=Content(broadcast.text, broadcast.file_id, broadcast.file_kind, broadcast.paid),
        target=await target_of(db, broadcast),
        state=broadcast.state,
        due_at=broadcast.due_at,
        created_at=broadcast.created_at,
        finished_at=broadcast.finished_at,
        recipients=broadcast.recipients,
        left_unreachable=broadcast.left_unreachable,
        left_no_consent=broadcast.left_no_consent,
        left_paused=broadcast.left_paused,
        counts=await counts(db, broadcast.id)
        if broadcast.state is not BroadcastState.DRAFT
        else Counts(),
        progress_chat_id=broadcast.progress_chat_id,
        progress_message_id=broadcast.progress_message_id,
    )


async def view(db: AsyncSession, broadcast_id: int) -> View:
    return await view_of(db, await get(db, broadcast_id))


async def content_of(db: AsyncSession, broadcast_id: int) -> Content | None:
    """What a row of this broadcast says; None once it was cancelled."""
    broadcast = await db.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.state is BroadcastState.CANCELLED:
        return None
    return Content(broadcast.text, broadcast.file_id, broadcast.file_kind, broadcast.paid)


async def history(db: AsyncSession, limit: int = 10) -> list[View]:
    """Scheduled broadcasts (soonest first), then the latest started ones; no drafts."""
    scheduled = (
        await db.scalars(
            select(Broadcast)
            .where(Broadcast.state == BroadcastState.SCHEDULED)
            .order_by(Broadcast.due_at, Broadcast.id)
            .limit(limit)
        )
    ).all()
    started = (
        await db.scalars(
            select(Broadcast)
            .where(Broadcast.state.not_in((BroadcastState.DRAFT, BroadcastState.SCHEDULED)))
            .order_by(Broadcast.due_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
    ).all()
    return [await view_of(db, b) for b in (*scheduled, *started)]


async def unreached(db: AsyncSession, broadcast_id: int) -> list[Unreached]:
    """Recipients it did not reach (blocked, failed) or maybe reached (unknown), by name."""
    stmt = (
        select(Person.full_name, OutboxMessage.state)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .where(rows_of(broadcast_id, NOT_REACHED))
        .order_by(Person.full_name, Person.id)
    )
    return [Unreached(name, state) for name, state in (await db.execute(stmt)).all()]


# --- exports -----------------------------------------------------------------------------------


async def all_for_export(db: AsyncSession) -> list[tuple[View, str | None]]:
    """Every broadcast but drafts, oldest first, with the name of whoever sent it."""
    stmt = (
        select(Broadcast, Person.full_name)
        .outerjoin(Person, Person.id == Broadcast.created_by_id)
        .where(Broadcast.state != BroadcastState.DRAFT)
        .order_by(Broadcast.created_at, Broadcast.id)
    )
    return [(await view_of(db, b), name) for b, name in (await db.execute(stmt)).all()]
