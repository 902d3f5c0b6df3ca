"""Guidance modules read step by step; the place in each module is kept per business."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content import Contact, Content, Module
from bot.services.errors import NotFound, Stale
from db.models import Business, GuidanceProgress


@dataclass(frozen=True)
class ModuleMark:
    """A module in the sector's list, with how far the business got."""

    module: Module
    step: int | None  # 0-based step last shown; None when never opened
    done: bool

    @property
    def started(self) -> bool:
        return self.step is not None and not self.done


@dataclass(frozen=True)
class StepView:
    """One step of a module, as the business sees it now."""

    module: Module
    index: int  # 0-based
    total: int
    done: bool  # the module has been read to the end (now or before)
    suggestion: Module | None  # on the last step: what to read next
    image: Path | None = None  # the step's picture, a file under content/
    contact: Contact | None = None  # the office the step tells the owner to ask

    @property
    def is_last(self) -> bool:
        return self.index == self.total - 1


async def business_of(db: AsyncSession, person_id: int) -> Business:
    """The business this person owns; NotFound when they have none (yet)."""
    business = await db.scalar(select(Business).where(Business.owner_id == person_id))
    if business is None:
        raise NotFound()
    return business


def reachable_modules(content: Content, sector: str) -> list[Module]:
    """The sector's modules in reading order, then those its checklist or modules point to."""
    ordered = content.modules_for(sector)
    seen = {m.id for m in ordered}
    extra: list[str] = []
    for module in ordered:
        extra.extend(module.see_also)
    extra.extend(item.module for item in content.checklist_for(sector).items)
    for module_id in extra:
        if module_id not in seen and module_id in content.modules:
            seen.add(module_id)
            ordered.append(content.modules[module_id])
    return ordered


# Built once: a statement's construction costs more than SQLite running it.
_PROGRESS = select(GuidanceProgress).where(
    GuidanceProgress.business_id == bindparam("business_id")
)


async def _progress(db: AsyncSession, business_id: int) -> dict[str, GuidanceProgress]:
    rows = await db.scalars(_PROGRESS, {"business_id": business_id})
    return {row.module_id: row for row in rows}


async def module_menu(db: AsyncSession, content: Content, business: Business) -> list[ModuleMark]:
    """The sector's modules in reading order with the business's marks."""
    progress = await _progress(db, business.id)
    marks = []
    for module in content.modules_for(business.sector):
        row = progress.get(module.id)
        marks.append(
            ModuleMark(
                module,
                row.step if row is not None else None,
                row is not None and row.completed_at is not None,
            )
        )
    return marks


async def completed_count(
    db: AsyncSession, content: Content, business: Business
) -> tuple[int, int]:
    """Modules of the sector read to the end, and how many the sector has."""
    marks = await module_menu(db, content, business)
    return sum(1 for m in marks if m.done), len(marks)


def _suggest(
    content: Content, business: Business, module: Module, progress: dict[str, GuidanceProgress]
) -> Module | None:
    """What to read after this module: an unread see_also, else the next unread in order."""

    def unread(module_id: str) -> bool:
        row = progress.get(module_id)
        return module_id != module.id and (row is None or row.completed_at is None)

    for module_id in module.see_also:
        if module_id in content.modules and unread(module_id):
            return content.modules[module_id]
    order: Sequence[Module] = content.modules_for(business.sector)
    ids = [m.id for m in order]
    start = ids.index(module.id) + 1 if module.id in ids else 0
    for candidate in [*order[start:], *order[:start]]:
        if unread(candidate.id):
            return candidate
    return None


async def open_step(
    db: AsyncSession,
    clock: Clock,
    content: Content,
    business: Business,
    module_id: str,
    step: int | None,
) -> StepView:
    """Show a step (None: where the business left off) and remember it; Stale for a gone one."""
    allowed = {m.id: m for m in reachable_modules(content, business.sector)}
    module = allowed.get(module_id)
    if module is None:
        raise Stale()
    total = len(module.steps)
    progress = await _progress(db, business.id)
    row = progress.get(module_id)
    if step is None:
        step = 0 if row is None or row.completed_at is not None else min(row.step, total - 1)
    if not 0 <= step < total:
        raise Stale()
    now = clock.now()
    if row is None:
        row = GuidanceProgress(
            business_id=business.id, module_id=module_id, step=step, started_at=now
        )
        db.add(row)
        progress[module_id] = row
    row.step = step
    row.updated_at = now
    if step == total - 1 and row.completed_at is None:
        row.completed_at = now
    await db.flush()
    suggestion = _suggest(content, business, module, progress) if step == total - 1 else None
    shown = module.steps[step]
    return StepView(
        module,
        step,
        total,
        row.completed_at is not None,
        suggestion,
        content.root / shown.image if shown.image is not None else None,
        content.contacts.get(shown.contact) if shown.contact is not None else None,
    )
