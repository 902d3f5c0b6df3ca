"""What deadline messages say when they go out: reminders, overdue notes, escalations,
changes, requests for help and for more time, and the decisions on them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import deadlines as screens
from bot.services import agencies, deadlines, people
from bot.services.deadlines import planning
from bot.services.deadlines.answers import ExtensionRef, HelpAsked
from bot.services.deadlines.changes import Changed
from bot.services.deadlines.planning import Planned
from db.models import Agency, Deadline, ExtensionRequest, OutboxMessage


async def _planned(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Planned
) -> Reply | None:
    now = deps.clock.now()
    found = await planning.still_current(db, payload)
    if found is None or await planning.superseded(db, row, now):
        return None
    deadline, tgt = found
    if row.kind == deadlines.REMINDER and tgt.due_at <= now:
        return None  # the deadline itself has passed meanwhile; the overdue rows take over
    overdue = row.kind == deadlines.OVERDUE
    return screens.reminder(
        tr, deadline, tgt.agency, tgt.due_at, now, overdue=overdue, late=row.late
    )


async def compose_reminder(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Planned
) -> Reply | None:
    """H-7 ... H; skipped once done, changed, or made pointless by a newer one."""
    return await _planned(db, deps, tr, row, payload)


async def compose_overdue(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Planned
) -> Reply | None:
    """Each working day after the deadline, five times at most; skipped once done."""
    return await _planned(db, deps, tr, row, payload)


async def compose_escalation(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Planned
) -> Reply | None:
    """Two working days late with no answer at all: to every coordinator."""
    found = await planning.still_current(db, payload)
    if found is None:
        return None
    deadline, tgt = found
    if await deadlines.answered(db, deadline.id, tgt.agency.id):
        return None
    names = [p.full_name for p in await agencies.focal_points(db, tgt.agency.id)]
    return screens.escalation(tr, deadline, tgt.agency, tgt.due_at, deps.clock.now(), names)


async def compose_changed(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Changed
) -> Reply | None:
    deadline = await db.get(Deadline, payload.deadline_id)
    agency = await db.get(Agency, payload.agency_id)
    if deadline is None or agency is None:
        return None
    tgt = await deadlines.target(db, deadline, agency)
    return screens.changed(tr, deadline, agency, tgt.due_at, payload.change, deps.clock.now())


async def compose_help(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: HelpAsked
) -> Reply | None:
    deadline = await db.get(Deadline, payload.deadline_id)
    agency = await db.get(Agency, payload.agency_id)
    person = await people.get(db, payload.person_id)
    if deadline is None or agency is None or person is None:
        return None
    return screens.help_request(tr, deadline, agency, person.full_name, payload.message)


async def _request(
    db: AsyncSession, payload: ExtensionRef
) -> tuple[ExtensionRequest, Deadline, Agency] | None:
    request = await db.get(ExtensionRequest, payload.request_id)
    if request is None:
        return None
    deadline = await db.get(Deadline, request.deadline_id)
    agency = await db.get(Agency, request.agency_id)
    if deadline is None or agency is None:
        return None
    return request, deadline, agency


async def compose_extension(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: ExtensionRef
) -> Reply | None:
    """To each coordinator, with Setujui / Tolak; skipped when decided or cancelled meanwhile."""
    found = await _request(db, payload)
    if found is None:
        return None
    request, deadline, agency = found
    if request.status.value != "pending" or deadline.cancelled_at is not None:
        return None
    asker = await people.get(db, request.requested_by_id) if request.requested_by_id else None
    current = await deadlines.target(db, deadline, agency)
    name = asker.full_name if asker is not None else "-"
    return screens.extension_request(tr, request, deadline, agency, name, current.due_at)


async def compose_extension_decided(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: ExtensionRef
) -> Reply | None:
    found = await _request(db, payload)
    if found is None:
        return None
    request, deadline, agency = found
    if deadline.cancelled_at is not None:
        return None
    current = await deadlines.target(db, deadline, agency)
    return screens.extension_decided(tr, request, deadline, agency, current.due_at)
