"""Programme deadlines: creating, changing, answering, extending, and the reminder plan.

The plan works like a RapidPro campaign event: for each deadline, agency and focal point,
one outbox row per offset (H-7, H-3, H-1, H at the deadline's local hour, moved earlier off
weekends, holidays and quiet hours), then up to five overdue rows on the working days after
it, and one escalation to the coordinators two working days after it. Every row's dedupe key
carries the deadline's version (and the agency's extension revision), so a change skips the
old unsent rows and plans new ones; rows already sent stay as they are.

A recurring deadline is a series of rows. Once an occurrence's due moment has passed, or every
agency concerned has marked it done, `roll_forward` (a periodic job; also right after the last
"done") creates the next occurrence with its own plan. The schedule is the data: nothing is
held in process memory, and a unique `previous_id` lets only one process create the next one.
"""

from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.services import agencies, outbox, people
from bot.services.calendar import WorkCalendar
from bot.services.errors import Invalid, NotAllowed, NotFound, Stale
from db.models import (
    AckStatus,
    Agency,
    AgencyMember,
    Deadline,
    DeadlineAck,
    DeadlineKind,
    DeadlineOverride,
    ExtensionRequest,
    ExtensionStatus,
    OutboxMessage,
    OutboxState,
    Person,
    Recurrence,
    Role,
)

REMINDER = "reminder"
OVERDUE = "overdue"
ESCALATION = "deadline_escalation"
CHANGED = "deadline_changed"
HELP = "help_request"
EXTENSION = "extension_request"
EXTENSION_DECIDED = "extension_decided"
PLAN_KINDS = (REMINDER, OVERDUE, ESCALATION)

DEFAULT_OFFSETS = (7, 3, 1, 0)
DEFAULT_HOUR = 8
DEFAULT_DUE_HOUR = 16  # a date typed without a time: the end of the office day
OVERDUE_TIMES = 5
ESCALATE_AFTER_WORKING_DAYS = 2
MAX_TITLE = 200
MAX_TEXT = 1000
MAX_YEARS_AHEAD = 3
MAX_OFFSET_DAYS = 60
MAX_OFFSETS = 6
# A reminder hour a coordinator may choose: office hours, local time.
EARLIEST_HOUR, LATEST_HOUR = time(7, 0), time(17, 0)


# --- reading -----------------------------------------------------------------------------


class DueError(StrEnum):
    FORMAT = "format"
    PAST = "past"
    FAR = "far"


class BadDue(Invalid):
    """A typed date that does not parse, lies in the past, or too far ahead."""

    def __init__(self, code: DueError) -> None:
        super().__init__("")
        self.code = code


_DUE = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+(?:pukul\s+)?(\d{1,2})[.:](\d{2}))?\s*$",
    re.IGNORECASE,
)


def parse_due(text: str, now: datetime, cal: WorkCalendar) -> datetime:
    """`10-12-2026 16.00`, `10/12/2026` (16.00), local time; strictly in the future."""
    match = _DUE.match(text)
    if match is None:
        raise BadDue(DueError.FORMAT)
    day, month, year, hour, minute = match.groups()
    try:
        local_day = date(int(year), int(month), int(day))
        moment = cal.at_local(
            local_day,
            int(hour) if hour is not None else DEFAULT_DUE_HOUR,
            int(minute) if minute is not None else 0,
        )
    except ValueError:
        raise BadDue(DueError.FORMAT) from None
    if moment <= now:
        raise BadDue(DueError.PAST)
    if local_day.year > cal.local_date(now).year + MAX_YEARS_AHEAD:
        raise BadDue(DueError.FAR)
    return moment


def clean_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise Invalid("")
    return title[:MAX_TITLE]


def parse_offsets(text: str) -> tuple[int, ...]:
    """ "7,3,1,0" -> (7, 3, 1, 0): distinct days before, largest first."""
    days = sorted({int(part) for part in text.split(",") if part.strip().isdigit()}, reverse=True)
    return tuple(d for d in days if d <= MAX_OFFSET_DAYS) or DEFAULT_OFFSETS


class RuleError(StrEnum):
    OFFSETS = "offsets"
    HOUR = "hour"


class BadRule(Invalid):
    """Typed reminder days or hour that do not fit."""

    def __init__(self, code: RuleError) -> None:
        super().__init__(code.value)
        self.code = code


_OFFSET_SPLIT = re.compile(r"[,;\s]+")
_HOUR = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*$")


def read_offsets(text: str) -> tuple[int, ...]:
    """Typed days before the deadline, "7,3,1,0": whole days 0-60, at most six, largest first."""
    parts = [p for p in _OFFSET_SPLIT.split(text.strip()) if p]
    if not parts or not all(p.isdigit() and len(p) <= 3 for p in parts):
        raise BadRule(RuleError.OFFSETS)
    days = sorted({int(p) for p in parts}, reverse=True)
    if len(days) > MAX_OFFSETS or days[0] > MAX_OFFSET_DAYS:
        raise BadRule(RuleError.OFFSETS)
    return tuple(days)


def read_hour(text: str) -> tuple[int, int]:
    """A typed local reminder time, "07.30" or "7:30", within office hours (07.00-17.00)."""
    match = _HOUR.match(text)
    if match is None:
        raise BadRule(RuleError.HOUR)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59 or not EARLIEST_HOUR <= time(hour, minute) <= LATEST_HOUR:
        raise BadRule(RuleError.HOUR)
    return hour, minute


# --- who, when ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One agency a deadline applies to, with its own due date and plan tag."""

    agency: Agency
    due_at: datetime
    tag: str  # "v3" or "v3.2" (deadline version . extension revision)


async def get(db: AsyncSession, deadline_id: int) -> Deadline:
    deadline = await db.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFound()
    return deadline


async def get_open(db: AsyncSession, deadline_id: int) -> Deadline:
    deadline = await get(db, deadline_id)
    if deadline.cancelled_at is not None:
        raise Stale()
    return deadline


async def target(db: AsyncSession, deadline: Deadline, agency: Agency) -> Target:
    override = await db.get(DeadlineOverride, (deadline.id, agency.id))
    if override is None:
        return Target(agency, deadline.due_at, f"v{deadline.version}")
    return Target(agency, override.due_at, f"v{deadline.version}.{override.revision}")


async def targets(db: AsyncSession, deadline: Deadline) -> list[Target]:
    if deadline.agency_id is not None:
        agency = await db.get(Agency, deadline.agency_id)
        chosen: Sequence[Agency] = [agency] if agency is not None else []
    else:
        chosen = await agencies.all_agencies(db)
    return [await target(db, deadline, a) for a in chosen]


def subject(deadline_id: int, agency_id: int) -> str:
    return f"dl:{deadline_id}:a{agency_id}"


def reminder_moments(
    cal: WorkCalendar, deadline: Deadline, due_at: datetime, now: datetime
) -> list[tuple[str, datetime]]:
    """(label, moment) of the reminders still to come: "h-7" ... "h-0", then "o1" ... "o5"."""
    due_day = cal.local_date(due_at)
    planned: dict[datetime, str] = {}
    for days in parse_offsets(deadline.reminder_days):
        moment = cal.at_local(
            due_day - timedelta(days=days), deadline.reminder_hour, deadline.reminder_minute
        )
        if moment >= due_at:  # the reminder hour of day H comes after the deadline itself
            moment = due_at - timedelta(hours=1)
        moment = cal.previous_working_moment(moment)
        planned[moment] = f"h-{days}"  # a later (smaller) offset wins a shared moment
    before = sorted((m, label) for m, label in planned.items() if m < due_at)
    future = [(label, m) for m, label in before if m > now]
    if not future and before and due_at > now:
        # Every reminder moment has passed (a deadline set at short notice): one now.
        label = before[-1][1]
        future = [(label, max(now, cal.next_working_moment(now)))]
        if future[0][1] >= due_at:
            future = [(label, now)]
    at_hour = cal.at_local(due_day, deadline.reminder_hour, deadline.reminder_minute)
    seen: set[datetime] = set()
    for n in range(1, OVERDUE_TIMES + 1):
        moment = cal.add_working_days(at_hour, n)
        if moment > now and moment not in seen:
            seen.add(moment)
            future.append((f"o{n}", moment))
    return future


async def plan_target(
    db: AsyncSession,
    clock: Clock,
    cal: WorkCalendar,
    deadline: Deadline,
    tgt: Target,
    person_ids: Sequence[int] | None = None,
) -> int:
    """Plan reminders, overdue rows and the escalation for one agency; returns rows planned."""
    if deadline.cancelled_at is not None or await agency_done(db, deadline.id, tgt.agency.id):
        return 0
    now = clock.now()
    key = f"{subject(deadline.id, tgt.agency.id)}:{tgt.tag}"
    base = {
        "deadline_id": deadline.id,
        "agency_id": tgt.agency.id,
        "tag": tgt.tag,
        "subject": subject(deadline.id, tgt.agency.id),
        "group": "deadline",
    }
    if person_ids is None:
        person_ids = [p.id for p in await agencies.focal_points(db, tgt.agency.id)]
    count = 0
    for label, moment in reminder_moments(cal, deadline, tgt.due_at, now):
        kind = OVERDUE if label.startswith("o") else REMINDER
        for person_id in person_ids:
            await outbox.plan(
                db,
                clock,
                kind=kind,
                recipient_id=person_id,
                dedupe_key=f"{key}:{label}",
                due_at=moment,
                payload={**base, "label": label},
            )
            count += 1
    escalate_at = cal.add_working_days(tgt.due_at, ESCALATE_AFTER_WORKING_DAYS)
    if escalate_at > now:
        for coordinator in await people.with_role(db, Role.COORDINATOR):
            await outbox.plan(
                db,
                clock,
                kind=ESCALATION,
                recipient_id=coordinator.id,
                dedupe_key=f"{key}:esc",
                due_at=escalate_at,
                payload={**base, "group": "escalation"},
            )
            count += 1
    return count


async def plan_deadline(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, deadline: Deadline
) -> int:
    return sum(
        [await plan_target(db, clock, cal, deadline, t) for t in await targets(db, deadline)]
    )


async def open_deadlines(db: AsyncSession, agency_id: int | None = None) -> Sequence[Deadline]:
    stmt = select(Deadline).where(Deadline.cancelled_at.is_(None)).order_by(Deadline.due_at)
    if agency_id is not None:
        stmt = stmt.where((Deadline.agency_id == agency_id) | Deadline.agency_id.is_(None))
    return (await db.scalars(stmt)).all()


async def plan_for_person(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, person_id: int
) -> int:
    """Plan the reminders of every open deadline of the person's agencies (a new focal point)."""
    agency_ids = (
        await db.scalars(select(AgencyMember.agency_id).where(AgencyMember.person_id == person_id))
    ).all()
    count = 0
    for agency_id in agency_ids:
        agency = await db.get(Agency, agency_id)
        if agency is None:
            continue
        for deadline in await open_deadlines(db, agency_id):
            tgt = await target(db, deadline, agency)
            count += await plan_target(db, clock, cal, deadline, tgt, [person_id])
    return count


async def _skip_plan(db: AsyncSession, deadline_id: int, agency_id: int | None, why: str) -> int:
    prefix = f"dl:{deadline_id}:" if agency_id is None else f"{subject(deadline_id, agency_id)}:"
    return await outbox.skip_pending(db, kinds=PLAN_KINDS, dedupe_prefix=prefix, reason=why)


# --- coordinators ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewDeadline:
    title: str
    due_at: datetime
    agency_id: int | None = None
    description: str | None = None
    kind: DeadlineKind = DeadlineKind.DOCUMENT
    recurrence: Recurrence = Recurrence.NONE
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    hour: int = DEFAULT_HOUR
    minute: int = 0


async def create(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, new: NewDeadline, created_by_id: int | None
) -> Deadline:
    """Create a deadline and plan its reminders."""
    if new.due_at <= clock.now():
        raise BadDue(DueError.PAST)
    if new.agency_id is not None and await db.get(Agency, new.agency_id) is None:
        raise NotFound()
    deadline = Deadline(
        agency_id=new.agency_id,
        title=clean_title(new.title),
        description=(new.description or "").strip()[:MAX_TEXT] or None,
        due_at=new.due_at,
        kind=new.kind,
        recurrence=new.recurrence,
        reminder_days=",".join(str(d) for d in new.offsets),
        reminder_hour=new.hour,
        reminder_minute=new.minute,
        version=1,
        created_by_id=created_by_id,
        created_at=clock.now(),
    )
    db.add(deadline)
    await db.flush()
    if deadline.recurrence != Recurrence.NONE:
        deadline.series_id = deadline.id  # the first occurrence names the series
        await db.flush()
    await plan_deadline(db, clock, cal, deadline)
    await people.audit(db, clock, created_by_id, "deadline.created", deadline_id=deadline.id)
    return deadline


# --- recurring series ----------------------------------------------------------------------

_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


def add_months(day: date, months: int) -> date:
    """`months` later; a month's last day stays the last day, a missing day becomes it."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    last = monthrange(year, month)[1]
    month_end = day.day == monthrange(day.year, day.month)[1]
    return date(year, month, last if month_end else min(day.day, last))


def occurrence_due(
    cal: WorkCalendar, first_due: datetime, recurrence: Recurrence, number: int
) -> datetime:
    """The due moment of occurrence `number` (1 = the first) at the first one's WITA time."""
    local = cal.local(first_due)
    day = add_months(local.date(), _MONTHS[recurrence] * (number - 1))
    return cal.at_local(day, local.hour, local.minute)


async def all_done(db: AsyncSession, deadline: Deadline) -> bool:
    """Every agency concerned (it applies to them and they have a focal point) is done."""
    concerned = [
        t for t in await targets(db, deadline) if await agencies.focal_points(db, t.agency.id)
    ]
    return bool(concerned) and all(
        [await agency_done(db, deadline.id, t.agency.id) for t in concerned]
    )


async def create_next(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, deadline: Deadline
) -> Deadline | None:
    """The occurrence after this one (the first still ahead) with its plan; None when the
    deadline does not recur, is cancelled, or its next occurrence exists already."""
    if deadline.recurrence == Recurrence.NONE or deadline.cancelled_at is not None:
        return None
    # Counted from the first occurrence, so 31 January gives 28 February, then 31 March.
    first = await db.get(Deadline, deadline.series_id) if deadline.series_id else None
    anchor = first if first is not None else deadline
    base = anchor.occurrence
    now = clock.now()
    number = deadline.occurrence + 1
    due_at = occurrence_due(cal, anchor.due_at, deadline.recurrence, number - base + 1)
    while due_at <= now:  # after a long stop, occurrences already past are not created
        number += 1
        due_at = occurrence_due(cal, anchor.due_at, deadline.recurrence, number - base + 1)
    following = Deadline(
        agency_id=deadline.agency_id,
        title=deadline.title,
        description=deadline.description,
        due_at=due_at,
        kind=deadline.kind,
        recurrence=deadline.recurrence,
        reminder_days=deadline.reminder_days,
        reminder_hour=deadline.reminder_hour,
        reminder_minute=deadline.reminder_minute,
        version=1,
        created_by_id=deadline.created_by_id,
        created_at=now,
        series_id=deadline.series_id or deadline.id,
        occurrence=number,
        previous_id=deadline.id,
    )
    try:
        async with db.begin_nested():
            db.add(following)
            await db.flush()
    except IntegrityError:
        return None  # another process created it first
    await plan_deadline(db, clock, cal, following)
    await people.audit(
        db, clock, None, "deadline.recurred", deadline_id=following.id, previous_id=deadline.id
    )
    return following


async def roll_forward(db: AsyncSession, clock: Clock, cal: WorkCalendar) -> list[Deadline]:
    """Next occurrences of every series whose current one has passed or is done by all.

    Idempotent: run it as often as wanted, from any number of processes.
    """
    later = aliased(Deadline)
    current = (
        await db.scalars(
            select(Deadline)
            .where(
                Deadline.recurrence != Recurrence.NONE,
                Deadline.cancelled_at.is_(None),
                ~exists().where(later.previous_id == Deadline.id),
            )
            .order_by(Deadline.id)
        )
    ).all()
    created: list[Deadline] = []
    now = clock.now()
    for deadline in current:
        if deadline.due_at <= now or await all_done(db, deadline):
            following = await create_next(db, clock, cal, deadline)
            if following is not None:
                created.append(following)
    return created


async def followed(db: AsyncSession) -> set[int]:
    """Ids of the occurrences that already have a next one."""
    found = await db.scalars(select(Deadline.previous_id).where(Deadline.previous_id.isnot(None)))
    return {i for i in found.all() if i is not None}


async def _tell_focal_points(
    db: AsyncSession,
    clock: Clock,
    deadline: Deadline,
    change: str,
    agency_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    count = 0
    for tgt in await targets(db, deadline):
        if agency_id is not None and tgt.agency.id != agency_id:
            continue
        for person in await agencies.focal_points(db, tgt.agency.id):
            await outbox.plan(
                db,
                clock,
                kind=CHANGED,
                recipient_id=person.id,
                dedupe_key=f"dl:{deadline.id}:chg:{tgt.tag}:{change}",
                due_at=clock.now(),
                payload={
                    "deadline_id": deadline.id,
                    "agency_id": tgt.agency.id,
                    "change": change,
                    **(extra or {}),
                },
            )
            count += 1
    return count


async def edit(
    db: AsyncSession,
    clock: Clock,
    cal: WorkCalendar,
    deadline_id: int,
    by_id: int,
    *,
    title: str | None = None,
    due_at: datetime | None = None,
) -> Deadline:
    """A new title or date: a new version, the old plan skipped, the new one planned."""
    deadline = await get_open(db, deadline_id)
    old_due = deadline.due_at
    if due_at is not None:
        if due_at <= clock.now():
            raise BadDue(DueError.PAST)
        deadline.due_at = due_at
        # A new date for everyone replaces the agencies' own extended dates.
        for override in (
            await db.scalars(
                select(DeadlineOverride).where(DeadlineOverride.deadline_id == deadline.id)
            )
        ).all():
            await db.delete(override)
    if title is not None:
        deadline.title = clean_title(title)
    deadline.version += 1
    await db.flush()
    await _skip_plan(db, deadline.id, None, "deadline changed")
    await plan_deadline(db, clock, cal, deadline)
    change = "moved" if due_at is not None else "renamed"
    await _tell_focal_points(db, clock, deadline, change, extra={"old_due": old_due.isoformat()})
    await people.audit(db, clock, by_id, f"deadline.{change}", deadline_id=deadline.id)
    return deadline


async def cancel(db: AsyncSession, clock: Clock, deadline_id: int, by_id: int) -> Deadline:
    deadline = await get_open(db, deadline_id)
    deadline.cancelled_at = clock.now()
    await _skip_plan(db, deadline.id, None, "deadline cancelled")
    await _tell_focal_points(db, clock, deadline, "cancelled")
    await people.audit(db, clock, by_id, "deadline.cancelled", deadline_id=deadline.id)
    return deadline


# --- focal points ------------------------------------------------------------------------


async def agency_done(db: AsyncSession, deadline_id: int, agency_id: int) -> bool:
    found = await db.scalar(
        select(DeadlineAck.id).where(
            DeadlineAck.deadline_id == deadline_id,
            DeadlineAck.agency_id == agency_id,
            DeadlineAck.status == AckStatus.DONE,
        )
    )
    return found is not None


async def check_member(
    db: AsyncSession, deadline: Deadline, person_id: int, agency_id: int
) -> Agency:
    """The agency, checked: the person is its focal point and the deadline applies to it."""
    if await db.get(AgencyMember, (agency_id, person_id)) is None:
        raise NotAllowed()
    if deadline.agency_id is not None and deadline.agency_id != agency_id:
        raise NotAllowed()
    agency = await db.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


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
        await _skip_plan(db, deadline_id, agency_id, "done")
        recurs = cal is not None and deadline.recurrence != Recurrence.NONE
        if cal is not None and recurs and await all_done(db, deadline):
            await create_next(db, clock, cal, deadline)
    await people.audit(
        db, clock, person_id, "deadline.answered", deadline_id=deadline_id, status=status.value
    )
    return ack


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
    for coordinator in await people.with_role(db, Role.COORDINATOR):
        await outbox.plan(
            db,
            clock,
            kind=HELP,
            recipient_id=coordinator.id,
            dedupe_key=f"dl:{deadline_id}:help:{person_id}:{stamp}",
            due_at=clock.now(),
            payload={
                "deadline_id": deadline_id,
                "agency_id": agency_id,
                "person_id": person_id,
                "message": text,
            },
        )
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
    for coordinator in await people.with_role(db, Role.COORDINATOR):
        await outbox.plan(
            db,
            clock,
            kind=EXTENSION,
            recipient_id=coordinator.id,
            dedupe_key=f"ext:{request.id}",
            due_at=clock.now(),
            payload={"request_id": request.id},
        )
    await people.audit(db, clock, person_id, "deadline.extension_asked", request_id=request.id)
    return request


@dataclass(frozen=True)
class Decision:
    request: ExtensionRequest
    deadline: Deadline
    agency: Agency


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
        return Decision(request, deadline, agency)
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
        await _skip_plan(db, deadline.id, agency.id, "extended")
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
            payload={"request_id": request.id},
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


# --- lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyStatus:
    agency: Agency
    due_at: datetime
    status: AckStatus | None  # the most advanced answer of its focal points
    answered_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    agencies: tuple[AgencyStatus, ...] = field(default=())


_RANK = {AckStatus.DONE: 3, AckStatus.NEEDS_HELP: 2, AckStatus.IN_PROGRESS: 1}


async def view(db: AsyncSession, deadline: Deadline, agency_id: int | None = None) -> DeadlineView:
    acks = (
        await db.execute(
            select(DeadlineAck, Person.full_name)
            .join(Person, Person.id == DeadlineAck.person_id)
            .where(DeadlineAck.deadline_id == deadline.id)
            .order_by(DeadlineAck.at)
        )
    ).all()
    rows: list[AgencyStatus] = []
    for tgt in await targets(db, deadline):
        if agency_id is not None and tgt.agency.id != agency_id:
            continue
        mine = [(a, name) for a, name in acks if a.agency_id == tgt.agency.id]
        best = max((a.status for a, _ in mine), key=lambda s: _RANK[s], default=None)
        rows.append(AgencyStatus(tgt.agency, tgt.due_at, best, tuple(n for _, n in mine)))
    return DeadlineView(deadline, tuple(rows))


async def for_focal_point(db: AsyncSession, person_id: int) -> list[DeadlineView]:
    """Open deadlines of the person's agencies, soonest first.

    An occurrence of a series that the agency has done and that has a next one is left out:
    the next one takes its place.
    """
    agency = await agencies.agency_of(db, person_id)
    if agency is None:
        return []
    replaced = await followed(db)
    views = [await view(db, d, agency.id) for d in await open_deadlines(db, agency.id)]
    views = [
        v
        for v in views
        if not (
            v.deadline.id in replaced
            and v.agencies
            and all(a.status == AckStatus.DONE for a in v.agencies)
        )
    ]
    return sorted(views, key=lambda v: v.agencies[0].due_at if v.agencies else v.deadline.due_at)


async def overview(db: AsyncSession) -> list[DeadlineView]:
    """Every open deadline; of a series, the current occurrence and the unfinished ones."""
    replaced = await followed(db)
    return [
        await view(db, d)
        for d in await open_deadlines(db)
        if not (d.id in replaced and await all_done(db, d))
    ]


# --- sending-time checks -----------------------------------------------------------------


async def superseded(db: AsyncSession, row: OutboxMessage, now: datetime) -> bool:
    """A newer row of the same subject for the same person is due too: this one is pointless."""
    found = await db.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.recipient_id == row.recipient_id,
            OutboxMessage.kind.in_((REMINDER, OVERDUE)),
            OutboxMessage.dedupe_key.startswith(f"{row.payload.get('subject')}:", autoescape=True),
            OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.CLAIMED)),
            OutboxMessage.due_at > row.due_at,
            OutboxMessage.due_at <= now,
            OutboxMessage.id != row.id,
        )
    )
    return found is not None


async def still_current(db: AsyncSession, row: OutboxMessage) -> tuple[Deadline, Target] | None:
    """The deadline and target of a planned row, or None when the row is out of date."""
    deadline = await db.get(Deadline, int(row.payload.get("deadline_id", 0)))
    agency = await db.get(Agency, int(row.payload.get("agency_id", 0)))
    if deadline is None or agency is None or deadline.cancelled_at is not None:
        return None
    tgt = await target(db, deadline, agency)
    if tgt.tag != row.payload.get("tag") or await agency_done(db, deadline.id, agency.id):
        return None
    return deadline, tgt


async def answered(db: AsyncSession, deadline_id: int, agency_id: int) -> bool:
    found = await db.scalar(
        select(DeadlineAck.id).where(
            DeadlineAck.deadline_id == deadline_id, DeadlineAck.agency_id == agency_id
        )
    )
    return found is not None


# --- import ------------------------------------------------------------------------------


class RowProblem(StrEnum):
    COLUMNS = "columns"
    AGENCY = "agency"
    TITLE = "title"
    DUE = "due"
    DUE_PAST = "due_past"
    DUE_FAR = "due_far"
    RECURRENCE = "recurrence"
    HOUR = "hour"
    OFFSETS = "offsets"


@dataclass(frozen=True)
class Rejected:
    line: int
    problem: RowProblem
    value: str = ""


@dataclass
class ImportResult:
    created: list[Deadline] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


CSV_COLUMNS = ("agency", "title", "due", "description", "recurrence", "hour", "offsets")
_RECURRENCE_WORDS = {
    "": Recurrence.NONE,
    "none": Recurrence.NONE,
    "tidak": Recurrence.NONE,
    "monthly": Recurrence.MONTHLY,
    "bulanan": Recurrence.MONTHLY,
    "quarterly": Recurrence.QUARTERLY,
    "triwulan": Recurrence.QUARTERLY,
    "triwulanan": Recurrence.QUARTERLY,
    "yearly": Recurrence.YEARLY,
    "tahunan": Recurrence.YEARLY,
}


async def import_csv(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, text: str, by_id: int | None = None
) -> ImportResult:
    """Check every row first; create all of them, or none when any row is rejected."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not set(CSV_COLUMNS[:3]) <= set(header):
        result.rejected.append(Rejected(1, RowProblem.COLUMNS, ",".join(header)))
        return result
    reader.fieldnames = header
    planned: list[NewDeadline] = []
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        agency_id: int | None = None
        if values.get("agency"):
            agency = await agencies.find(db, values["agency"])
            if agency is None:
                result.rejected.append(Rejected(line, RowProblem.AGENCY, values["agency"]))
                continue
            agency_id = agency.id
        if not values.get("title"):
            result.rejected.append(Rejected(line, RowProblem.TITLE))
            continue
        try:
            due_at = parse_due(values.get("due", ""), clock.now(), cal)
        except BadDue as exc:
            problem = {DueError.PAST: RowProblem.DUE_PAST, DueError.FAR: RowProblem.DUE_FAR}.get(
                exc.code, RowProblem.DUE
            )
            result.rejected.append(Rejected(line, problem, values.get("due", "")))
            continue
        recurrence = _RECURRENCE_WORDS.get(values.get("recurrence", "").lower())
        if recurrence is None:
            result.rejected.append(Rejected(line, RowProblem.RECURRENCE, values["recurrence"]))
            continue
        hour, minute = DEFAULT_HOUR, 0
        offsets: tuple[int, ...] = DEFAULT_OFFSETS
        try:
            if values.get("hour"):
                hour, minute = read_hour(values["hour"])
        except BadRule:
            result.rejected.append(Rejected(line, RowProblem.HOUR, values["hour"]))
            continue
        try:
            if values.get("offsets"):
                offsets = read_offsets(values["offsets"])
        except BadRule:
            result.rejected.append(Rejected(line, RowProblem.OFFSETS, values["offsets"]))
            continue
        planned.append(
            NewDeadline(
                title=values["title"],
                due_at=due_at,
                agency_id=agency_id,
                description=values.get("description") or None,
                recurrence=recurrence,
                offsets=offsets,
                hour=hour,
                minute=minute,
            )
        )
    if result.rejected:
        return result
    for new in planned:
        result.created.append(await create(db, clock, cal, new, by_id))
    return result
