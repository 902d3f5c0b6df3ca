"""The businesses block: counts, average readiness, who needs attention, pages, one detail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVarTuple, cast

from sqlalchemy import Row, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot.clock import Clock
from bot.content import Content
from bot.services import checklists, questions, scoring
from bot.services.errors import NotFound
from bot.services.nudges import INACTIVE_AFTER
from bot.services.reports.views import (
    ATTENTION,
    PAGE_SIZE,
    BusinessDetail,
    BusinessHistory,
    BusinessRow,
    BusinessTotals,
    HistoryItem,
    Page,
    TableRow,
    VersionHead,
)
from db.models import Business, ChecklistRun, Question, QuestionStatus, RunState

_Columns = TypeVarTuple("_Columns")


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


def business_rows() -> Select[int, str, str, int | None, int | None, datetime | None, datetime]:
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
    rows = business_rows().subquery()
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
        business_rows()
        .order_by(func.lower(Business.name), Business.id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return Page(tuple(_row(r) for r in found.all()), page, _pages(total), total)


async def _one(
    db: AsyncSession, rows: Select[*_Columns], business_id: int
) -> tuple[Row[*_Columns], Business]:
    """One business's row of `rows`, and the business itself; NotFound when there is none."""
    found = (await db.execute(rows.where(Business.id == business_id))).first()
    business = await db.get(Business, business_id)
    if found is None or business is None:
        raise NotFound()
    return found, business


async def business_detail(
    db: AsyncSession, clock: Clock, content: Content, business_id: int
) -> BusinessDetail:
    """One business: its row and its latest checklist (per section, next steps)."""
    found, business = await _one(db, business_rows(), business_id)
    return BusinessDetail(
        clock.now(), _row(found), await checklists.progress(db, content, business)
    )


def _table_rows() -> Select[Any]:
    waiting = (
        select(Question.business_id, func.count(Question.id).label("waiting"))
        .where(Question.status != QuestionStatus.ANSWERED)
        .group_by(Question.business_id)
        .subquery()
    )
    return (
        business_rows()
        .add_columns(Business.owner_name, func.coalesce(waiting.c.waiting, 0))
        .outerjoin(waiting, waiting.c.business_id == Business.id)
    )


def _table_row(values: Sequence[object]) -> TableRow:
    *row, owner_name, waiting = values
    return TableRow(_row(row), str(owner_name), int(str(waiting)))


async def business_table(db: AsyncSession) -> tuple[TableRow, ...]:
    """Every business with its readiness, last activity and open questions, by name."""
    found = await db.execute(_table_rows().order_by(func.lower(Business.name), Business.id))
    return tuple(_table_row(r) for r in found.all())


async def business_history(
    db: AsyncSession, clock: Clock, content: Content, business_id: int
) -> BusinessHistory:
    """One business: every submitted version's answers (and the draft's), steps, questions."""
    found, business = await _one(db, _table_rows(), business_id)
    checklist = content.checklist_for(business.sector)
    kept = await checklists.versions(db, content, business)
    heads = [VersionHead(v.run_id, v.submitted_at, v.score.percent) for v in kept]
    columns = [v.answers for v in kept]
    draft = await checklists.draft_answers(db, business.id)
    if any(a.value is not None for a in draft.values()):
        heads.insert(0, VersionHead(None, None, scoring.score(checklist, draft).percent))
        columns.insert(0, draft)
    items = tuple(
        HistoryItem(
            item.id,
            section.title,
            item.question,
            tuple(answers.get(item.id) for answers in columns),
        )
        for section in checklist.sections
        for item in section.items
    )
    latest = kept[0].answers if kept else draft
    steps = tuple(item.next_step for item in scoring.next_steps(checklist, latest))
    return BusinessHistory(
        now=clock.now(),
        row=_table_row(found),
        phone=business.phone,
        checklist=checklist.title,
        versions=tuple(heads),
        items=items,
        steps=steps,
        questions=tuple(await questions.of_business(db, business.id)),
    )
