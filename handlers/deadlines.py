"""Deadlines: `/tenggat`, focal points' answers, help and more time, and the coordinators' list,
edits and decisions on requests. The new-deadline dialogue is in handlers/new_deadline.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, Field

from bot.callbacks import CallbackDataError
from bot.i18n import N_
from bot.render.common import MenuKey
from bot.render.deadlines import admin, focal, shared
from bot.render.deadlines.admin import (
    AdminAction,
    DeadlineAdminButton,
    ExtensionButton,
    ExtensionChoice,
)
from bot.render.deadlines.focal import AnswerAction, AnswerDeadlineButton, OpenDeadlineButton
from bot.services import deadlines, dialogue
from bot.services.deadlines import BadDue, DeadlineInfo
from bot.services.errors import NotFound, Stale
from db.models import AckStatus, Role
from handlers.base import Turn
from handlers.router import Dialogue, Flow, Router

router = Router(
    "deadlines",
    roles={Role.COORDINATOR},
    outbox_kinds=(
        deadlines.REMINDER,
        deadlines.OVERDUE,
        deadlines.ESCALATION,
        deadlines.CHANGED,
        deadlines.HELP,
        deadlines.EXTENSION,
        deadlines.EXTENSION_DECIDED,
    ),
)
FOCAL = {Role.FOCAL}
MAX_TYPED = 1000


class DeadlineRef(BaseModel):
    """A deadline and the agency it concerns (`d` and `a` in dialogues stored before)."""

    deadline: int = Field(validation_alias=AliasChoices("deadline", "d"))
    agency: int = Field(validation_alias=AliasChoices("agency", "a"))


class HelpStep(StrEnum):
    TEXT = "text"


class ExtensionStep(StrEnum):
    DATE = "date"
    REASON = "reason"


class ExtensionAsk(DeadlineRef):
    due: datetime | None = None  # the date asked for, once typed


class EditStep(StrEnum):
    DATE = "date"
    TITLE = "title"


class Editing(BaseModel):
    deadline: int = Field(validation_alias=AliasChoices("deadline", "d"))


HELP = Flow("deadline_help", HelpStep, DeadlineRef)
EXTENSION = Flow("deadline_ext", ExtensionStep, ExtensionAsk)
EDIT = Flow("deadline_edit", EditStep, Editing)


def typed_text(t: Turn) -> str | None:
    """The typed text, or None (after a polite answer) when a file or nothing came."""
    if t.message is None or not t.message.text or not t.text:
        t.reply(shared.text_needed(t.tr))
        return None
    return t.text[:MAX_TYPED]


def typed_date(t: Turn) -> datetime | None:
    """The typed due date (local time), or None after saying what did not fit."""
    text = typed_text(t)
    if text is None:
        return None
    try:
        return deadlines.parse_due(text, t.clock.now(), t.deps.calendar)
    except BadDue as exc:
        t.reply(shared.due_error(t.tr, exc.code))
        return None


# --- /tenggat --------------------------------------------------------------------------------


@router.command("tenggat", N_("Programme deadlines"), roles={Role.FOCAL, Role.COORDINATOR})
async def list_deadlines(t: Turn) -> None:
    """The agency's deadlines (focal point), every deadline (coordinator), or both."""
    await dialogue.finish(t.db, t.me.id)
    if Role.FOCAL in t.me.role_set:
        await show_agency_deadlines(t)
    if Role.COORDINATOR in t.me.role_set:
        await show_all_deadlines(t)


@router.menu(MenuKey.DEADLINES, roles=FOCAL)
async def show_agency_deadlines(t: Turn) -> None:
    found = await deadlines.focal_list(t.db, t.me.id)
    t.reply(focal.focal_list(t.tr, found, t.clock.now()))


@router.menu(MenuKey.DEADLINES_ADMIN)
async def show_all_deadlines(t: Turn) -> None:
    t.reply(admin.admin_list(t.tr, await deadlines.overview(t.db), t.clock.now()))


# --- focal points: answers, help and more time -----------------------------------------------


@router.action(OpenDeadlineButton, roles=FOCAL)
async def open_deadline(t: Turn, button: OpenDeadlineButton) -> None:
    """One deadline of the agency's list, with the agency's answer and the answer buttons."""
    found, status = await deadlines.focal_deadline(t.db, button.deadline, button.agency, t.me.id)
    t.reply(focal.deadline_detail(t.tr, found, t.clock.now(), status.status if status else None))


async def _acknowledge(t: Turn, button: AnswerDeadlineButton, status: AckStatus) -> None:
    found = await deadlines.focal_assignment(t.db, button.deadline, button.agency, t.me.id)
    await deadlines.acknowledge(
        t.db, t.clock, button.deadline, button.agency, t.me.id, status, cal=t.deps.calendar
    )
    t.toast(t.tr.gettext("Saved"))
    t.reply(focal.answered(t.tr, found.deadline, status))


@router.action(AnswerDeadlineButton, AnswerAction.DONE, roles=FOCAL)
async def mark_done(t: Turn, button: AnswerDeadlineButton) -> None:
    """Sudah selesai: no more reminders for the agency."""
    await _acknowledge(t, button, AckStatus.DONE)


@router.action(AnswerDeadlineButton, AnswerAction.IN_PROGRESS, roles=FOCAL)
async def mark_in_progress(t: Turn, button: AnswerDeadlineButton) -> None:
    await _acknowledge(t, button, AckStatus.IN_PROGRESS)


@router.action(AnswerDeadlineButton, AnswerAction.HELP, roles=FOCAL)
async def ask_what_help(t: Turn, button: AnswerDeadlineButton) -> None:
    """Butuh bantuan: the next text goes to the coordinators."""
    found = await deadlines.focal_assignment(t.db, button.deadline, button.agency, t.me.id)
    await HELP.begin(t, HelpStep.TEXT, DeadlineRef(deadline=button.deadline, agency=button.agency))
    t.reply(focal.ask_help(t.tr, found.deadline))


@router.step(HELP, roles=FOCAL)
async def send_help_request(t: Turn, asking: Dialogue[HelpStep, DeadlineRef]) -> None:
    text = typed_text(t)
    if text is None:
        return
    ref = asking.data
    await deadlines.request_help(t.db, t.clock, ref.deadline, ref.agency, t.me.id, text)
    await HELP.finish(t)
    t.reply(focal.help_sent(t.tr))
    t.wake_dispatcher()


@router.action(AnswerDeadlineButton, AnswerAction.EXTEND, roles=FOCAL)
async def ask_until_when(t: Turn, button: AnswerDeadlineButton) -> None:
    """Minta perpanjangan: the date, then the reason."""
    found = await deadlines.focal_assignment(t.db, button.deadline, button.agency, t.me.id)
    asked = ExtensionAsk(deadline=button.deadline, agency=button.agency)
    await EXTENSION.begin(t, ExtensionStep.DATE, asked)
    t.reply(focal.ask_extension_date(t.tr, found))


@router.step(EXTENSION, ExtensionStep.DATE, roles=FOCAL)
async def take_extension_date(t: Turn, asking: Dialogue[ExtensionStep, ExtensionAsk]) -> None:
    ref = asking.data
    # Still the agency's, and still open.
    await deadlines.focal_assignment(t.db, ref.deadline, ref.agency, t.me.id)
    new_due = typed_date(t)
    if new_due is None:
        return
    asked = ref.model_copy(update={"due": new_due})
    await EXTENSION.advance(t, asking, ExtensionStep.REASON, asked)
    t.reply(focal.ask_extension_reason(t.tr, new_due))


@router.step(EXTENSION, ExtensionStep.REASON, roles=FOCAL)
async def send_extension_request(t: Turn, asking: Dialogue[ExtensionStep, ExtensionAsk]) -> None:
    text = typed_text(t)
    if text is None:
        return
    ref = asking.data
    if ref.due is None:
        raise Stale()
    try:
        await deadlines.request_extension(
            t.db, t.clock, ref.deadline, ref.agency, t.me.id, ref.due, text
        )
    except BadDue as exc:  # the agency's date moved past the one asked for meanwhile
        await EXTENSION.advance(t, asking, ExtensionStep.DATE, ref)
        t.reply(shared.due_error(t.tr, exc.code))
        return
    await EXTENSION.finish(t)
    t.reply(focal.extension_sent(t.tr, ref.due))
    t.wake_dispatcher()


# --- coordinators: decisions on requests for more time ---------------------------------------


async def _decide(t: Turn, button: ExtensionButton, *, approve: bool) -> None:
    """Approve or decline once; a second tap (anyone's) says who decided."""
    decision = await deadlines.decide_extension(
        t.db, t.clock, t.deps.calendar, button.request, t.me.id, approve=approve
    )
    request = await deadlines.extension_view(t.db, button.request)
    if request is None:
        raise NotFound()
    t.edit(admin.extension_outcome(t.tr, request, already=decision.already))
    if not decision.already:
        t.wake_dispatcher()


@router.action(ExtensionButton, ExtensionChoice.APPROVE)
async def approve_extension(t: Turn, button: ExtensionButton) -> None:
    await _decide(t, button, approve=True)


@router.action(ExtensionButton, ExtensionChoice.DECLINE)
async def decline_extension(t: Turn, button: ExtensionButton) -> None:
    await _decide(t, button, approve=False)


# --- coordinators: the list, one deadline, editing and cancelling ----------------------------


def _deadline_of(button: DeadlineAdminButton) -> int:
    if button.deadline is None:
        raise CallbackDataError(f"{button.action} without a deadline")
    return button.deadline


@router.action(DeadlineAdminButton, AdminAction.LIST)
async def back_to_deadlines(t: Turn, button: DeadlineAdminButton) -> None:
    await dialogue.finish(t.db, t.me.id)
    t.edit(admin.admin_list(t.tr, await deadlines.overview(t.db), t.clock.now()))


@router.action(DeadlineAdminButton, AdminAction.OPEN)
async def show_deadline(t: Turn, button: DeadlineAdminButton) -> None:
    """One deadline with every agency's answer and the coordinator's actions."""
    found = await deadlines.details(t.db, _deadline_of(button))
    t.edit(admin.admin_detail(t.tr, found, t.clock.now()))


@router.action(DeadlineAdminButton, AdminAction.DATE)
async def ask_new_date(t: Turn, button: DeadlineAdminButton) -> None:
    found = await deadlines.info(t.db, _deadline_of(button))
    await EDIT.begin(t, EditStep.DATE, Editing(deadline=found.id))
    t.reply(admin.ask_new_date(t.tr, found))


@router.action(DeadlineAdminButton, AdminAction.TITLE)
async def ask_new_title(t: Turn, button: DeadlineAdminButton) -> None:
    found = await deadlines.info(t.db, _deadline_of(button))
    await EDIT.begin(t, EditStep.TITLE, Editing(deadline=found.id))
    t.reply(admin.ask_new_title(t.tr, found))


@router.step(EDIT, EditStep.DATE)
async def change_date(t: Turn, editing: Dialogue[EditStep, Editing]) -> None:
    due_at = typed_date(t)
    if due_at is None:
        return
    changed = await deadlines.edit(
        t.db, t.clock, t.deps.calendar, editing.data.deadline, t.me.id, due_at=due_at
    )
    await _edited(t, DeadlineInfo.of(changed))


@router.step(EDIT, EditStep.TITLE)
async def change_title(t: Turn, editing: Dialogue[EditStep, Editing]) -> None:
    text = typed_text(t)
    if text is None:
        return
    cal = t.deps.calendar
    changed = await deadlines.edit(t.db, t.clock, cal, editing.data.deadline, t.me.id, title=text)
    await _edited(t, DeadlineInfo.of(changed))


async def _edited(t: Turn, changed: DeadlineInfo) -> None:
    await EDIT.finish(t)
    t.reply(admin.edited(t.tr, changed))
    t.wake_dispatcher()  # the focal points are told


@router.action(DeadlineAdminButton, AdminAction.CANCEL)
async def ask_to_cancel(t: Turn, button: DeadlineAdminButton) -> None:
    found = await deadlines.info(t.db, _deadline_of(button))
    t.edit(admin.confirm_cancel(t.tr, found))


@router.action(DeadlineAdminButton, AdminAction.CONFIRM_CANCEL)
async def cancel_deadline(t: Turn, button: DeadlineAdminButton) -> None:
    cancelled = await deadlines.cancel(t.db, t.clock, _deadline_of(button), t.me.id)
    t.edit(admin.cancelled(t.tr, DeadlineInfo.of(cancelled)))
    t.wake_dispatcher()
