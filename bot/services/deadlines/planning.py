"""The reminder plan: a deadline's rules become outbox rows, checked again when sent.

The plan works like a RapidPro campaign event: for each deadline, agency and focal point,
one outbox row per offset (H-7, H-3, H-1, H at the deadline's local hour, moved earlier off
weekends, holidays and quiet hours), then up to five overdue rows on the working days after
it, and one escalation to the coordinators two working days after it. Every row's dedupe key
carries the deadline's version (and the agency's extension revision), so a change skips the
old unsent rows and plans new ones; rows already sent stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import agencies, outbox, people
from bot.services.calendar import WorkCalendar
from bot.services.deadlines.lookup import Target, agency_done, open_deadlines, target, targets
from bot.services.deadlines.parsing import parse_offsets
from db.models import Agency, AgencyMember, Deadline, OutboxMessage, OutboxState, Role

REMINDER = "reminder"
OVERDUE = "overdue"
ESCALATION = "deadline_escalation"


class Planned(outbox.Payload):
    """A reminder, an overdue note or an escalation for one deadline and agency."""

    KINDS = (REMINDER, OVERDUE, ESCALATION)

    deadline_id: int
    agency_id: int
    tag: str  # the target's date when planned: a moved deadline makes the row stale
    subject: str  # rows of one subject and group: only the newest is sent (catch-up)
    group: Literal["deadline", "escalation"]
    label: str | None = None  # "h7" ... "h0", "o1" ...: which of the reminders


PLAN_KINDS = (REMINDER, OVERDUE, ESCALATION)
OVERDUE_TIMES = 5
ESCALATE_AFTER_WORKING_DAYS = 2


def subject(deadline_id: int, agency_id: int) -> str:
    return f"dl:{deadline_id}:a{agency_id}"


def _before(cal: WorkCalendar, deadline: Deadline, due_at: datetime) -> list[tuple[datetime, int]]:
    """(moment, days before) of every reminder before the deadline, earliest first."""
    due_day = cal.local_date(due_at)
    planned: dict[datetime, int] = {}
    for days in parse_offsets(deadline.reminder_days):
        moment = cal.at_local(
            due_day - timedelta(days=days), deadline.reminder_hour, deadline.reminder_minute
        )
        if moment >= due_at:  # the reminder hour of day H comes after the deadline itself
            moment = due_at - timedelta(hours=1)
        moment = cal.previous_working_moment(moment)
        planned[moment] = days  # a later (smaller) offset wins a shared moment
    return sorted((m, days) for m, days in planned.items() if m < due_at)


@dataclass(frozen=True)
class ReminderPlan:
    """What a new deadline's reminders will be: which had passed when it was set (the
    announcement sent at once stands in for them) and when the next one goes out."""

    passed: tuple[int, ...]  # days before, largest first
    next_at: datetime | None


def reminder_plan(cal: WorkCalendar, deadline: Deadline, now: datetime) -> ReminderPlan:
    moments = _before(cal, deadline, deadline.due_at)
    passed = tuple(days for moment, days in moments if moment <= now)
    upcoming = [moment for moment, _ in moments if moment > now]
    return ReminderPlan(passed, upcoming[0] if upcoming else None)


def reminder_moments(
    cal: WorkCalendar,
    deadline: Deadline,
    due_at: datetime,
    now: datetime,
    *,
    catch_up: bool = True,
) -> list[tuple[str, datetime]]:
    """(label, moment) of the reminders still to come: "h-7" ... "h-0", then "o1" ... "o5".

    With `catch_up`, a deadline whose every reminder moment has passed gets one now; without
    it (a message about the deadline goes out now anyway) the passed moments are left out.
    """
    before = [(m, f"h-{days}") for m, days in _before(cal, deadline, due_at)]
    future = [(label, m) for m, label in before if m > now]
    if catch_up and not future and before and due_at > now:
        # Every reminder moment has passed (a deadline set at short notice): one now.
        label = before[-1][1]
        future = [(label, max(now, cal.next_working_moment(now)))]
        if future[0][1] >= due_at:
            future = [(label, now)]
    due_day = cal.local_date(due_at)
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
    *,
    catch_up: bool = True,
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
    }
    if person_ids is None:
        person_ids = [p.id for p in await agencies.focal_points(db, tgt.agency.id)]
    count = 0
    for label, moment in reminder_moments(cal, deadline, tgt.due_at, now, catch_up=catch_up):
        kind = OVERDUE if label.startswith("o") else REMINDER
        for person_id in person_ids:
            await outbox.plan(
                db,
                clock,
                kind=kind,
                recipient_id=person_id,
                dedupe_key=f"{key}:{label}",
                due_at=moment,
                payload=Planned(**base, group="deadline", label=label),
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
                payload=Planned(**base, group="escalation"),
            )
            count += 1
    return count


async def plan_deadline(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, deadline: Deadline, *, catch_up: bool = True
) -> int:
    return sum(
        [
            await plan_target(db, clock, cal, deadline, t, catch_up=catch_up)
            for t in await targets(db, deadline)
        ]
    )


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


async def skip_plan(db: AsyncSession, deadline_id: int, agency_id: int | None, why: str) -> int:
    """Skip the unsent plan of a deadline: of one agency, or of all of them."""
    prefix = f"dl:{deadline_id}:" if agency_id is None else f"{subject(deadline_id, agency_id)}:"
    return await outbox.skip_pending(db, kinds=PLAN_KINDS, dedupe_prefix=prefix, reason=why)


async def superseded(db: AsyncSession, row: OutboxMessage, now: datetime) -> bool:
    """A newer row of the same subject for the same person is due too: this one is pointless."""
    planned = Planned.model_validate(row.payload)
    found = await db.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.recipient_id == row.recipient_id,
            OutboxMessage.kind.in_((REMINDER, OVERDUE)),
            OutboxMessage.dedupe_key.startswith(f"{planned.subject}:", autoescape=True),
            OutboxMessage.state.in_(
                (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)
            ),
            OutboxMessage.due_at > row.due_at,
            OutboxMessage.due_at <= now,
            OutboxMessage.id != row.id,
        )
    )
    return found is not None


async def still_current(db: AsyncSession, planned: Planned) -> tuple[Deadline, Target] | None:
    """The deadline and target of a planned row, or None when the row is out of date."""
    deadline = await db.get(Deadline, planned.deadline_id)
    agency = await db.get(Agency, planned.agency_id)
    if deadline is None or agency is None or deadline.cancelled_at is not None:
        return None
    tgt = await target(db, deadline, agency)
    if tgt.tag != planned.tag or await agency_done(db, deadline.id, agency.id):
        return None
    return deadline, tgt
