"""Deadlines: `/tenggat`, reminder answers, help and extension dialogues, the coordinator's list
and creation dialogue."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import Update

from bot.callbacks import DL_ADMIN, DL_ANSWER, DL_EXT, DL_NEW, DL_OPEN
from bot.context import BotContext
from bot.render import deadlines as screens
from bot.services import agencies, deadlines, dialogue
from bot.services.deadlines.changes import NewDeadline
from bot.services.deadlines.parsing import DEFAULT_HOUR, DEFAULT_OFFSETS, BadDue, BadRule
from bot.services.errors import Stale
from db.models import (
    AckStatus,
    Agency,
    DeadlineKind,
    DialogueState,
    ExtensionRequest,
    Person,
    Recurrence,
    Role,
)
from handlers.base import Turn, handler
from handlers.legacy import flow, menu_action

NEW_FLOW, EDIT_FLOW, HELP_FLOW, EXT_FLOW = (
    "deadline_new",
    "deadline_edit",
    "deadline_help",
    "deadline_ext",
)
MAX_TYPED = 1000


def _wake(t: Turn) -> None:
    deps = t.deps

    async def wake() -> None:
        deps.wake_dispatcher()

    t.later(wake)


# --- /tenggat ------------------------------------------------------------------------------


async def _focal_list(t: Turn) -> None:
    agency = await agencies.agency_of(t.db, t.me.id)
    views = await deadlines.for_focal_point(t.db, t.me.id)
    t.reply(screens.focal_list(t.tr, agency, views, t.clock.now()))


async def _admin_list(t: Turn, *, edit: bool = False) -> None:
    names = {a.id: a.short_name for a in await agencies.all_agencies(t.db)}
    reply = screens.admin_list(t.tr, await deadlines.overview(t.db), names, t.clock.now())
    t.edit(reply) if edit else t.reply(reply)


@handler(roles={Role.FOCAL, Role.COORDINATOR})
async def cmd_tenggat(update: Update, context: BotContext, t: Turn) -> None:
    """/tenggat: the agency's deadlines (focal point), every deadline (coordinator), or both."""
    await dialogue.finish(t.db, t.me.id)
    if Role.FOCAL in t.me.role_set:
        await _focal_list(t)
    if Role.COORDINATOR in t.me.role_set:
        await _admin_list(t)


@menu_action("deadlines")
async def menu_deadlines(update: Update, context: BotContext, t: Turn) -> None:
    await _focal_list(t)


@menu_action("deadlines_admin")
async def menu_deadlines_admin(update: Update, context: BotContext, t: Turn) -> None:
    await _admin_list(t)


# --- focal points: answers -------------------------------------------------------------------


@handler(roles={Role.FOCAL})
async def btn_open(update: Update, context: BotContext, t: Turn) -> None:
    """One deadline from the focal point's list, with the answer buttons."""
    deadline_id = DL_OPEN.unpack_int(t.data, "deadline")
    agency_id = DL_OPEN.unpack_int(t.data, "agency")
    deadline = await deadlines.get_open(t.db, deadline_id)
    agency = await t.db.get(Agency, agency_id)
    if agency is None or await agencies.agency_of(t.db, t.me.id) is None:
        raise Stale()
    tgt = await deadlines.target(t.db, deadline, agency)
    now = t.clock.now()
    t.reply(screens.reminder(t.tr, deadline, agency, tgt.due_at, now, overdue=tgt.due_at < now))


@handler(roles={Role.FOCAL})
async def btn_answer(update: Update, context: BotContext, t: Turn) -> None:
    """Sudah selesai / Sedang dikerjakan / Butuh bantuan / Minta perpanjangan."""
    ref = DL_ANSWER.unpack(t.data)
    deadline_id = DL_ANSWER.unpack_int(t.data, "deadline")
    agency_id = DL_ANSWER.unpack_int(t.data, "agency")
    answer = ref["answer"]
    deadline = await deadlines.get_open(t.db, deadline_id)
    if answer in ("d", "p"):
        status = AckStatus.DONE if answer == "d" else AckStatus.IN_PROGRESS
        await deadlines.acknowledge(
            t.db, t.clock, deadline_id, agency_id, t.me.id, status, cal=t.deps.calendar
        )
        t.toast(t.tr.gettext("Saved"))
        t.reply(screens.answered(t.tr, deadline, status))
        return
    agency = await t.db.get(Agency, agency_id)
    if agency is None:
        raise Stale()
    if answer == "h":
        await deadlines.check_member(t.db, deadline, agency_id=agency_id, person_id=t.me.id)
        await dialogue.begin(
            t.db, t.clock, t.me.id, HELP_FLOW, "text", {"d": deadline_id, "a": agency_id}
        )
        t.reply(screens.ask_help(t.tr, deadline))
        return
    if answer == "x":
        await deadlines.check_member(t.db, deadline, agency_id=agency_id, person_id=t.me.id)
        tgt = await deadlines.target(t.db, deadline, agency)
        await dialogue.begin(
            t.db, t.clock, t.me.id, EXT_FLOW, "date", {"d": deadline_id, "a": agency_id}
        )
        t.reply(screens.ask_extension_date(t.tr, deadline, tgt.due_at))
        return
    raise Stale()


def _typed(t: Turn) -> str | None:
    """The typed text, or None (after a polite answer) when a file or nothing came."""
    if t.message is None or not t.message.text or not t.text:
        t.reply(screens.text_needed(t.tr))
        return None
    return t.text[:MAX_TYPED]


@flow(HELP_FLOW)
async def msg_help(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    text = _typed(t)
    if text is None:
        return
    await deadlines.request_help(
        t.db, t.clock, int(state.data["d"]), int(state.data["a"]), t.me.id, text
    )
    await dialogue.finish(t.db, t.me.id)
    t.reply(screens.help_sent(t.tr))
    _wake(t)


@flow(EXT_FLOW)
async def msg_extension(
    update: Update, context: BotContext, t: Turn, state: DialogueState
) -> None:
    text = _typed(t)
    if text is None:
        return
    if state.step == "date":
        try:
            new_due = deadlines.parse_due(text, t.clock.now(), t.deps.calendar)
        except BadDue as exc:
            t.reply(screens.due_error(t.tr, exc.code))
            return
        await dialogue.advance(t.db, t.clock, state, "reason", due=new_due.isoformat())
        t.reply(screens.ask_extension_reason(t.tr, new_due))
        return
    new_due = datetime.fromisoformat(str(state.data["due"]))
    try:
        await deadlines.request_extension(
            t.db, t.clock, int(state.data["d"]), int(state.data["a"]), t.me.id, new_due, text
        )
    except BadDue as exc:
        await dialogue.advance(t.db, t.clock, state, "date")
        t.reply(screens.due_error(t.tr, exc.code))
        return
    await dialogue.finish(t.db, t.me.id)
    t.reply(screens.extension_sent(t.tr, new_due))
    _wake(t)


# --- coordinators: extension decisions -------------------------------------------------------


@handler(roles={Role.COORDINATOR})
async def btn_extension(update: Update, context: BotContext, t: Turn) -> None:
    """Setujui / Tolak on an extension request; a second tap says who decided."""
    request_id = DL_EXT.unpack_int(t.data, "request")
    choice = DL_EXT.unpack(t.data)["choice"]
    if choice not in ("a", "d"):
        raise Stale()
    before = await t.db.get(ExtensionRequest, request_id)
    already = before is not None and before.status.value != "pending"
    decision = await deadlines.decide_extension(
        t.db, t.clock, t.deps.calendar, request_id, t.me.id, approve=choice == "a"
    )
    decider = (
        await t.db.get(Person, decision.request.decided_by_id)
        if decision.request.decided_by_id is not None
        else None
    )
    t.edit(
        screens.extension_outcome(
            t.tr, decision.request, already, decider.full_name if decider else "-"
        )
    )
    if not already:
        _wake(t)


# --- coordinators: the list, editing and cancelling ------------------------------------------


@handler(roles={Role.COORDINATOR})
async def btn_admin(update: Update, context: BotContext, t: Turn) -> None:
    ref = DL_ADMIN.unpack(t.data)
    action = ref["action"]
    deadline_id = DL_ADMIN.unpack_int(t.data, "deadline")
    if action == "list":
        await dialogue.finish(t.db, t.me.id)
        await _admin_list(t, edit=True)
        return
    if action == "new":
        await dialogue.begin(t.db, t.clock, t.me.id, NEW_FLOW, "agency", {})
        t.reply(screens.new_agency(t.tr, await agencies.all_agencies(t.db)))
        return
    deadline = await deadlines.get_open(t.db, deadline_id)
    if action == "open":
        t.edit(screens.admin_detail(t.tr, await deadlines.view(t.db, deadline), t.clock.now()))
    elif action in ("date", "title"):
        await dialogue.begin(t.db, t.clock, t.me.id, EDIT_FLOW, action, {"d": deadline.id})
        ask = screens.ask_new_date if action == "date" else screens.ask_new_title
        t.reply(ask(t.tr, deadline))
    elif action == "cancel":
        t.edit(screens.confirm_cancel(t.tr, deadline))
    elif action == "cnf":
        await deadlines.cancel(t.db, t.clock, deadline.id, t.me.id)
        t.edit(screens.cancelled(t.tr, deadline))
        _wake(t)
    else:
        raise Stale()


@flow(EDIT_FLOW)
async def msg_edit(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    text = _typed(t)
    if text is None:
        return
    cal = t.deps.calendar
    deadline_id = int(state.data["d"])
    if state.step == "date":
        try:
            due_at = deadlines.parse_due(text, t.clock.now(), cal)
        except BadDue as exc:
            t.reply(screens.due_error(t.tr, exc.code))
            return
        deadline = await deadlines.edit(t.db, t.clock, cal, deadline_id, t.me.id, due_at=due_at)
    else:
        deadline = await deadlines.edit(t.db, t.clock, cal, deadline_id, t.me.id, title=text)
    await dialogue.finish(t.db, t.me.id)
    t.reply(screens.edited(t.tr, deadline))
    _wake(t)


# --- coordinators: the creation dialogue ------------------------------------------------------


async def _agency_name(t: Turn, agency_id: int | None) -> str:
    if agency_id is None:
        return t.tr.gettext("All agencies")
    agency = await t.db.get(Agency, agency_id)
    return html.escape(agency.short_name) if agency is not None else "-"


async def _confirm(t: Turn, state: DialogueState) -> None:
    data = state.data
    t.reply(
        screens.new_confirm(
            t.tr,
            agency=await _agency_name(t, data.get("agency")),
            title=str(data["title"]),
            due_at=datetime.fromisoformat(str(data["due"])),
            description=data.get("description"),
            recurrence=Recurrence(data["recurrence"]),
            kind=DeadlineKind(data["kind"]),
            offsets=_offsets(data),
            hour=int(data.get("hour", DEFAULT_HOUR)),
            minute=int(data.get("minute", 0)),
        )
    )


def _offsets(data: dict[str, Any]) -> tuple[int, ...]:
    saved = data.get("offsets")
    return tuple(int(d) for d in saved) if isinstance(saved, list) else DEFAULT_OFFSETS


@handler(roles={Role.COORDINATOR})
async def btn_new(update: Update, context: BotContext, t: Turn) -> None:
    """The buttons of the creation dialogue: agency, skip description, recurrence, kind, save."""
    ref = DL_NEW.unpack(t.data)
    step, value = ref["step"], ref["value"]
    state = await dialogue.current(t.db, t.me.id)
    expected = {
        "ag": "agency",
        "skip": "description",
        "rec": "recurrence",
        "kind": "kind",
        "hr": "rem_hour",
        "days": "rem_days",
    }
    wanted = expected.get(step, "confirm")
    if state is None or state.flow != NEW_FLOW or state.step != wanted:
        t.reply(screens.step_expired(t.tr))
        return
    if step == "ag":
        agency_id: int | None = None
        if value != "all":
            agency = await t.db.get(Agency, int(value)) if value.isdigit() else None
            if agency is None:
                raise Stale()
            agency_id = agency.id
        await dialogue.advance(t.db, t.clock, state, "title", agency=agency_id)
        t.edit(screens.new_title(t.tr, await _agency_name(t, agency_id)))
    elif step == "skip":
        await dialogue.advance(t.db, t.clock, state, "recurrence", description=None)
        t.edit(screens.new_recurrence(t.tr))
    elif step == "rec":
        if value not in {r.value for r in Recurrence}:
            raise Stale()
        await dialogue.advance(t.db, t.clock, state, "kind", recurrence=value)
        t.edit(screens.new_kind(t.tr))
    elif step == "kind":
        if value not in {k.value for k in DeadlineKind}:
            raise Stale()
        await dialogue.advance(t.db, t.clock, state, "confirm", kind=value)
        await _confirm(t, state)
    elif step == "rem":
        await dialogue.advance(t.db, t.clock, state, "rem_hour")
        t.edit(screens.new_reminder_hour(t.tr))
    elif step == "hr":
        if value not in screens.HOUR_CHOICES:
            raise Stale()
        hour, minute = deadlines.read_hour(value)
        await dialogue.advance(t.db, t.clock, state, "rem_days", hour=hour, minute=minute)
        t.edit(screens.new_reminder_days(t.tr, _offsets(state.data)))
    elif step == "days":  # keep the days as they are
        await dialogue.advance(t.db, t.clock, state, "confirm")
        await _confirm(t, state)
    elif step == "ok":
        data = state.data
        cal = t.deps.calendar
        try:
            deadline = await deadlines.create(
                t.db,
                t.clock,
                cal,
                NewDeadline(
                    title=str(data["title"]),
                    due_at=datetime.fromisoformat(str(data["due"])),
                    agency_id=data.get("agency"),
                    description=data.get("description"),
                    kind=DeadlineKind(data["kind"]),
                    recurrence=Recurrence(data["recurrence"]),
                    offsets=_offsets(data),
                    hour=int(data.get("hour", DEFAULT_HOUR)),
                    minute=int(data.get("minute", 0)),
                ),
                t.me.id,
            )
        except BadDue as exc:
            await dialogue.advance(t.db, t.clock, state, "due")
            t.reply(screens.due_error(t.tr, exc.code))
            return
        await dialogue.finish(t.db, t.me.id)
        count = 0
        for tgt in await deadlines.targets(t.db, deadline):
            count += len(await agencies.focal_points(t.db, tgt.agency.id))
        t.edit(screens.created(t.tr, deadline, count))
        _wake(t)
    else:
        raise Stale()


@flow(NEW_FLOW)
async def msg_new(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    """The typed steps of the creation dialogue: title, due date, description, reminder rule."""
    if state.step not in ("title", "due", "description", "rem_hour", "rem_days"):
        t.reply(
            screens.step_expired(t.tr) if state.step == "agency" else screens.text_needed(t.tr)
        )
        return
    text = _typed(t)
    if text is None:
        return
    if state.step == "title":
        await dialogue.advance(t.db, t.clock, state, "due", title=deadlines.clean_title(text))
        t.reply(screens.new_due(t.tr))
    elif state.step == "due":
        try:
            due_at = deadlines.parse_due(text, t.clock.now(), t.deps.calendar)
        except BadDue as exc:
            t.reply(screens.due_error(t.tr, exc.code))
            return
        await dialogue.advance(t.db, t.clock, state, "description", due=due_at.isoformat())
        t.reply(screens.new_description(t.tr))
    elif state.step == "description":
        await dialogue.advance(t.db, t.clock, state, "recurrence", description=text)
        t.reply(screens.new_recurrence(t.tr))
    elif state.step == "rem_hour":
        try:
            hour, minute = deadlines.read_hour(text)
        except BadRule:
            t.reply(screens.rule_error(t.tr, state.step))
            return
        await dialogue.advance(t.db, t.clock, state, "rem_days", hour=hour, minute=minute)
        t.reply(screens.new_reminder_days(t.tr, _offsets(state.data)))
    else:
        try:
            offsets = deadlines.read_offsets(text)
        except BadRule:
            t.reply(screens.rule_error(t.tr, state.step))
            return
        await dialogue.advance(t.db, t.clock, state, "confirm", offsets=list(offsets))
        await _confirm(t, state)
