"""Deadlines due soon or overdue, per deadline and per agency, and ISO 18091 progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot.clock import Clock
from bot.services import agencies
from bot.services.assessment import agency_sheets as assessment_sheets
from bot.services.assessment import period_of, previous_period
from bot.services.errors import NotFound
from bot.services.reports.views import (
    UPCOMING,
    Agencies,
    AgencyPage,
    AgencyRecord,
    AgencyRecords,
    AgencyRow,
    DeadlineOutcome,
    DeadlineRow,
    FocalReach,
    IsoRow,
    Outcome,
    Quarter,
)
from db.models import (
    AckStatus,
    Agency,
    AgencyMember,
    Assessment,
    AssessmentRating,
    AssessmentState,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
    Light,
    Person,
)

# A deadline's due moment for one agency: its extension, if it was given one.
AGENCY_DUE = func.coalesce(DeadlineOverride.due_at, Deadline.due_at)

_Columns = TypeVarTuple("_Columns")


def per_agency(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` over (deadline, agency) pairs: a deadline for all agencies is one per agency,
    with the agency's extension (DeadlineOverride) joined for AGENCY_DUE."""
    return (
        stmt.select_from(Deadline)
        .join(Agency, or_(Deadline.agency_id.is_(None), Deadline.agency_id == Agency.id))
        .outerjoin(
            DeadlineOverride,
            and_(
                DeadlineOverride.deadline_id == Deadline.id,
                DeadlineOverride.agency_id == Agency.id,
            ),
        )
    )


QUARTERS = 4  # periods of ISO 18091 lights the desk shows, the current one first


@dataclass(frozen=True)
class _Target:
    deadline_id: int
    title: str
    base_due: datetime
    agency_id: int
    due_at: datetime
    answered: bool
    done: bool
    done_at: datetime | None = None


def _pairs() -> Select[Any]:
    """Every (open deadline, agency it concerns) with the agency's own due moment and answers."""
    acks = (
        select(
            DeadlineAck.deadline_id,
            DeadlineAck.agency_id,
            func.max(case((DeadlineAck.status == AckStatus.DONE, 1), else_=0)).label("done"),
            func.min(case((DeadlineAck.status == AckStatus.DONE, DeadlineAck.at))).label("at"),
        )
        .group_by(DeadlineAck.deadline_id, DeadlineAck.agency_id)
        .subquery()
    )
    return (
        per_agency(
            select(
                Deadline.id.label("deadline_id"),
                Deadline.title,
                Deadline.due_at.label("base_due"),
                Agency.id.label("agency_id"),
                AGENCY_DUE.label("due"),
                acks.c.deadline_id.is_not(None).label("answered"),
                func.coalesce(acks.c.done, 0).label("done"),
                acks.c.at.label("done_at"),
            )
        )
        .outerjoin(acks, and_(acks.c.deadline_id == Deadline.id, acks.c.agency_id == Agency.id))
        .where(Deadline.cancelled_at.is_(None))
    )


def _target(values: Sequence[Any]) -> _Target:
    d_id, title, base, a_id, when, answered, is_done, done_at = values
    return _Target(
        int(d_id), str(title), base, int(a_id), when, bool(answered), bool(is_done), done_at
    )


async def _targets(db: AsyncSession, now: datetime) -> list[_Target]:
    """(deadline, agency) pairs that are overdue and not done, or due within the window."""
    pairs = _pairs().subquery()
    found = await db.execute(
        select(pairs)
        .where(pairs.c.due <= now + UPCOMING, or_(pairs.c.due >= now, pairs.c.done == literal(0)))
        .order_by(pairs.c.due, pairs.c.deadline_id, pairs.c.agency_id)
    )
    return [_target(r) for r in found.all()]


def _deadline_rows(targets: Sequence[_Target], now: datetime) -> tuple[DeadlineRow, ...]:
    grouped: dict[int, list[_Target]] = {}
    for target in targets:
        grouped.setdefault(target.deadline_id, []).append(target)
    rows = []
    for group in grouped.values():
        first = group[0]
        rows.append(
            DeadlineRow(
                id=first.deadline_id,
                title=first.title,
                due_at=first.base_due,
                agencies=len(group),
                answered=sum(t.answered for t in group),
                done=sum(t.done for t in group),
                late=sum(1 for t in group if t.due_at < now and not t.done),
            )
        )
    # Overdue first (the most agencies late), then the soonest.
    rows.sort(key=lambda r: (r.late == 0, -r.late, r.due_at, r.id))
    return tuple(rows)


async def deadlines_due(db: AsyncSession, now: datetime) -> tuple[DeadlineRow, ...]:
    """Open deadlines due within the window or overdue, the most agencies late first."""
    return _deadline_rows(await _targets(db, now), now)


async def iso_progress(db: AsyncSession, period: str) -> tuple[IsoRow, ...]:
    """Every agency with how many indicators carry a light in the period's assessment."""
    found = await db.execute(
        select(
            Agency.id,
            Agency.short_name,
            Assessment.state,
            func.count(AssessmentRating.light),
        )
        .outerjoin(
            Assessment, and_(Assessment.agency_id == Agency.id, Assessment.period == period)
        )
        .outerjoin(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .group_by(Agency.id, Agency.short_name, Assessment.state)
        .order_by(Agency.id)
    )
    return tuple(
        IsoRow(int(a_id), str(short), int(rated), state == AssessmentState.SUBMITTED)
        for a_id, short, state, rated in found.all()
    )


async def agency_overview(
    db: AsyncSession, clock: Clock, zone: ZoneInfo, indicators: int
) -> Agencies:
    """Per agency: deadlines late and coming up, the next one, ISO 18091 this quarter."""
    now = clock.now()
    period = period_of(now, zone)
    targets = await _targets(db, now)
    names = {
        a_id: (name, short)
        for a_id, name, short in (
            await db.execute(select(Agency.id, Agency.name, Agency.short_name))
        ).all()
    }
    rows = []
    for iso in await iso_progress(db, period):
        mine = [t for t in targets if t.agency_id == iso.agency_id and not t.done]
        coming = [t for t in mine if t.due_at >= now]
        name, short = names[iso.agency_id]
        rows.append(
            AgencyRow(
                id=iso.agency_id,
                name=name,
                short_name=short,
                late=sum(1 for t in mine if t.due_at < now),
                upcoming=len(coming),
                next_title=coming[0].title if coming else None,
                next_due=coming[0].due_at if coming else None,
                iso_rated=iso.rated,
                iso_submitted=iso.submitted,
            )
        )
    return Agencies(now, period, indicators, tuple(rows))


# --- the desk: every deadline's outcome, lights per quarter, who can be reached ---------------


def _outcome(target: _Target, now: datetime) -> Outcome:
    if target.done:
        at = target.done_at
        return Outcome.LATE if at is not None and at > target.due_at else Outcome.KEPT
    return Outcome.MISSED if target.due_at < now else Outcome.OPEN


async def _all_targets(db: AsyncSession, agency_id: int | None = None) -> list[_Target]:
    pairs = _pairs().subquery()
    stmt = select(pairs).order_by(pairs.c.due, pairs.c.deadline_id, pairs.c.agency_id)
    if agency_id is not None:
        stmt = stmt.where(pairs.c.agency_id == agency_id)
    return [_target(r) for r in (await db.execute(stmt)).all()]


def _periods(now: datetime, zone: ZoneInfo, count: int) -> tuple[str, ...]:
    periods = [period_of(now, zone)]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return tuple(periods)


async def _quarters(
    db: AsyncSession, periods: Sequence[str], agency_ids: Sequence[int]
) -> dict[int, list[Quarter]]:
    """Each agency's lights per period, counted in the database (one row per agency, period
    and light rather than every rating)."""
    stmt = (
        select(
            Assessment.agency_id,
            Assessment.period,
            Assessment.state,
            AssessmentRating.light,
            func.count(AssessmentRating.light),
        )
        .outerjoin(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .where(Assessment.period.in_(periods), Assessment.agency_id.in_(agency_ids))
        .group_by(
            Assessment.agency_id, Assessment.period, Assessment.state, AssessmentRating.light
        )
    )
    states: dict[tuple[int, str], AssessmentState] = {}
    counts: dict[tuple[int, str, Light], int] = {}
    for a_id, period, state, light, count in (await db.execute(stmt)).all():
        states[(a_id, period)] = state
        if light is not None:
            counts[(a_id, period, light)] = count
    return {
        a_id: [
            Quarter(
                period,
                states.get((a_id, period)),
                counts.get((a_id, period, Light.RED), 0),
                counts.get((a_id, period, Light.YELLOW), 0),
                counts.get((a_id, period, Light.GREEN), 0),
            )
            for period in periods
        ]
        for a_id in agency_ids
    }


async def _reach(db: AsyncSession, agency_id: int | None = None) -> dict[int, list[FocalReach]]:
    last = (
        select(DeadlineAck.person_id, func.max(DeadlineAck.at).label("at"))
        .group_by(DeadlineAck.person_id)
        .subquery()
    )
    stmt = (
        select(AgencyMember.agency_id, Person, last.c.at)
        .join(Person, Person.id == AgencyMember.person_id)
        .outerjoin(last, last.c.person_id == Person.id)
        .order_by(AgencyMember.agency_id, func.lower(Person.full_name), Person.id)
    )
    if agency_id is not None:
        stmt = stmt.where(AgencyMember.agency_id == agency_id)
    found: dict[int, list[FocalReach]] = {}
    rows = cast(list[tuple[int, Person, datetime | None]], (await db.execute(stmt)).all())
    for a_id, person, at in rows:
        found.setdefault(a_id, []).append(
            FocalReach(
                person.id, person.full_name, person.unreachable_since, person.deactivated_at, at
            )
        )
    return found


def _record(
    agency: Agency,
    outcomes: Sequence[Outcome],
    quarters: Sequence[Quarter],
    reach: Sequence[FocalReach],
) -> AgencyRecord:
    return AgencyRecord(
        id=agency.id,
        name=agency.name,
        short_name=agency.short_name,
        kept=outcomes.count(Outcome.KEPT),
        late=outcomes.count(Outcome.LATE),
        missed=outcomes.count(Outcome.MISSED),
        open=outcomes.count(Outcome.OPEN),
        quarters=tuple(quarters),
        focal_points=tuple(reach),
    )


async def agency_records(
    db: AsyncSession, clock: Clock, zone: ZoneInfo, indicators: int, quarters: int = QUARTERS
) -> AgencyRecords:
    """Every agency: deadlines kept, late, missed; its lights per quarter; its focal points."""
    now = clock.now()
    periods = _periods(now, zone, quarters)
    outcomes: dict[int, list[Outcome]] = {}
    for target in await _all_targets(db):
        outcomes.setdefault(target.agency_id, []).append(_outcome(target, now))
    every = await agencies.all_agencies(db)
    lights = await _quarters(db, periods, [a.id for a in every])
    reach = await _reach(db)
    rows = tuple(
        _record(a, outcomes.get(a.id, []), lights[a.id], reach.get(a.id, [])) for a in every
    )
    return AgencyRecords(now, indicators, periods, rows)


async def agency_page(
    db: AsyncSession,
    clock: Clock,
    zone: ZoneInfo,
    indicators: int,
    agency_id: int,
    quarters: int = QUARTERS,
) -> AgencyPage:
    """One agency: each deadline's outcome, its sheets per quarter with notes, its people."""
    agency = await agencies.get(db, agency_id)
    if agency is None:
        raise NotFound()
    now = clock.now()
    targets = await _all_targets(db, agency_id)
    outcomes = [
        DeadlineOutcome(t.deadline_id, t.title, t.due_at, t.done_at, _outcome(t, now))
        for t in targets
    ]
    lights = await _quarters(db, _periods(now, zone, quarters), [agency_id])
    record = _record(
        agency,
        [o.outcome for o in outcomes],
        lights[agency_id],
        (await _reach(db, agency_id)).get(agency_id, []),
    )
    sheets = await assessment_sheets(db, agency_id, quarters)
    return AgencyPage(now, indicators, record, tuple(outcomes), tuple(sheets))
