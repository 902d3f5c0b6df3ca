"""Focal points' answers (in progress, needs help, done) and extension requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import agencies, outbox, people
from bot.services.calendar import WorkCalendar
from bot.services.deadlines.lookup import check_member, get, get_open, target
from bot.services.deadlines.parsing import MAX_TEXT, BadDue, DueError
from bot.services.deadlines.planning import plan_target, skip_plan
from bot.services.deadlines.series import all_done, create_next
from bot.services.errors import Invalid, NotFound, Stale
from db.models import (
    AckStatus,
    Agency,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
    ExtensionRequest,
    ExtensionStatus,
    Recurrence,
    Role,
)

HELP = "help_request"
EXTENSION = "extension_request"
EXTENSION_DECIDED = "extension_decided"


async def acknowledge(
    db: AsyncSession,
    clock: Clock,
    deadline_id: int,
    agency_id: int,
    person_id: int,
    status: AckStatus,
    note: str | None = None,
    *,
    cal: WorkCalendar | None = None,
) -> DeadlineAck:
    """Record a focal point's answer; "done" ends the agency's remaining reminders.

    With a calendar, the last "done" of a recurring deadline creates its next occurrence at
    once (without one, the periodic `roll_forward` does it).
    """
    deadline = await get_open(db, deadline_id)
    await check_member(db, deadline, person_id, agency_id)
    ack = await db.scalar(
        select(DeadlineAck).where(
            DeadlineAck.deadline_id == deadline_id, DeadlineAck.person_id == person_id
        )
    )
    if ack is None:
        ack = DeadlineAck(deadline_id=deadline_id, agency_id=agency_id, person_id=person_id)
        db.add(ack)
    ack.status, ack.at = status, clock.now()
    ack.note = (note or "").strip()[:MAX_TEXT] or ack.note if status != AckStatus.DONE else None
    await db.flush()
    if status == AckStatus.DONE:
        await skip_plan(db, deadline_id, agency_id, "done")
        recurs = cal is not None and deadline.recurrence != Recurrence.NONE
        if cal is not None and recurs and await all_done(db, deadline):
            await create_next(db, clock, cal, deadline)
    await people.audit(
        db, clock, person_id, "deadline.answered", deadline_id=deadline_id, status=status.value
    )
    return ack


class HelpAsked(outbox.Payload):
    """A focal point asked for help with a deadline: to each coordinator."""

    KINDS = (HELP,)

    deadline_id: int
    agency_id: int
    person_id: int  # who asked
    message: str


class ExtensionRef(outbox.Payload):
    """A request for more time, asked (to each coordinator) or decided (to the asker)."""

    KINDS = (EXTENSION, EXTENSION_DECIDED)

    request_id: int


async def _tell_coordinators(
    db: AsyncSession, clock: Clock, kind: str, key: str, payload: outbox.Payload
) -> None:
    for coordinator in await people.with_role(db, Role.COORDINATOR):
        await outbox.plan(
            db,
            clock,
            kind=kind,
            recipient_id=coordinator.id,
            dedupe_key=key,
            due_at=clock.now(),
            payload=payload,
        )


async def request_help(
    db: AsyncSession, clock: Clock, deadline_id: int, agency_id: int, person_id: int, message: str
) -> DeadlineAck:
    """Record "needs help" with the message and tell every coordinator."""
    text = message.strip()[:MAX_TEXT]
    if not text:
        raise Invalid("")
    ack = await acknowledge(
        db, clock, deadline_id, agency_id, person_id, AckStatus.NEEDS_HELP, text
    )
    stamp = int(clock.now().timestamp())
    payload = HelpAsked(
        deadline_id=deadline_id, agency_id=agency_id, person_id=person_id, message=text
    )
    key = f"dl:{deadline_id}:help:{person_id}:{stamp}"
    await _tell_coordinators(db, clock, HELP, key, payload)
    return ack


async def request_extension(
    db: AsyncSession,
    clock: Clock,
    deadline_id: int,
    agency_id: int,
    person_id: int,
    new_due_at: datetime,
    reason: str,
) -> ExtensionRequest:
    """Ask for a later date; every coordinator gets the request with Approve / Decline."""
    deadline = await get_open(db, deadline_id)
    agency = await check_member(db, deadline, person_id, agency_id)
    current = await target(db, deadline, agency)
    if new_due_at <= max(current.due_at, clock.now()):
        raise BadDue(DueError.PAST)
    request = ExtensionRequest(
        deadline_id=deadline_id,
        agency_id=agency_id,
        requested_by_id=person_id,
        new_due_at=new_due_at,
        reason=reason.strip()[:MAX_TEXT] or "-",
        status=ExtensionStatus.PENDING,
        created_at=clock.now(),
    )
    db.add(request)
    await db.flush()
    asked = ExtensionRef(request_id=request.id)
    await _tell_coordinators(db, clock, EXTENSION, f"ext:{request.id}", asked)
    await people.audit(db, clock, person_id, "deadline.extension_asked", request_id=request.id)
    return request


@dataclass(frozen=True)
class Decision:
    request: ExtensionRequest
    deadline: Deadline
    agency: Agency
    already: bool = False  # decided before this call: nothing changed


async def decide_extension(
    db: AsyncSession,
    clock: Clock,
    cal: WorkCalendar,
    request_id: int,
    coordinator_id: int,
    approve: bool,
) -> Decision:
    """Approve (the agency gets its own date, re-planned) or decline; once only (else Stale)."""
    request = await db.get(ExtensionRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound()
    deadline = await get(db, request.deadline_id)
    agency = await db.get(Agency, request.agency_id)
    if agency is None:
        raise NotFound()
    if request.status != ExtensionStatus.PENDING:
        return Decision(request, deadline, agency, already=True)
    if deadline.cancelled_at is not None:
        raise Stale()
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
    request.decided_by_id, request.decided_at = coordinator_id, clock.now()
    if approve:
        override = await db.get(DeadlineOverride, (deadline.id, agency.id))
        if override is None:
            override = DeadlineOverride(
                deadline_id=deadline.id, agency_id=agency.id, revision=0, updated_at=clock.now()
            )
            db.add(override)
        override.due_at, override.updated_at = request.new_due_at, clock.now()
        override.revision += 1
        await db.flush()
        await skip_plan(db, deadline.id, agency.id, "extended")
        await plan_target(db, clock, cal, deadline, await target(db, deadline, agency))
    recipients = (
        [p.id for p in await agencies.focal_points(db, agency.id)]
        if approve
        else [request.requested_by_id]
    )
    for person_id in recipients:
        if person_id is None:
            continue
        await outbox.plan(
            db,
            clock,
            kind=EXTENSION_DECIDED,
            recipient_id=person_id,
            dedupe_key=f"ext:{request.id}:decided",
            due_at=clock.now(),
            payload=ExtensionRef(request_id=request.id),
        )
    await people.audit(
        db,
        clock,
        coordinator_id,
        "deadline.extension_decided",
        request_id=request.id,
        status=request.status.value,
    )
    return Decision(request, deadline, agency)
