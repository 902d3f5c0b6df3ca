"""The coordinators' new-deadline dialogue ("Tenggat baru" in /tenggat): agency, title, date,
description, repeat, kind, optionally the reminder rule, then a check before saving."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from bot.callbacks import CallbackDataError
from bot.render import Reply
from bot.render.deadlines import creation, shared
from bot.render.deadlines.admin import AdminAction, DeadlineAdminButton
from bot.render.deadlines.creation import DraftView, NewAction, NewDeadlineButton
from bot.services import deadlines
from bot.services.deadlines import (
    DEFAULT_HOUR,
    DEFAULT_OFFSETS,
    BadDue,
    BadRule,
    DeadlineInfo,
    NewDeadline,
)
from bot.services.errors import Stale
from db.models import DeadlineKind, Recurrence, Role
from handlers.base import Turn
from handlers.deadlines import typed_date, typed_text
from handlers.router import Dialogue, Flow, Router

router = Router("new_deadline", roles={Role.COORDINATOR})


class NewStep(StrEnum):
    AGENCY = "agency"
    TITLE = "title"
    DUE = "due"
    DESCRIPTION = "description"
    RECURRENCE = "recurrence"
    KIND = "kind"
    CONFIRM = "confirm"
    REM_HOUR = "rem_hour"
    REM_DAYS = "rem_days"


class Draft(BaseModel):
    """The answers so far (the keys of dialogues stored before typed flows)."""

    agency: int | None = None  # None: every agency
    title: str = ""
    due: datetime | None = None
    description: str | None = None
    recurrence: Recurrence = Recurrence.NONE
    kind: DeadlineKind = DeadlineKind.DOCUMENT
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    hour: int = DEFAULT_HOUR
    minute: int = 0

    def due_at(self) -> datetime:
        if self.due is None:  # the confirmation comes only after the date
            raise Stale()
        return self.due


NEW = Flow("deadline_new", NewStep, Draft)
Creating = Dialogue[NewStep, Draft]


TapFn = Callable[[Turn, NewDeadlineButton, Creating], Awaitable[None]]


def _tap(action: NewAction, *, at: NewStep) -> Callable[[TapFn], TapFn]:
    """Route a button of the dialogue, taken only at step `at` (a stale one is answered)."""

    def add(fn: TapFn) -> TapFn:
        async def tap(t: Turn, button: NewDeadlineButton) -> None:
            try:
                current = await NEW.expect(t, at)
            except Stale:
                t.reply(creation.step_expired(t.tr))
                return
            await fn(t, button, current)

        tap.__name__ = fn.__name__
        router.action(NewDeadlineButton, action)(tap)
        return fn

    return add


async def _advance(t: Turn, current: Creating, step: NewStep, **answers: object) -> Creating:
    return await NEW.advance(t, current, step, current.data.model_copy(update=answers))


async def _confirmation(t: Turn, current: Creating) -> Reply:
    """Everything given so far, with Save and Set reminders."""
    draft = current.data
    agency = await deadlines.agency_ref(t.db, draft.agency) if draft.agency is not None else None
    shown = DraftView(
        agency=agency.name if agency is not None else None,
        title=draft.title,
        due_at=draft.due_at(),
        description=draft.description,
        recurrence=draft.recurrence,
        kind=draft.kind,
        offsets=draft.offsets,
        hour=draft.hour,
        minute=draft.minute,
    )
    return creation.new_confirm(t.tr, shown)


@router.action(DeadlineAdminButton, AdminAction.NEW)
async def start_new_deadline(t: Turn, button: DeadlineAdminButton) -> None:
    await NEW.begin(t, NewStep.AGENCY, Draft())
    t.reply(creation.new_agency(t.tr, await deadlines.agency_choices(t.db)))


@_tap(NewAction.AGENCY, at=NewStep.AGENCY)
async def choose_agency(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    if button.agency is None:
        raise CallbackDataError("an agency button without an agency")
    agency = await deadlines.agency_ref(t.db, button.agency)
    await _advance(t, current, NewStep.TITLE, agency=agency.id)
    t.edit(creation.new_title(t.tr, agency.name))


@_tap(NewAction.ALL, at=NewStep.AGENCY)
async def choose_every_agency(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    await _advance(t, current, NewStep.TITLE, agency=None)
    t.edit(creation.new_title(t.tr, None))


@router.step(NEW, NewStep.TITLE)
async def take_title(t: Turn, current: Creating) -> None:
    text = typed_text(t)
    if text is None:
        return
    await _advance(t, current, NewStep.DUE, title=deadlines.clean_title(text))
    t.reply(creation.new_due(t.tr))


@router.step(NEW, NewStep.DUE)
async def take_due_date(t: Turn, current: Creating) -> None:
    due_at = typed_date(t)
    if due_at is None:
        return
    await _advance(t, current, NewStep.DESCRIPTION, due=due_at)
    t.reply(creation.new_description(t.tr))


@router.step(NEW, NewStep.DESCRIPTION)
async def take_description(t: Turn, current: Creating) -> None:
    text = typed_text(t)
    if text is None:
        return
    await _advance(t, current, NewStep.RECURRENCE, description=text)
    t.reply(creation.new_recurrence(t.tr))


@_tap(NewAction.SKIP, at=NewStep.DESCRIPTION)
async def skip_description(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    await _advance(t, current, NewStep.RECURRENCE, description=None)
    t.edit(creation.new_recurrence(t.tr))


@_tap(NewAction.RECURRENCE, at=NewStep.RECURRENCE)
async def choose_recurrence(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    if button.recurrence is None:
        raise CallbackDataError("a repeat button without a recurrence")
    await _advance(t, current, NewStep.KIND, recurrence=button.recurrence)
    t.edit(creation.new_kind(t.tr))


@_tap(NewAction.KIND, at=NewStep.KIND)
async def choose_kind(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    if button.kind is None:
        raise CallbackDataError("a kind button without a kind")
    moved = await _advance(t, current, NewStep.CONFIRM, kind=button.kind)
    t.reply(await _confirmation(t, moved))


@_tap(NewAction.REMINDERS, at=NewStep.CONFIRM)
async def change_reminders(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    await _advance(t, current, NewStep.REM_HOUR)
    t.edit(creation.new_reminder_hour(t.tr))


@_tap(NewAction.HOUR, at=NewStep.REM_HOUR)
async def choose_hour(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    if button.hour not in creation.HOUR_CHOICES:
        raise CallbackDataError(f"an hour we do not offer: {button.hour!r}")
    hour, minute = deadlines.read_hour(button.hour)
    await _advance(t, current, NewStep.REM_DAYS, hour=hour, minute=minute)
    t.edit(creation.new_reminder_days(t.tr, current.data.offsets))


@router.step(NEW, NewStep.REM_HOUR)
async def take_hour(t: Turn, current: Creating) -> None:
    text = typed_text(t)
    if text is None:
        return
    try:
        hour, minute = deadlines.read_hour(text)
    except BadRule as exc:
        t.reply(creation.rule_error(t.tr, exc.code))
        return
    await _advance(t, current, NewStep.REM_DAYS, hour=hour, minute=minute)
    t.reply(creation.new_reminder_days(t.tr, current.data.offsets))


@router.step(NEW, NewStep.REM_DAYS)
async def take_days(t: Turn, current: Creating) -> None:
    text = typed_text(t)
    if text is None:
        return
    try:
        offsets = deadlines.read_offsets(text)
    except BadRule as exc:
        t.reply(creation.rule_error(t.tr, exc.code))
        return
    moved = await _advance(t, current, NewStep.CONFIRM, offsets=offsets)
    t.reply(await _confirmation(t, moved))


@_tap(NewAction.KEEP_DAYS, at=NewStep.REM_DAYS)
async def keep_days(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    moved = await _advance(t, current, NewStep.CONFIRM)
    t.reply(await _confirmation(t, moved))


@_tap(NewAction.SAVE, at=NewStep.CONFIRM)
async def save_deadline(t: Turn, button: NewDeadlineButton, current: Creating) -> None:
    """The coordinator checked it: the deadline, and its reminders planned."""
    draft = current.data
    new = NewDeadline(
        title=draft.title,
        due_at=draft.due_at(),
        agency_id=draft.agency,
        description=draft.description,
        kind=draft.kind,
        recurrence=draft.recurrence,
        offsets=draft.offsets,
        hour=draft.hour,
        minute=draft.minute,
    )
    try:
        made = await deadlines.create(t.db, t.clock, t.deps.calendar, new, t.me.id)
    except BadDue as exc:  # the date passed while the coordinator was choosing
        await _advance(t, current, NewStep.DUE)
        t.reply(shared.due_error(t.tr, exc.code))
        return
    await NEW.finish(t)
    reach = await deadlines.reach(t.db, made.id)
    plan = deadlines.reminder_plan(t.deps.calendar, made, t.clock.now())
    t.edit(creation.created(t.tr, DeadlineInfo.of(made), reach, plan))
    t.wake_dispatcher()


@router.step(NEW, NewStep.AGENCY)
async def point_to_agencies(t: Turn, current: Creating) -> None:
    """A message where an agency button is expected: start again from the list."""
    t.reply(creation.step_expired(t.tr))


@router.step(NEW, NewStep.RECURRENCE, NewStep.KIND, NewStep.CONFIRM)
async def point_to_buttons(t: Turn, current: Creating) -> None:
    """A message where a tap is expected."""
    t.reply(shared.text_needed(t.tr))
