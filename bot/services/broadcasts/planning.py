"""Drafts and their planning: keep what the coordinator wrote, then plan one outbox row per
recipient, due now or at a moment to come (typed in the chat, or chosen on the desk)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import N_
from bot.services import people
from bot.services.broadcasts.audience import reach
from bot.services.broadcasts.views import (
    KIND,
    MAX_AHEAD,
    BroadcastRef,
    Content,
    Reach,
    View,
    get,
    key,
    target_of,
    view_of,
)
from bot.services.calendar import WorkCalendar
from bot.services.errors import Invalid, Stale
from db.models import Broadcast, BroadcastState, OutboxMessage, OutboxState


class BadMoment(Invalid):
    """A typed moment that does not parse, has passed, or lies more than a year ahead."""

    def __init__(self) -> None:
        super().__init__(N_("the time must be a date and time still to come, within a year."))


_MOMENT = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s+(?:pukul\s+)?(\d{1,2})[.:](\d{2})\s*(?:wita)?\s*$",
    re.IGNORECASE,
)


def parse_moment(text: str, clock: Clock, cal: WorkCalendar) -> datetime:
    """`14-12-2026 09.00` (local time) as UTC; strictly to come, at most a year ahead."""
    match = _MOMENT.match(text)
    if match is None:
        raise BadMoment()
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        moment = cal.at_local(date(year, month, day), hour, minute)
    except ValueError:
        raise BadMoment() from None
    check_moment(clock, moment)
    return moment


def parse_local(value: str, clock: Clock, cal: WorkCalendar) -> datetime:
    """`2026-12-14T09:00` (a form's local date and time) as UTC; to come, within a year."""
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise BadMoment() from None
    if local.tzinfo is not None:
        raise BadMoment()
    moment = cal.at_local(local.date(), local.hour, local.minute)
    check_moment(clock, moment)
    return moment


def check_moment(clock: Clock, at: datetime) -> None:
    if not clock.now() < at <= clock.now() + MAX_AHEAD:
        raise BadMoment()


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


async def draft_reach(db: AsyncSession, broadcast_id: int) -> tuple[View, Reach]:
    """A draft with its audience chosen, and whom it would reach now."""
    draft = await get(db, broadcast_id)
    target = await target_of(db, draft)
    if draft.state is not BroadcastState.DRAFT or target is None:
        raise Stale()
    return await view_of(db, draft), await reach(db, target)


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
    broadcast = await get(db, broadcast_id)
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
    return await view_of(db, broadcast)


async def schedule(
    db: AsyncSession,
    clock: Clock,
    broadcast_id: int,
    at: datetime,
    by_id: int,
    shown_in: ShownIn | None,
) -> View:
    """Plan every recipient's row for a later moment."""
    check_moment(clock, at)
    broadcast = await _plan(db, clock, broadcast_id, at, by_id)
    if shown_in is not None:
        broadcast.progress_chat_id, broadcast.progress_message_id = shown_in
    await people.audit(
        db, clock, by_id, "broadcast.scheduled", broadcast=broadcast_id, at=at.isoformat()
    )
    return await view_of(db, broadcast)
