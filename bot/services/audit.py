"""Reading the audit trail: who did what, when, to whom (ids and codes, no personal content)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.roles import Page
from db.models import AuditEvent, Person

PAGE_SIZE = 10


@dataclass(frozen=True)
class AuditLine:
    """One event; names are today's names of the people (None: the system or the operator)."""

    id: int
    at: datetime
    action: str
    actor_id: int | None
    actor: str | None
    subject_id: int | None
    subject: str | None
    detail: tuple[tuple[str, str], ...]  # sorted by key, values as text


async def latest(db: AsyncSession, page: int = 0, per_page: int = PAGE_SIZE) -> Page[AuditLine]:
    """The newest events first, paged."""
    total = int(await db.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    pages = max(1, -(-total // per_page))
    number = min(max(page, 0), pages - 1)
    stmt = (
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(number * per_page)
        .limit(per_page)
    )
    return Page(tuple(await _lines(db, stmt)), number, pages, total)


async def since(db: AsyncSession, moment: datetime) -> list[AuditLine]:
    """Every event at or after `moment`, oldest first (the command line)."""
    stmt = select(AuditEvent).where(AuditEvent.at >= moment).order_by(AuditEvent.at, AuditEvent.id)
    return await _lines(db, stmt)


async def _lines(db: AsyncSession, stmt: Select[AuditEvent]) -> list[AuditLine]:
    events: Sequence[AuditEvent] = (await db.scalars(stmt)).all()
    ids = {i for e in events for i in (e.person_id, e.subject_id) if i is not None}
    names: dict[int, str] = {}
    if ids:
        found = await db.execute(select(Person.id, Person.full_name).where(Person.id.in_(ids)))
        names = dict(found.all())
    return [
        AuditLine(
            id=e.id,
            at=e.at,
            action=e.action,
            actor_id=e.person_id,
            actor=names.get(e.person_id) if e.person_id is not None else None,
            subject_id=e.subject_id,
            subject=names.get(e.subject_id) if e.subject_id is not None else None,
            detail=tuple(sorted((str(k), _text(v)) for k, v in (e.detail or {}).items())),
        )
        for e in events
    ]


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)
