"""Broadcasts: a coordinator's message to an audience, planned as one outbox row per person.

A broadcast is a draft until it is sent or scheduled; then every recipient gets one row of
kind `broadcast` (unique per broadcast and person: the outbox's (kind, recipient, key)). The
dispatcher sends them like any row, so a restart resumes where it stopped and nobody gets
the message twice. Pausing gives the unsent rows a far due time (rows a dispatcher had
claimed are taken back from it: it checks before each send); going on makes them due now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import people
from bot.services.calendar import WorkCalendar
from bot.services.errors import Invalid, NotFound, Stale
from bot.services.outbox import Payload
from db.models import (
    Agency,
    AgencyMember,
    Audience,
    Broadcast,
    BroadcastPick,
    BroadcastState,
    Business,
    FileKind,
    OutboxMessage,
    OutboxState,
    Person,
    PersonRole,
    Role,
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
_UNSENT = (OutboxState.PENDING, OutboxState.CLAIMED)
_UNDER_WAY = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)


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


class BadMoment(Invalid):
    """A typed moment that does not parse, has passed, or lies more than a year ahead."""


_MOMENT = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s+(?:pukul\s+)?(\d{1,2})[.:](\d{2})\s*(?:wita)?\s*$",
    re.IGNORECASE,
)


def parse_moment(text: str, clock: Clock, cal: WorkCalendar) -> datetime:
    """`14-12-2026 09.00` (local time) as UTC; strictly to come, at most a year ahead."""
    match = _MOMENT.match(text)
    if match is None:
        raise BadMoment("")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        moment = cal.at_local(date(year, month, day), hour, minute)
    except ValueError:
        raise BadMoment("") from None
    _check_moment(clock, moment)
    return moment


# --- drafts and audiences -----------------------------------------------------------------


async def create_draft(db: AsyncSession, clock: Clock, by_id: int, content: Content) -> Broadcast:
    """Keep what the coordinator wrote; nothing is planned yet."""
    if not content.text.strip() and content.file_id is None:
        raise Invalid("")
    draft = Broadcast(
        created_by_id=by_id,
        text=content.text,
        file_id=content.file_id,
        file_kind=content.file_kind,
        paid=content.paid,
        state=BroadcastState.DRAFT,
        created_at=clock.now(),
    )
    db.add(draft)
    await db.flush()
    await people.audit(db, clock, by_id, "broadcast.draft", broadcast=draft.id)
    return draft


async def _get(db: AsyncSession, broadcast_id: int) -> Broadcast:
    found = await db.get(Broadcast, broadcast_id)
    if found is None:
        raise NotFound()
    return found


async def set_target(db: AsyncSession, broadcast_id: int, target: Target) -> None:
    """Choose the audience of a draft (a sector or agency where the audience needs one)."""
    draft = await _get(db, broadcast_id)
    if draft.state is not BroadcastState.DRAFT:
        raise Stale()
    if (target.audience is Audience.SECTOR) != (target.sector is not None):
        raise Stale()
    if (target.audience is Audience.AGENCY) != (target.agency_id is not None):
        raise Stale()
    if (target.audience is Audience.PICKED) != bool(target.people):
        raise Stale()
    if target.agency_id is not None and await db.get(Agency, target.agency_id) is None:
        raise NotFound()
    draft.audience, draft.sector, draft.agency_id = (
        target.audience,
        target.sector,
        target.agency_id,
    )
    draft.picked = list(target.people) if target.people else None


def _role(*roles: Role) -> ColumnElement[bool]:
    return Person.id.in_(select(PersonRole.person_id).where(PersonRole.role.in_(roles)))


def _audience_filter(target: Target) -> ColumnElement[bool]:
    match target.audience:
        case Audience.BUSINESSES:
            return _role(Role.UMKM)
        case Audience.SECTOR:
            owners = select(Business.owner_id).where(
                Business.sector == target.sector, Business.owner_id.is_not(None)
            )
            return Person.id.in_(owners) & _role(Role.UMKM)
        case Audience.FOCAL:
            return _role(Role.FOCAL)
        case Audience.AGENCY:
            members = select(AgencyMember.person_id).where(
                AgencyMember.agency_id == target.agency_id
            )
            return Person.id.in_(members) & _role(Role.FOCAL)
        case Audience.MENTORS:
            return _role(Role.MENTOR)
        case Audience.COORDINATORS:
            return _role(Role.COORDINATOR)
        case Audience.EVERYONE:
            return _role(*Role)
        case Audience.PICKED:
            return Person.id.in_(target.people)


async def reach(db: AsyncSession, target: Target) -> Reach:
    """Who the audience reaches now; paused, unconsented and unreachable people are counted."""
    stmt = (
        select(Person.id, Person.deactivated_at, Person.consent_at, Person.unreachable_since)
        .where(_audience_filter(target))
        .order_by(Person.id)
    )
    recipients: list[int] = []
    unreachable = no_consent = paused = 0
    for person_id, deactivated_at, consent_at, unreachable_since in await db.execute(stmt):
        if deactivated_at is not None:
            paused += 1
        elif consent_at is None:
            no_consent += 1
        elif unreachable_since is not None:
            unreachable += 1
        else:
            recipients.append(person_id)
    return Reach(tuple(recipients), unreachable, no_consent, paused)


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


# --- people picked in /orang -------------------------------------------------------------------


async def toggle_pick(db: AsyncSession, clock: Clock, picker_id: int, person_id: int) -> bool:
    """Pick a person for the coordinator's next broadcasts, or unpick them; True when picked."""
    found = await db.get(BroadcastPick, (picker_id, person_id))
    if found is not None:
        await db.delete(found)
        return False
    if await db.get(Person, person_id) is None:
        raise NotFound()
    db.add(BroadcastPick(picker_id=picker_id, person_id=person_id, created_at=clock.now()))
    await db.flush()
    return True


async def picked(db: AsyncSession, picker_id: int) -> tuple[int, ...]:
    """The people this coordinator picked, by id."""
    found = await db.scalars(
        select(BroadcastPick.person_id)
        .where(BroadcastPick.picker_id == picker_id)
        .order_by(BroadcastPick.person_id)
    )
    return tuple(found.all())


async def is_picked(db: AsyncSession, picker_id: int, person_id: int) -> bool:
    return await db.get(BroadcastPick, (picker_id, person_id)) is not None


async def clear_picks(db: AsyncSession, picker_id: int) -> None:
    await db.execute(delete(BroadcastPick).where(BroadcastPick.picker_id == picker_id))


async def draft_reach(db: AsyncSession, broadcast_id: int) -> tuple[View, Reach]:
    """A draft with its audience chosen, and whom it would reach now."""
    draft = await _get(db, broadcast_id)
    target = await target_of(db, draft)
    if draft.state is not BroadcastState.DRAFT or target is None:
        raise Stale()
    return await _view(db, draft), await reach(db, target)


# --- sending, scheduling, pausing ------------------------------------------------------------


async def _plan(
    db: AsyncSession, clock: Clock, broadcast_id: int, due_at: datetime, by_id: int
) -> Broadcast:
    """Move a draft on (once: a second tap finds it no longer a draft) and plan its rows."""
    moved = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state == BroadcastState.DRAFT)
        .values(state=BroadcastState.SCHEDULED)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]  # CursorResult has rowcount
        raise Stale()
    broadcast = await _get(db, broadcast_id)
    await db.refresh(broadcast)
    target = await target_of(db, broadcast)
    if target is None:
        raise Stale()
    found = await reach(db, target)
    now = clock.now()
    payload = BroadcastRef(broadcast_id=broadcast_id).model_dump(mode="json")
    if found.recipients:
        await db.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": KIND,
                    "recipient_id": person_id,
                    "dedupe_key": key(broadcast_id),
                    "payload": payload,
                    "due_at": due_at,
                    "state": OutboxState.PENDING,
                    "attempts": 0,
                    "created_at": now,
                }
                for person_id in found.recipients
            ],
        )
    broadcast.due_at = due_at
    broadcast.recipients = len(found.recipients)
    broadcast.left_unreachable = found.unreachable
    broadcast.left_no_consent = found.no_consent
    broadcast.left_paused = found.paused
    return broadcast


# Where the progress view is: a chat, and the message to edit (None: a new one when it starts).
ShownIn = tuple[int, int | None]


async def send_now(
    db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int, shown_in: ShownIn
) -> View:
    """Plan every recipient's row due now; `shown_in` (chat, message) shows the progress."""
    broadcast = await _plan(db, clock, broadcast_id, clock.now(), by_id)
    broadcast.state = BroadcastState.SENDING
    broadcast.started_at = clock.now()
    broadcast.progress_chat_id, broadcast.progress_message_id = shown_in
    broadcast.progress_at = clock.now()
    await people.audit(
        db, clock, by_id, "broadcast.sent", broadcast=broadcast_id, recipients=broadcast.recipients
    )
    return await _view(db, broadcast)


def _check_moment(clock: Clock, at: datetime) -> None:
    if not clock.now() < at <= clock.now() + MAX_AHEAD:
        raise BadMoment("")


async def schedule(
    db: AsyncSession,
    clock: Clock,
    broadcast_id: int,
    at: datetime,
    by_id: int,
    shown_in: ShownIn | None,
) -> View:
    """Plan every recipient's row for a later moment."""
    _check_moment(clock, at)
    broadcast = await _plan(db, clock, broadcast_id, at, by_id)
    if shown_in is not None:
        broadcast.progress_chat_id, broadcast.progress_message_id = shown_in
    await people.audit(
        db, clock, by_id, "broadcast.scheduled", broadcast=broadcast_id, at=at.isoformat()
    )
    return await _view(db, broadcast)


async def _scheduled(db: AsyncSession, clock: Clock, broadcast_id: int) -> Broadcast:
    """A broadcast that has not started: it may still be re-timed or cancelled."""
    broadcast = await _get(db, broadcast_id)
    not_yet = broadcast.due_at is not None and broadcast.due_at > clock.now()
    if broadcast.state is not BroadcastState.SCHEDULED or not not_yet:
        raise Stale()
    return broadcast


async def reschedule(
    db: AsyncSession, clock: Clock, broadcast_id: int, at: datetime, by_id: int
) -> View:
    """Move a broadcast that has not started to another moment."""
    _check_moment(clock, at)
    broadcast = await _scheduled(db, clock, broadcast_id)
    await _retime(db, broadcast_id, at, (OutboxState.PENDING,))
    broadcast.due_at = at
    await people.audit(
        db, clock, by_id, "broadcast.rescheduled", broadcast=broadcast_id, at=at.isoformat()
    )
    return await _view(db, broadcast)


def _rows(broadcast_id: int, states: Iterable[OutboxState]) -> ColumnElement[bool]:
    return (
        (OutboxMessage.kind == KIND)
        & (OutboxMessage.dedupe_key == key(broadcast_id))
        & OutboxMessage.state.in_(list(states))
    )


async def _retime(
    db: AsyncSession, broadcast_id: int, due_at: datetime, states: Sequence[OutboxState]
) -> None:
    """Unsent rows due at `due_at`; rows a dispatcher had claimed are taken back, untried."""
    await db.execute(
        update(OutboxMessage)
        .where(_rows(broadcast_id, states))
        .values(
            state=OutboxState.PENDING,
            due_at=due_at,
            attempts=case(
                (OutboxMessage.state == OutboxState.CLAIMED, OutboxMessage.attempts - 1),
                else_=OutboxMessage.attempts,
            ),
            claimed_by=None,
        )
        .execution_options(synchronize_session=False)
    )


async def pause(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Hold the unsent rows; the sends already under way finish."""
    broadcast = await _get(db, broadcast_id)
    if broadcast.state is not BroadcastState.SENDING:
        raise Stale()
    await _retime(db, broadcast_id, PAUSED_DUE, _UNSENT)
    broadcast.state = BroadcastState.PAUSED
    await people.audit(db, clock, by_id, "broadcast.paused", broadcast=broadcast_id)
    return await _view(db, broadcast)


async def resume(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Go on: the held rows are due now."""
    broadcast = await _get(db, broadcast_id)
    if broadcast.state is not BroadcastState.PAUSED:
        raise Stale()
    await _retime(db, broadcast_id, clock.now(), (OutboxState.PENDING,))
    broadcast.state = BroadcastState.SENDING
    broadcast.progress_shown = None  # show the progress again at once
    await people.audit(db, clock, by_id, "broadcast.resumed", broadcast=broadcast_id)
    return await _view(db, broadcast)


async def cancel(db: AsyncSession, clock: Clock, broadcast_id: int, by_id: int) -> View:
    """Skip every unsent row (a scheduled broadcast: before it starts)."""
    broadcast = await _get(db, broadcast_id)
    if broadcast.state is BroadcastState.SCHEDULED:
        broadcast = await _scheduled(db, clock, broadcast_id)
    elif broadcast.state not in ACTIVE:
        raise Stale()
    await db.execute(
        update(OutboxMessage)
        .where(_rows(broadcast_id, _UNSENT))
        .values(state=OutboxState.SKIPPED, error="broadcast cancelled", claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    broadcast.state = BroadcastState.CANCELLED
    broadcast.finished_at = clock.now()
    await people.audit(db, clock, by_id, "broadcast.cancelled", broadcast=broadcast_id)
    return await _view(db, broadcast)


# --- reading ---------------------------------------------------------------------------------


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
        remaining=sum(by_state.get(s, 0) for s in _UNDER_WAY),
    )


async def _view(db: AsyncSession, broadcast: Broadcast) -> View:
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
    return await _view(db, await _get(db, broadcast_id))


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
    return [await _view(db, b) for b in (*scheduled, *started)]


async def unreached(db: AsyncSession, broadcast_id: int) -> list[Unreached]:
    """Recipients it did not reach (blocked, failed) or maybe reached (unknown), by name."""
    stmt = (
        select(Person.full_name, OutboxMessage.state)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .where(_rows(broadcast_id, (OutboxState.BLOCKED, OutboxState.FAILED, OutboxState.UNKNOWN)))
        .order_by(Person.full_name, Person.id)
    )
    return [Unreached(name, state) for name, state in (await db.execute(stmt)).all()]


# --- the progress view ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A broadcast whose progress view may be shown now, and whether it has just ended."""

    view: View
    finished: bool


async def start_due(db: AsyncSession, clock: Clock) -> list[int]:
    """Scheduled broadcasts whose moment came are sending now; their ids."""
    now = clock.now()
    found = (
        await db.scalars(
            select(Broadcast.id).where(
                Broadcast.state == BroadcastState.SCHEDULED, Broadcast.due_at <= now
            )
        )
    ).all()
    if found:
        await db.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(found), Broadcast.state == BroadcastState.SCHEDULED)
            .values(state=BroadcastState.SENDING, started_at=now)
            .execution_options(synchronize_session=False)
        )
    return list(found)


async def progress_due(db: AsyncSession, clock: Clock, every: timedelta) -> list[Due]:
    """Broadcasts under way whose view changed and was last edited `every` ago (or that ended).

    Each is claimed (its `progress_at` set now) in the caller's transaction, so two processes
    never edit one view at the same moment. A broadcast with no row left is done.
    """
    now = clock.now()
    active = (
        await db.scalars(
            select(Broadcast).where(Broadcast.state.in_(ACTIVE)).order_by(Broadcast.id)
        )
    ).all()
    due: list[Due] = []
    for broadcast in active:
        found = await counts(db, broadcast.id)
        finished = broadcast.state is BroadcastState.SENDING and found.remaining == 0
        if found.shown() == broadcast.progress_shown and not finished:
            continue
        recent = broadcast.progress_at is not None and now - broadcast.progress_at < every
        if recent and not finished:
            continue
        claimed = await db.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast.id,
                Broadcast.state == broadcast.state,
                or_(
                    Broadcast.progress_at.is_(None), Broadcast.progress_at == broadcast.progress_at
                ),
            )
            .values(
                progress_at=now,
                progress_shown=found.shown(),
                **_finished(now) if finished else {},
            )
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]  # another process took it
            continue
        await db.refresh(broadcast)
        due.append(Due(await _view(db, broadcast), finished))
    return due


def _finished(now: datetime) -> dict[str, Any]:
    return {"state": BroadcastState.DONE, "finished_at": now}


async def show_progress_in(
    db: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """The progress view moved to another message (the old one could not be edited)."""
    broadcast = await _get(db, broadcast_id)
    broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id


# --- exports -----------------------------------------------------------------------------------


async def all_for_export(db: AsyncSession) -> list[tuple[View, str | None]]:
    """Every broadcast but drafts, oldest first, with the name of whoever sent it."""
    stmt = (
        select(Broadcast, Person.full_name)
        .outerjoin(Person, Person.id == Broadcast.created_by_id)
        .where(Broadcast.state != BroadcastState.DRAFT)
        .order_by(Broadcast.created_at, Broadcast.id)
    )
    return [(await _view(db, b), name) for b, name in (await db.execute(stmt)).all()]
