"""The first /rekap screen, with the blocks only it adds: open questions, unreachable people."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot.clock import Clock
from bot.services.assessment import period_of
from bot.services.reports.agencies import deadlines_due, iso_progress
from bot.services.reports.businesses import business_totals
from bot.services.reports.views import (
    PAGE_SIZE,
    SUMMARY_UNREACHABLE,
    Page,
    Questions,
    Summary,
    UnreachableRow,
)
from db.models import Agency, AgencyMember, Business, Person, Question, QuestionStatus


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
        deadlines=await deadlines_due(db, now),
        period=period,
        indicators=indicators,
        iso=await iso_progress(db, period),
        questions=await open_questions(db),
        unreachable=unreachable.rows,
        unreachable_total=unreachable.total,
    )
