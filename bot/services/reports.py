"""The coordinators' progress overview (/rekap): one aggregate query per block, no text.

Blocks: businesses (invited, joined, submitted, average readiness, who needs attention),
deadlines due soon or overdue per agency, ISO 18091 progress this quarter, open mentoring
questions, and the people Telegram no longer delivers to (they blocked the bot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot.clock import Clock
from bot.content import Content
from bot.services import checklists
from bot.services.assessment import period_of
from bot.services.errors import NotFound
from bot.services.nudges import INACTIVE_AFTER
from db.models import (
    AckStatus,
    Agency,
    AgencyMember,
    Assessment,
    AssessmentRating,
    AssessmentState,
    Business,
    ChecklistRun,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
    Person,
    Question,
    QuestionStatus,
    Role,
    RunState,
)

PAGE_SIZE = 10  # rows per drill-down page: short enough for a phone, far below 4096
ATTENTION = 3  # businesses named on the summary as needing attention
SUMMARY_UNREACHABLE = 5  # unreachable people named on the summary (the rest: drill down)
UPCOMING = timedelta(days=14)


# --- what the screens read ------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessRow:
    id: int
    name: str
    sector: str
    joined: bool  # the owner accepted the invitation
    readiness: int | None  # latest submitted checklist, whole percent; None: none submitted
    submitted_at: datetime | None
    active_at: datetime  # last sign of life (activity, else confirmation, else creation)

    def inactive(self, now: datetime) -> bool:
        return now - self.active_at >= INACTIVE_AFTER


@dataclass(frozen=True)
class BusinessTotals:
    invited: int
    joined: int
    submitted: int
    average: int | None  # average latest readiness of those who submitted
    attention: tuple[BusinessRow, ...]


@dataclass(frozen=True)
class DeadlineRow:
    """One open deadline due in the window or overdue, across the agencies it concerns."""

    id: int
    title: str
    due_at: datetime
    agencies: int
    answered: int  # agencies whose focal points gave any answer
    done: int
    late: int  # agencies past their (possibly extended) due moment and not done


@dataclass(frozen=True)
class IsoRow:
    agency_id: int
    short_name: str
    rated: int
    submitted: bool


@dataclass(frozen=True)
class Questions:
    open: int
    oldest_at: datetime | None


@dataclass(frozen=True)
class UnreachableRow:
    person_id: int
    name: str
    roles: frozenset[Role]
    since: datetime
    business: str | None
    phone: str | None
    agency: str | None


@dataclass(frozen=True)
class Summary:
    now: datetime
    businesses: BusinessTotals
    deadlines: tuple[DeadlineRow, ...]
    period: str
    indicators: int
    iso: tuple[IsoRow, ...]
    questions: Questions
    unreachable: tuple[UnreachableRow, ...]
    unreachable_total: int


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    page: int  # 0-based, clamped to the pages there are
    pages: int
    total: int


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    short_name: str
    late: int  # deadlines past due and not done
    upcoming: int  # deadlines due in the window and not done yet
    next_title: str | None
    next_due: datetime | None
    iso_rated: int
    iso_submitted: bool


@dataclass(frozen=True)
class Agencies:
    now: datetime
    period: str
    indicators: int
    rows: tuple[AgencyRow, ...]


@dataclass(frozen=True)
class BusinessDetail:
    now: datetime
    row: BusinessRow
    progress: checklists.Progress


# --- businesses -------------------------------------------------------------------------------


def _latest_runs() -> Select[int, int | None, datetime | None, int]:
    ranked = func.row_number().over(
        partition_by=ChecklistRun.business_id,
        order_by=(ChecklistRun.submitted_at.desc(), ChecklistRun.id.desc()),
    )
    return select(
        ChecklistRun.business_id,
        ChecklistRun.score,
        ChecklistRun.submitted_at,
        ranked.label("rank"),
    ).where(ChecklistRun.state == RunState.SUBMITTED)


def _business_rows() -> Select[int, str, str, int | None, int | None, datetime | None, datetime]:
    latest = _latest_runs().subquery()
    active = func.coalesce(
        Business.last_active_at, Business.profile_confirmed_at, Business.created_at
    )
    return select(
        Business.id,
        Business.name,
        Business.sector,
        Business.owner_id,
        latest.c.score,
        latest.c.submitted_at,
        active.label("active_at"),
    ).outerjoin(latest, and_(latest.c.business_id == Business.id, latest.c.rank == 1))


def _row(values: Sequence[object]) -> BusinessRow:
    id_, name, sector, owner_id, score, submitted_at, active_at = values
    assert isinstance(active_at, datetime)
    return BusinessRow(
        id=int(str(id_)),
        name=str(name),
        sector=str(sector),
        joined=owner_id is not None,
        readiness=int(str(score)) if score is not None else None,
        submitted_at=submitted_at if isinstance(submitted_at, datetime) else None,
        active_at=active_at,
    )


async def business_totals(db: AsyncSession, clock: Clock) -> BusinessTotals:
    """Counts and average readiness, and the businesses that need attention first.

    Attention: inactive for a week or more first, then the lowest readiness (nothing
    submitted counts as 0), then the longest without activity.
    """
    rows = _business_rows().subquery()
    counts = (
        await db.execute(
            select(
                func.count(rows.c.id),
                func.count(rows.c.owner_id),
                func.count(rows.c.submitted_at),
                func.avg(rows.c.score),
            )
        )
    ).one()
    invited, joined, submitted, average = cast(tuple[Any, Any, Any, Any], tuple(counts))
    idle = rows.c.active_at <= clock.now() - INACTIVE_AFTER
    attention = (
        await db.execute(
            select(rows)
            .order_by(
                case((idle, 0), else_=1),
                func.coalesce(rows.c.score, 0),
                rows.c.active_at,
                rows.c.id,
            )
            .limit(ATTENTION)
        )
    ).all()
    return BusinessTotals(
        invited=int(invited or 0),
        joined=int(joined or 0),
        submitted=int(submitted or 0),
        average=round(float(average)) if average is not None else None,
        attention=tuple(_row(r) for r in attention),
    )


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _clamp(page: int, total: int) -> int:
    return min(max(page, 0), _pages(total) - 1)


async def business_page(db: AsyncSession, page: int) -> Page[BusinessRow]:
    """Businesses by name, PAGE_SIZE per page."""
    total = int(await db.scalar(select(func.count(Business.id))) or 0)
    page = _clamp(page, total)
    found = await db.execute(
        _business_rows()
        .order_by(func.lower(Business.name), Business.id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return Page(tuple(_row(r) for r in found.all()), page, _pages(total), total)


async def business_detail(
    db: AsyncSession, clock: Clock, content: Content, business_id: int
) -> BusinessDetail:
    """One business: its row and its latest checklist (per section, next steps)."""
    found = (await db.execute(_business_rows().where(Business.id == business_id))).first()
    business = await db.get(Business, business_id)
    if found is None or business is None:
        raise NotFound()
    return BusinessDetail(
        clock.now(), _row(found), await checklists.progress(db, content, business)
    )


# --- deadlines and agencies -------------------------------------------------------------------


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
    due = func.coalesce(DeadlineOverride.due_at, Deadline.due_at)
    done = func.coalesce(acks.c.done, 0)
    found = await db.execute(
        select(
            Deadline.id,
            Deadline.title,
            Deadline.due_at,
            Agency.id,
            due,
            acks.c.deadline_id.is_not(None),
            done,
        )
        .select_from(Deadline)
        .join(Agency, or_(Deadline.agency_id.is_(None), Deadline.agency_id == Agency.id))
        .outerjoin(
            DeadlineOverride,
            and_(
                DeadlineOverride.deadline_id == Deadline.id,
                DeadlineOverride.agency_id == Agency.id,
            ),
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


async def _iso(db: AsyncSession, period: str) -> tuple[IsoRow, ...]:
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
    for iso in await _iso(db, period):
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


# --- questions and unreachable people ---------------------------------------------------------


async def open_questions(db: AsyncSession) -> Questions:
    count, oldest = (
        await db.execute(
            select(func.count(Question.id), func.min(Question.asked_at)).where(
                Question.status != QuestionStatus.ANSWERED
            )
        )
    ).one()
    return Questions(int(count or 0), oldest)


def _unreachable_query() -> Select[Person, str | None, str | None, str | None]:
    owned = Business.owner_id == Person.id
    business = select(func.min(Business.name)).where(owned).correlate(Person).scalar_subquery()
    phone = select(func.min(Business.phone)).where(owned).correlate(Person).scalar_subquery()
    agency = (
        select(func.min(Agency.short_name))
        .join(AgencyMember, AgencyMember.agency_id == Agency.id)
        .where(AgencyMember.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    return select(Person, business, phone, agency).where(Person.unreachable_since.is_not(None))


def _unreachable_row(
    person: Person, business: str | None, phone: str | None, agency: str | None
) -> UnreachableRow:
    assert person.unreachable_since is not None
    return UnreachableRow(
        person.id,
        person.full_name,
        person.role_set,
        person.unreachable_since,
        business,
        phone,
        agency,
    )


async def unreachable_page(
    db: AsyncSession, page: int, size: int = PAGE_SIZE
) -> Page[UnreachableRow]:
    """People who blocked the bot, the most recent first."""
    total = int(
        await db.scalar(select(func.count(Person.id)).where(Person.unreachable_since.is_not(None)))
        or 0
    )
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    found = await db.execute(
        _unreachable_query()
        .order_by(Person.unreachable_since.desc(), Person.id)
        .offset(page * size)
        .limit(size)
    )
    rows = tuple(_unreachable_row(p, b, ph, a) for p, b, ph, a in found.all())
    return Page(rows, page, pages, total)


# --- the summary --------------------------------------------------------------------------------


async def summary(db: AsyncSession, clock: Clock, zone: ZoneInfo, indicators: int) -> Summary:
    """Everything /rekap shows on its first screen."""
    now = clock.now()
    period = period_of(now, zone)
    unreachable = await unreachable_page(db, 0, SUMMARY_UNREACHABLE)
    return Summary(
        now=now,
        businesses=await business_totals(db, clock),
        deadlines=_deadline_rows(await _targets(db, now), now),
        period=period,
        indicators=indicators,
        iso=await _iso(db, period),
        questions=await open_questions(db),
        unreachable=unreachable.rows,
        unreachable_total=unreachable.total,
    )
