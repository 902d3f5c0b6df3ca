"""What the /rekap charts show: readiness per business by sector, deadlines kept, late and
missed per agency per month, the ISO 18091 lights per agency, open questions by age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.assessment import period_of
from bot.services.reports.agencies import AGENCY_DUE, per_agency
from bot.services.reports.businesses import business_rows
from db.models import (
    AckStatus,
    Agency,
    Assessment,
    AssessmentRating,
    Deadline,
    DeadlineAck,
    Light,
    Question,
    QuestionStatus,
)

MONTHS = 6  # deadlines of this month and the five before it
# Open questions by age, in days: under 1, 1-2, 3-7, 8 and more.
AGE_BOUNDS = (1, 3, 8)


@dataclass(frozen=True)
class Readiness:
    sector: str  # the sector's key
    business: str
    percent: int  # the latest submitted checklist


@dataclass(frozen=True)
class DeadlineMonth:
    agency: str  # short name
    month: date  # its first day, local time
    kept: int  # done by the (possibly extended) due moment
    late: int  # done after it
    missed: int  # past it and not done


@dataclass(frozen=True)
class Lights:
    agency: str  # short name
    red: int
    yellow: int
    green: int
    unrated: int


@dataclass(frozen=True)
class ChartData:
    readiness: tuple[Readiness, ...]  # by sector, then readiness (highest first)
    deadlines: tuple[DeadlineMonth, ...]  # by agency, then month
    period: str  # the quarter of `lights`
    lights: tuple[Lights, ...]
    question_ages: tuple[int, ...]  # one count per age bucket (AGE_BOUNDS)


async def _readiness(db: AsyncSession) -> tuple[Readiness, ...]:
    rows = (await db.execute(business_rows())).all()
    found = [
        Readiness(str(sector), str(name), int(score))
        for _, name, sector, _, score, _, _ in rows
        if score is not None
    ]
    return tuple(sorted(found, key=lambda r: (r.sector, -r.percent, r.business)))


def _month(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


async def _deadlines(db: AsyncSession, now: datetime, zone: ZoneInfo) -> tuple[DeadlineMonth, ...]:
    first = _month(now, zone)
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    since = datetime(first.year, first.month, 1, tzinfo=zone)
    done_at = (
        select(
            DeadlineAck.deadline_id,
            DeadlineAck.agency_id,
            func.min(DeadlineAck.at).label("at"),
        )
        .where(DeadlineAck.status == AckStatus.DONE)
        .group_by(DeadlineAck.deadline_id, DeadlineAck.agency_id)
        .subquery()
    )
    due = AGENCY_DUE
    found = await db.execute(
        per_agency(select(Agency.short_name, due, done_at.c.at))
        .outerjoin(
            done_at, and_(done_at.c.deadline_id == Deadline.id, done_at.c.agency_id == Agency.id)
        )
        .where(
            Deadline.cancelled_at.is_(None),
            due >= since,
            or_(due < now, done_at.c.at.is_not(None)),
        )
        .order_by(Agency.id)
    )
    counts: dict[tuple[str, date], list[int]] = {}
    for agency, due_at, finished in found.all():
        assert isinstance(due_at, datetime) and due_at.tzinfo is not None
        assert finished is None or isinstance(finished, datetime)
        slot = counts.setdefault((str(agency), _month(due_at, zone)), [0, 0, 0])
        if finished is None:
            slot[2] += 1
        else:
            slot[0 if finished <= due_at else 1] += 1
    return tuple(DeadlineMonth(a, m, *c) for (a, m), c in counts.items())


async def _lights(db: AsyncSession, period: str, indicators: int) -> tuple[Lights, ...]:
    found = await db.execute(
        select(Agency.id, Agency.short_name, AssessmentRating.light, func.count())
        .outerjoin(
            Assessment, and_(Assessment.agency_id == Agency.id, Assessment.period == period)
        )
        .outerjoin(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .group_by(Agency.id, Agency.short_name, AssessmentRating.light)
        .order_by(Agency.id)
    )
    by_agency: dict[int, tuple[str, dict[Light, int]]] = {}
    for agency_id, short, light, n in found.all():
        _, lights = by_agency.setdefault(int(agency_id), (str(short), {}))
        if light is not None:
            lights[Light(light)] = int(n)
    return tuple(
        Lights(
            short,
            lights.get(Light.RED, 0),
            lights.get(Light.YELLOW, 0),
            lights.get(Light.GREEN, 0),
            max(0, indicators - sum(lights.values())),
        )
        for short, lights in by_agency.values()
    )


async def _question_ages(db: AsyncSession, now: datetime) -> tuple[int, ...]:
    asked = await db.scalars(
        select(Question.asked_at).where(Question.status != QuestionStatus.ANSWERED)
    )
    counts = [0] * (len(AGE_BOUNDS) + 1)
    for at in asked.all():
        days = (now - at).days
        counts[sum(1 for bound in AGE_BOUNDS if days >= bound)] += 1
    return tuple(counts)


async def chart_data(db: AsyncSession, clock: Clock, zone: ZoneInfo, indicators: int) -> ChartData:
    """Everything the four charts draw, read in one transaction."""
    now = clock.now()
    period = period_of(now, zone)
    return ChartData(
        readiness=await _readiness(db),
        deadlines=await _deadlines(db, now, zone),
        period=period,
        lights=await _lights(db, period, indicators),
        question_ages=await _question_ages(db, now),
    )
