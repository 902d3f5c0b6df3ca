"""/cek: the SNI-readiness checklist, one item at a time, with photos and notes as evidence."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import CHECK, CHECK_ANSWER, CallbackDataError
from bot.context import BotContext
from bot.render import checklist as render
from bot.services import checklists, dialogue, evidence
from bot.services.checklists import RunView
from bot.services.errors import Stale
from db.models import Business, DialogueState, Role
from handlers.base import Turn, handler
from handlers.dialogue import flow
from handlers.files import has_attachment
from handlers.guidance import business_or_reply
from handlers.menu import menu_action

FLOW = "checklist"


async def _show(t: Turn, view: RunView, *, notice: str | None = None, new: bool = False) -> None:
    """The current item (the person is then "on" it), or the summary when all are answered."""
    current = view.current
    if current is None:
        await dialogue.finish(t.db, t.me.id)
        reply = render.summary(t.tr, view)
    else:
        # While an item is shown, a stray text or photo reaches our flow, not the global answer.
        await dialogue.begin(
            t.db, t.clock, t.me.id, FLOW, "item", {"run": view.run.id, "item": current.item.id}
        )
        reply = render.item(t.tr, current, notice=notice)
    if new:
        t.reply(reply)
    else:
        t.edit(reply)


async def _start(t: Turn) -> None:
    business = await business_or_reply(t)
    if business is None:
        return
    view = await checklists.start_or_resume(t.db, t.clock, t.deps.content, business)
    await _show(t, view)


def _stale(t: Turn) -> None:
    t.toast(t.tr.gettext("This button is no longer valid."))
    t.reply(render.stale(t.tr))


@handler(roles={Role.UMKM})
async def cmd_cek(update: Update, context: BotContext, t: Turn) -> None:
    """/cek: start the checklist, or go on where the business stopped."""
    await _start(t)


@menu_action("checklist")
async def menu_checklist(update: Update, context: BotContext, t: Turn) -> None:
    """The "Cek kesiapan" menu entry."""
    await _start(t)


def _run_id(value: str) -> int:
    if not value.isdigit():
        raise CallbackDataError("checklist run is not a number")
    return int(value)


@handler(roles={Role.UMKM})
async def btn_ca(update: Update, context: BotContext, t: Turn) -> None:
    """An answer: `ca:<run>:<item>:<y|p|n>`; checked against the run, owner and version."""
    ref = CHECK_ANSWER.unpack(t.data)
    value = render.CODE_VALUES.get(ref["value"])
    if value is None:
        raise CallbackDataError("unknown checklist answer")
    run_id = _run_id(ref["run"])
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        view = await checklists.record_answer(
            t.db, t.clock, t.deps.content, business, run_id, ref["item"], value
        )
    except Stale:
        _stale(t)
        return
    if not view.changed:
        t.toast(render.already_saved_toast(t.tr))
    await _show(t, view)


@handler(roles={Role.UMKM})
async def btn_ck(update: Update, context: BotContext, t: Turn) -> None:
    """The other checklist buttons: photo, note, back, open, later, summary, change, send."""
    ref = CHECK.unpack(t.data)
    action, run_id, item_id = ref["action"], _run_id(ref["run"]), ref["item"]
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        await _act(t, business, action, run_id, item_id)
    except Stale:
        t.discard()
        _stale(t)


async def _act(t: Turn, business: Business, action: str, run_id: int, item_id: str) -> None:
    db, clock, content = t.db, t.clock, t.deps.content
    if action in {"f", "n"}:
        item = await checklists.check_open(db, content, business, run_id, item_id)
        step = "photo" if action == "f" else "note"
        await dialogue.begin(db, clock, t.me.id, FLOW, step, {"run": run_id, "item": item_id})
        prompt = render.photo_prompt if action == "f" else render.note_prompt
        t.edit(prompt(t.tr, run_id, item))
    elif action in {"x", "o"}:
        view = await checklists.show_item(db, clock, content, business, run_id, item_id)
        await _show(t, view)
    elif action == "s":
        await checklists.ensure_open(db, content, business, run_id)
        await dialogue.finish(db, t.me.id)
        t.edit(render.saved_for_later(t.tr))
    elif action == "sum":
        await _show(t, await checklists.show_summary(db, clock, content, business, run_id))
    elif action == "ed":
        view = await checklists.show_summary(db, clock, content, business, run_id)
        t.edit(render.sections(t.tr, view))
    elif action == "sub":
        version = await checklists.submit(db, clock, content, business, run_id)
        await dialogue.finish(db, t.me.id)
        steps = checklists.next_steps(content.checklist_for(business.sector), version.answers)
        t.edit(render.submitted(t.tr, version, steps))
    else:
        raise CallbackDataError(f"unknown checklist action {action!r}")


@flow(FLOW)
async def flow_checklist(
    update: Update, context: BotContext, t: Turn, state: DialogueState
) -> None:
    """What the person sends while on a checklist item: a photo or note asked for, or not."""
    run_id, item_id = int(state.data["run"]), str(state.data["item"])
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    try:
        item = await checklists.check_open(t.db, content, business, run_id, item_id)
    except Stale:
        await dialogue.finish(t.db, t.me.id)
        t.reply(render.stale(t.tr))
        return
    attached = has_attachment(t.message)
    if state.step == "photo":
        if not attached or t.message is None:
            t.reply(render.waiting_for_photo(t.tr, run_id, item_id))
            return
        try:
            stored = await t.keep_attachment()
        except (evidence.FileTooLarge, evidence.FileUnsupported) as exc:
            too_large = isinstance(exc, evidence.FileTooLarge)
            t.reply(render.file_refused(t.tr, too_large, run_id, item_id))
            return
        await checklists.attach_evidence(
            t.db, t.clock, content, business, run_id, item.id, stored.id
        )
        view = await checklists.show_item(t.db, t.clock, content, business, run_id, item.id)
        await _show(t, view, notice=render.photo_saved_notice(t.tr), new=True)
        return
    if state.step == "note":
        if attached:
            t.reply(render.waiting_for_note(t.tr, run_id, item_id))
            return
        note = t.text
        if not note or len(note) > checklists.MAX_NOTE:
            t.reply(render.note_refused(t.tr, len(note), run_id, item_id))
            return
        await checklists.set_note(t.db, t.clock, content, business, run_id, item.id, note)
        view = await checklists.show_item(t.db, t.clock, content, business, run_id, item.id)
        await _show(t, view, notice=render.note_saved_notice(t.tr), new=True)
        return
    # On an item without having asked to add anything: show the item again with a hint.
    view = await checklists.show_item(t.db, t.clock, content, business, run_id, item.id)
    notice = (
        render.photo_not_asked_notice(t.tr) if attached else render.text_not_expected_notice(t.tr)
    )
    await _show(t, view, notice=notice, new=True)
