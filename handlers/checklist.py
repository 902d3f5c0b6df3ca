"""/cek: the SNI-readiness checklist, one item at a time, with photos and notes as evidence."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.content import Content
from bot.i18n import N_
from bot.render import checklist as render
from bot.render.checklist import AnswerButton, Answered, ChecklistAction, ChecklistButton
from bot.render.common import MenuKey
from bot.render.text import Html
from bot.services import checklists, evidence, scoring
from bot.services.checklists import RunView
from bot.services.errors import Stale
from db.models import Business, Role
from handlers.base import Turn
from handlers.files import has_attachment
from handlers.guidance import business_or_reply
from handlers.router import Dialogue, Flow, Router

router = Router("checklist", roles={Role.UMKM})


class ItemStep(StrEnum):
    ITEM = "item"  # an item is shown: a stray text or photo gets a hint
    PHOTO = "photo"  # a photo was asked for
    NOTE = "note"  # a note was asked for


class ItemRef(BaseModel):
    run: int
    item: str
    # A note or photo for the item answered just before: the item shown again afterwards.
    back: str | None = None


CHECKLIST = Flow("checklist", ItemStep, ItemRef)
OnItem = Dialogue[ItemStep, ItemRef]


async def _show(
    t: Turn,
    view: RunView,
    *,
    notice: Html | None = None,
    new: bool = False,
    answered_before: Answered | None = None,
    photo_just_saved: bool = False,
) -> None:
    """The current item (the person is then "on" it), or the summary when all are answered."""
    current = view.current
    if current is None:
        await CHECKLIST.finish(t)
        reply = render.summary(t.tr, view)
    else:
        # While an item is shown, a stray text or photo reaches our flow, not the global answer.
        await CHECKLIST.begin(t, ItemStep.ITEM, ItemRef(run=view.run.id, item=current.item.id))
        reply = render.item(
            t.tr,
            current,
            notice=notice,
            answered_before=answered_before,
            photo_just_saved=photo_just_saved,
        )
    if new:
        t.reply(reply)
    else:
        t.edit(reply)


def _stale(t: Turn) -> None:
    t.discard()
    t.toast(t.tr.gettext("This button is no longer valid."))
    t.reply(render.stale(t.tr))


@router.command("cek", N_("Readiness check"))
@router.menu(MenuKey.CHECKLIST)
async def open_checklist(t: Turn) -> None:
    """Start the checklist, or go on where the business stopped."""
    business = await business_or_reply(t)
    if business is None:
        return
    view = await checklists.start_or_resume(t.db, t.clock, t.deps.content, business)
    await _show(t, view)


@router.action(AnswerButton)
async def answer_item(t: Turn, button: AnswerButton) -> None:
    """An answer, checked against the run, its owner and the checklist's version."""
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        view = await checklists.record_answer(
            t.db, t.clock, t.deps.content, business, button.run, button.item, button.code.value_of
        )
    except Stale:
        _stale(t)
        return
    if not view.changed:
        t.toast(render.already_saved_toast(t.tr))
    before = None
    if view.current is not None and view.current.item.id != button.item:
        # The screen moves on: the answered item keeps its own note and photo buttons.
        number = [i.id for i in view.checklist.items].index(button.item) + 1
        item = view.checklist.item(button.item)
        before = Answered(item, number, button.code.value_of)
    await _show(t, view, answered_before=before)


async def _business_and_item(t: Turn, button: ChecklistButton) -> tuple[Business, str] | None:
    """The business and the button's item; None when there is no business (answered)."""
    business = await business_or_reply(t)
    if business is None:
        return None
    if button.item is None:
        raise Stale()
    return business, button.item


@router.action(ChecklistButton, ChecklistAction.PHOTO)
@router.action(ChecklistButton, ChecklistAction.NOTE)
async def ask_for_evidence(t: Turn, button: ChecklistButton) -> None:
    """Ask for a photo or a note for one item; what the person sends next goes there."""
    found = await _business_and_item(t, button)
    if found is None:
        return
    business, item_id = found
    try:
        item = await checklists.check_open(t.db, t.deps.content, business, button.run, item_id)
    except Stale:
        _stale(t)
        return
    if button.back is not None:
        await checklists.check_open(t.db, t.deps.content, business, button.run, button.back)
    photo = button.action is ChecklistAction.PHOTO
    step = ItemStep.PHOTO if photo else ItemStep.NOTE
    await CHECKLIST.begin(t, step, ItemRef(run=button.run, item=item_id, back=button.back))
    prompt = render.photo_prompt if photo else render.note_prompt
    t.edit(prompt(t.tr, button.run, item, button.back))


@router.action(ChecklistButton, ChecklistAction.BACK)
@router.action(ChecklistButton, ChecklistAction.OPEN)
async def open_item(t: Turn, button: ChecklistButton) -> None:
    """Back to an item from a prompt, or an item chosen to change."""
    found = await _business_and_item(t, button)
    if found is None:
        return
    business, item_id = found
    try:
        view = await checklists.show_item(
            t.db, t.clock, t.deps.content, business, button.run, item_id
        )
    except Stale:
        _stale(t)
        return
    await _show(t, view)


@router.action(ChecklistButton, ChecklistAction.LATER)
async def save_for_later(t: Turn, button: ChecklistButton) -> None:
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        await checklists.ensure_open(t.db, t.deps.content, business, button.run)
    except Stale:
        _stale(t)
        return
    await CHECKLIST.finish(t)
    t.edit(render.saved_for_later(t.tr))


@router.action(ChecklistButton, ChecklistAction.SUMMARY)
@router.action(ChecklistButton, ChecklistAction.CHANGE)
async def show_summary(t: Turn, button: ChecklistButton) -> None:
    """The summary, or the list of sections to change."""
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        view = await checklists.show_summary(t.db, t.clock, t.deps.content, business, button.run)
    except Stale:
        _stale(t)
        return
    if button.action is ChecklistAction.CHANGE:
        t.edit(render.sections(t.tr, view))
    else:
        await _show(t, view)


@router.action(ChecklistButton, ChecklistAction.SUBMIT)
async def submit(t: Turn, button: ChecklistButton) -> None:
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    try:
        version = await checklists.submit(t.db, t.clock, content, business, button.run)
    except Stale:
        _stale(t)
        return
    await CHECKLIST.finish(t)
    steps = scoring.next_steps(content.checklist_for(business.sector), version.answers)
    t.edit(render.submitted(t.tr, version, steps))


@router.step(CHECKLIST)
async def take_evidence(t: Turn, dialogue: OnItem) -> None:
    """What the person sends while on an item: a photo or note asked for, or not."""
    ref = dialogue.data
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    try:
        item = await checklists.check_open(t.db, content, business, ref.run, ref.item)
    except Stale:
        await CHECKLIST.finish(t)
        t.reply(render.stale(t.tr))
        return
    attached = has_attachment(t.message)
    home = ref.back or ref.item  # where the person was: shown again afterwards
    if dialogue.step is ItemStep.PHOTO:
        if not attached or t.message is None:
            t.reply(render.waiting_for_photo(t.tr, ref.run, home))
            return
        try:
            stored = await t.keep_attachment()
        except (evidence.FileTooLarge, evidence.FileUnsupported) as exc:
            too_large = isinstance(exc, evidence.FileTooLarge)
            t.reply(render.file_refused(t.tr, too_large, ref.run, home))
            return
        await checklists.attach_evidence(
            t.db, t.clock, content, business, ref.run, item.id, stored.id
        )
        view = await checklists.show_item(t.db, t.clock, content, business, ref.run, home)
        if ref.back is None:  # the item shown says it has the photo now: once, not twice
            await _show(t, view, new=True, photo_just_saved=True)
        else:
            await _show(t, view, notice=_saved_notice(t, content, business, ref), new=True)
        return
    if dialogue.step is ItemStep.NOTE:
        if attached:
            t.reply(render.waiting_for_note(t.tr, ref.run, home))
            return
        note = t.text
        if not note or len(note) > checklists.MAX_NOTE:
            t.reply(render.note_refused(t.tr, len(note), ref.run, home))
            return
        await checklists.set_note(t.db, t.clock, content, business, ref.run, item.id, note)
        notice = _saved_notice(t, content, business, ref, photo=False)
    else:  # on an item without having asked to add anything: the item again, with a hint
        notice = (
            render.photo_not_asked_notice(t.tr)
            if attached
            else render.text_not_expected_notice(t.tr)
        )
    view = await checklists.show_item(t.db, t.clock, content, business, ref.run, home)
    await _show(t, view, notice=notice, new=True)


def _saved_notice(
    t: Turn, content: Content, business: Business, ref: ItemRef, *, photo: bool = True
) -> Html:
    """ "Saved"; for the question answered before the one shown, which question it went with."""
    if ref.back is None:
        return render.photo_saved_notice(t.tr) if photo else render.note_saved_notice(t.tr)
    items = [item.id for item in content.checklist_for(business.sector).items]
    return render.evidence_saved_notice(t.tr, photo, items.index(ref.item) + 1)
