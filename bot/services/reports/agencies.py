"""Deadlines due soon or overdue, per deadline and per agency, and ISO 18091 progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot.clock import Clock
from bot.services.assessment import period_of
from bot.services.reports.views import UPCOMING, Agencies, AgencyRow, DeadlineRow, IsoRow
from db.models import (
    AckStatus,
    Agency,
    Assessment,
    AssessmentRating,
    AssessmentState,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
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


@dataclass(frozen=True)
class _Target:
    deadline_id: int
    title: str
    base_due: datetime
    agency_id: int
    due_at: datetime
    answered: bool
    done: bool


async def _targets(db: AsyncSession, now: datetime) -> list[_Target]:
    """(deadline, agency) pairs that are overdue and not done, or due within the window."""
    acks = (
        select(
            DeadlineAck.deadline_id,
            DeadlineAck.agency_id,
            func.max(case((DeadlineAck.status == AckStatus.DONE, 1), else_=0)).label("done"),
        )
        .group_by(DeadlineAck.deadline_id, DeadlineAck.agency_id)
        .subquery()
    )
    due = AGENCY_DUE
    done = func.coalesce(acks.c.done, 0)
    found = await db.execute(
        per_agency(
            select(
                Deadline.id,
                Deadline.title,
                Deadline.due_at,
                Agency.id,
                due,
                acks.c.deadline_id.is_not(None),
                done,
            )
        )
        .outerjoin(acks, and_(acks.c.deadline_id == Deadline.id, acks.c.agency_id == Agency.id))
        .where(
            Deadline.cancelled_at.is_(None),
            due <= now + UPCOMING,
            or_(due >= now, done == literal(0)),
        )
        .order_by(due, Deadline.id, Agency.id)
    )
    return [
        _Target(int(d_id), str(title), base, int(a_id), when, bool(answered), bool(is_done))
        for d_id, title, base, a_id, when, answered, is_done in found.all()
    ]


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
