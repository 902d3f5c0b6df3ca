"""Activity of businesses, and one friendly nudge a week for a business that went quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content import Content
from bot.services import outbox
from bot.services.calendar import WorkCalendar
from db.models import Business, GuidanceProgress, Person, PersonRole, Role

KIND_NUDGE = "nudge"


class NudgeFor(outbox.Payload):
    """The weekly word to a quiet business, to its owner."""

    KINDS = (KIND_NUDGE,)

    business_id: int


INACTIVE_AFTER = timedelta(days=7)
# Activity is kept to the hour: a business busy in the chat is not written on every tap.
ACTIVITY_STEP = timedelta(hours=1)
DEFAULT_HOUR = 9  # WITA, when the owner has not chosen an hour
# Nudges go out between these local hours only (quiet hours are 20.00-07.00).
FIRST_HOUR, LAST_HOUR = 7, 19
SUNDAY = 6


def note_activity(clock: Clock, business: Business) -> None:
    """The owner of this (loaded) business just used the bot; written with the next flush
    unless it was already noted within `ACTIVITY_STEP`."""
    now = clock.now()
    if business.last_active_at is None or now - business.last_active_at >= ACTIVITY_STEP:
        business.last_active_at = now


async def record_activity(db: AsyncSession, clock: Clock, person: Person) -> None:
    """The owner of a business just used the bot: their business is active now."""
    if Role.UMKM not in person.role_set:
        return
    await db.execute(
        update(Business)
        .where(Business.owner_id == person.id)
        .values(last_active_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def active_since(business: Business) -> datetime:
    """The last sign of life: activity, or else when the business was registered."""
    return business.last_active_at or business.profile_confirmed_at or business.created_at


def is_inactive(business: Business, now: datetime) -> bool:
    return now - active_since(business) >= INACTIVE_AFTER


def nudge_hour(business: Business) -> int:
    """The preferred hour, moved out of the quiet hours."""
    hour = DEFAULT_HOUR if business.nudge_hour is None else business.nudge_hour
    return min(max(hour, FIRST_HOUR), LAST_HOUR)


def next_nudge_moment(now: datetime, hour: int, calendar: WorkCalendar) -> datetime:
    """The first moment at `hour` local time from now on, not on a Sunday or a holiday.

    Saturdays are fine: many of the businesses work then. A public holiday or collective
    leave day (the calendar's) is skipped like a Sunday: a friendly word waits for a normal day.
    """
    day = calendar.local_date(now)
    for _ in range(60):
        candidate = calendar.at_local(day, hour)
        if (
            candidate >= now
            and day.weekday() != SUNDAY
            and calendar.holiday_name(day) is None
            and not calendar.is_quiet(candidate)
        ):
            return candidate
        day += timedelta(days=1)
    raise ValueError(f"no day fit for a nudge in the 60 days after {now.isoformat()}")


def week_key(business_id: int, moment: datetime, calendar: WorkCalendar) -> str:
    """One nudge per business and ISO week (of the local date it is sent)."""
    year, week, _ = calendar.local_date(moment).isocalendar()
    return f"b{business_id}:{year}-W{week:02d}"


@dataclass(frozen=True)
class NudgePlan:
    business_id: int
    recipient_id: int
    due_at: datetime
    dedupe_key: str


async def plan_nudges(db: AsyncSession, clock: Clock, calendar: WorkCalendar) -> list[NudgePlan]:
    """Plan a nudge for every business quiet for a week (at most one per ISO week)."""
    now = clock.now()
    cutoff = now - INACTIVE_AFTER
    last_sign = func.coalesce(
        Business.last_active_at, Business.profile_confirmed_at, Business.created_at
    )
    quiet = (
        await db.scalars(
            select(Business)
            .join(Person, Person.id == Business.owner_id)
            .where(
                last_sign <= cutoff,
                Person.unreachable_since.is_(None),
                Person.roles.any(PersonRole.role == Role.UMKM),
            )
            .order_by(Business.id)
        )
    ).all()
    planned: list[NudgePlan] = []
    for business in quiet:
        assert business.owner_id is not None  # joined on the owner
        due = next_nudge_moment(now, nudge_hour(business), calendar)
        key = week_key(business.id, due, calendar)
        row = await outbox.plan(
            db,
            clock,
            kind=KIND_NUDGE,
            recipient_id=business.owner_id,
            dedupe_key=key,
            due_at=due,
            payload=NudgeFor(business_id=business.id),
        )
        planned.append(NudgePlan(business.id, business.owner_id, row.due_at, key))
    return planned


@dataclass(frozen=True)
class NextStep:
    """What a quiet business could do next: a guidance module to read, by title."""

    module_id: str | None
    module_title: str | None


async def next_step(db: AsyncSession, content: Content, business: Business) -> NextStep:
    """The first guidance module of the sector not yet finished (None: all read)."""
    done = set(
        (
            await db.scalars(
                select(GuidanceProgress.module_id).where(
                    GuidanceProgress.business_id == business.id,
                    GuidanceProgress.completed_at.is_not(None),
                )
            )
        ).all()
    )
    try:
        modules = content.modules_for(business.sector)
    except KeyError:
        return NextStep(None, None)
    for module in modules:
        if module.id not in done:
            return NextStep(module.id, module.title)
    return NextStep(None, None)
