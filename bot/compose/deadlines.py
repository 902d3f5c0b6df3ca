"""What deadline messages say when they go out: reminders, overdue notes, escalations,
changes, requests for help and for more time, and the decisions on them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render.deadlines import admin, focal
from bot.services import agencies, deadlines, people
from bot.services.deadlines import planning
from bot.services.deadlines.answers import ExtensionRef, HelpAsked
from bot.services.deadlines.changes import Changed
from bot.services.deadlines.planning import Planned
from bot.services.deadlines.views import Assignment
from db.models import Deadline, ExtensionStatus, OutboxMessage


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
    return focal.reminder(tr, Assignment.of(deadline, tgt), now, overdue=overdue, late=row.late)


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
    return admin.escalation(tr, Assignment.of(deadline, tgt), deps.clock.now(), names)


async def compose_changed(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Changed
) -> Reply | None:
    if payload.change == "created":
        return await _announcement(db, deps, tr, payload)
    found = await deadlines.find_assignment(db, payload.deadline_id, payload.agency_id)
    if found is None:
        return None
    return focal.changed(tr, found, payload.change, deps.clock.now())


async def _announcement(
    db: AsyncSession, deps: Deps, tr: Translator, payload: Changed
) -> Reply | None:
    """A new deadline; skipped once cancelled, done or past."""
    deadline = await db.get(Deadline, payload.deadline_id)
    found = await deadlines.find_assignment(db, payload.deadline_id, payload.agency_id)
    if deadline is None or found is None or deadline.cancelled_at is not None:
        return None
    now = deps.clock.now()
    if found.due_at <= now or await deadlines.agency_done(db, deadline.id, payload.agency_id):
        return None  # passed meanwhile (the overdue notes take over), or done already
    cal = deps.calendar
    upcoming = planning.reminder_moments(cal, deadline, found.due_at, now, catch_up=False)
    next_at = next((m for label, m in upcoming if label.startswith("h-")), None)
    return focal.announced(tr, found, now, next_at)


async def compose_help(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: HelpAsked
) -> Reply | None:
    found = await deadlines.find_assignment(db, payload.deadline_id, payload.agency_id)
    person = await people.get(db, payload.person_id)
    if found is None or person is None:
        return None
    return admin.help_request(tr, found, person.full_name, payload.message)


async def compose_extension(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: ExtensionRef
) -> Reply | None:
    """To each coordinator, with Setujui / Tolak; skipped when decided or cancelled meanwhile."""
    request = await deadlines.extension_view(db, payload.request_id)
    if request is None or request.status != ExtensionStatus.PENDING:
        return None
    if request.deadline_cancelled:
        return None
    return admin.extension_request(tr, request)


async def compose_extension_decided(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: ExtensionRef
) -> Reply | None:
    request = await deadlines.extension_view(db, payload.request_id)
    if request is None or request.deadline_cancelled:
        return None
    return focal.extension_decided(tr, request)
