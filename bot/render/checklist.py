"""Checklist screens: one item at a time, the summary, submitting, photo and note prompts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.content import Item
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.guidance import guide_button
from bot.render.questions import ask_button
from bot.render.text import Html, bold, italic, lines
from bot.services.checklists import ItemView, RunView, Version
from bot.services.scoring import Score
from db.models import AnswerValue

BAR_CELLS = 10


class AnswerCode(StrEnum):
    YES = "y"
    PARTLY = "p"
    NO = "n"
    NOT_APPLICABLE = "na"  # shown only on items the content flags `not_applicable`

    @property
    def value_of(self) -> AnswerValue:
        return {
            AnswerCode.YES: AnswerValue.YES,
            AnswerCode.PARTLY: AnswerValue.PARTLY,
            AnswerCode.NO: AnswerValue.NO,
            AnswerCode.NOT_APPLICABLE: AnswerValue.NOT_APPLICABLE,
        }[self]


VALUE_CODES = {code.value_of: code for code in AnswerCode}


@dataclass(frozen=True)
class AnswerButton(CallbackData, prefix="ca"):
    """An answer to one item of a checklist run."""

    run: int
    item: str
    code: AnswerCode


class ChecklistAction(StrEnum):
    PHOTO = "f"
    NOTE = "n"
    BACK = "x"  # back to the item from a photo or note prompt
    OPEN = "o"  # open an item (a section to change)
    LATER = "s"
    SUMMARY = "sum"
    CHANGE = "ed"
    SUBMIT = "sub"


@dataclass(frozen=True)
class ChecklistButton(CallbackData, prefix="ck"):
    """The other buttons of a run; `item` for the actions on one item."""

    action: ChecklistAction
    run: int
    item: str | None = None
    # For a note or photo on the item just answered: the item to come back to afterwards.
    back: str | None = None


def value_label(tr: Translator, value: AnswerValue) -> str:
    labels = {
        # Translators: checklist answer button "Ya"
        AnswerValue.YES: tr.pgettext("answer", "Yes"),
        # Translators: checklist answer button "Sebagian"
        AnswerValue.PARTLY: tr.pgettext("answer", "Partly"),
        # Translators: checklist answer button "Belum"
        AnswerValue.NO: tr.pgettext("answer", "Not yet"),
        # Translators: checklist answer button "Tidak berlaku" (the question does not apply)
        AnswerValue.NOT_APPLICABLE: tr.pgettext("answer", "Does not apply"),
    }
    return labels[value]


def bar(percent: int) -> str:
    """A text bar: ▓▓▓▓▓▓░░░░ for 60%."""
    filled = max(0, min(BAR_CELLS, (percent * BAR_CELLS + 50) // 100))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


@dataclass(frozen=True)
class Answered:
    """The item answered a moment ago, so a note or photo can still go with it."""

    item: Item
    number: int
    value: AnswerValue


def item(
    tr: Translator,
    view: ItemView,
    *,
    notice: Html | None = None,
    answered_before: Answered | None = None,
    photo_just_saved: bool = False,
) -> Reply:
    """One question with its answer buttons, under the checklist's own title (tenun and
    sasando have no SNI): "Kesiapan SNI — Kue lokal", "Label kemasan (3/12)"."""
    _ = tr.html
    where = Html("{} ({}/{})").format(view.section.title, view.number, view.total)
    answer = view.answer
    answered: Html | None = None
    if answer.value is not None:
        label = value_label(tr, answer.value)
        answered = (
            _("Your last answer: <b>{answer}</b>. Please confirm or change it.")
            if answer.carried
            else _("Your answer: <b>{answer}</b>")
        ).format(answer=label)
    evidence: Html | None = None
    if answer.evidence_id is not None and photo_just_saved:
        evidence = photo_saved_notice(tr)  # said once, where the photo line stands
    elif answer.evidence_id is not None:
        evidence = _("📎 A photo is saved as evidence.")
    elif view.item.evidence_hint:
        evidence = _("Evidence: {hint}").format(hint=italic(view.item.evidence_hint))
    note_line = _("Note: {note}").format(note=answer.note) if answer.note else None
    just: Html | None = None
    if answered_before is not None:
        just = _("✅ Answer to question {n} saved: <b>{answer}</b>.").format(
            n=answered_before.number, answer=value_label(tr, answered_before.value)
        )
    text = lines(
        *((notice, "") if notice else ()),
        *((just, "") if just is not None else ()),
        bold(view.checklist.title),
        bold(where),
        view.item.question,
        answered,
        evidence,
        note_line,
    )
    run, item_id = view.run_id, view.item.id

    def answer_button(code: AnswerCode) -> Button:
        return Button(value_label(tr, code.value_of), AnswerButton(run, item_id, code).pack())

    answers = tuple(
        answer_button(code) for code in AnswerCode if code is not AnswerCode.NOT_APPLICABLE
    )
    does_not_apply = answer_button(AnswerCode.NOT_APPLICABLE) if view.item.not_applicable else None
    photo = _item_button(tr.gettext("Add photo evidence"), ChecklistAction.PHOTO, run, item_id)
    note = _item_button(tr.gettext("Add a note"), ChecklistAction.NOTE, run, item_id)
    later = _item_button(tr.gettext("Save & continue later"), ChecklistAction.LATER, run)
    ask = ask_button(tr, item_id)
    summary = (
        _item_button(tr.gettext("Summary"), ChecklistAction.SUMMARY, run)
        if view.reviewing
        else None
    )
    # A note or photo for the question just answered, named by its number: the buttons above
    # are for the question shown now, so nothing lands on the next item by surprise.
    for_before = (
        rows(
            _evidence_for_answered(tr, ChecklistAction.NOTE, run, answered_before, item_id),
            _evidence_for_answered(tr, ChecklistAction.PHOTO, run, answered_before, item_id),
        )
        if answered_before is not None
        else ()
    )
    return Reply(
        text,
        (
            answers,
            *rows(does_not_apply),
            *rows(photo, note, later, ask),
            *for_before,
            *rows(summary),
        ),
    )


def _evidence_for_answered(
    tr: Translator, action: ChecklistAction, run: int, answered: Answered, current: str
) -> Button:
    label = (
        tr.gettext("Note for question {n}")
        if action is ChecklistAction.NOTE
        else tr.gettext("Photo for question {n}")
    ).format(n=answered.number)
    return Button(label, ChecklistButton(action, run, answered.item.id, back=current).pack())


def _item_button(label: str, action: ChecklistAction, run: int, item: str | None = None) -> Button:
    return Button(label, ChecklistButton(action, run, item).pack())


def summary(tr: Translator, view: RunView) -> Reply:
    """All items answered: the score per section, then submit or change answers."""
    _ = tr.html
    result = view.score
    text = lines(
        bold(_("Summary: {checklist}").format(checklist=view.checklist.title)),
        _("Readiness: <b>{percent}%</b>").format(percent=result.percent),
        "",
        *section_lines(tr, result),
        "",
        _("Please check, then tap <b>Send</b> to keep this as your latest result."),
    )
    run = view.run.id
    buttons = rows(
        _item_button(tr.gettext("Send"), ChecklistAction.SUBMIT, run),
        _item_button(tr.gettext("Change answers"), ChecklistAction.CHANGE, run),
    )
    return Reply(text, buttons)


def section_lines(tr: Translator, result: Score) -> list[Html]:
    """A bar per section; a section whose every item does not apply says so instead."""
    does_not_apply = tr.pgettext("section", "does not apply")
    return [
        Html("{} {}% · {}").format(bar(s.percent), s.percent, s.section.title)
        if s.applies
        else Html("— · {} ({})").format(s.section.title, does_not_apply)
        for s in result.sections
    ]


def sections(tr: Translator, view: RunView) -> Reply:
    """Which part to change: one button per section."""
    _ = tr.gettext
    run = view.run.id
    buttons = [
        (
            _item_button(
                f"{s.section.title} ({s.percent}%)" if s.applies else s.section.title,
                ChecklistAction.OPEN,
                run,
                s.section.items[0].id,
            ),
        )
        for s in view.score.sections
    ]
    buttons.append((_item_button(_("Summary"), ChecklistAction.SUMMARY, run),))
    return Reply(tr.html("Which part would you like to change?"), tuple(buttons))


def next_step_lines(tr: Translator, steps: Sequence[Item]) -> list[Html]:
    return [Html("{}. {}").format(n, step.next_step) for n, step in enumerate(steps, start=1)]


def next_step_buttons(tr: Translator, steps: Sequence[Item]) -> tuple[tuple[Button, ...], ...]:
    """One guidance button per next step (numbered like the list), without repeats."""
    _ = tr.gettext
    seen: set[str] = set()
    buttons = []
    for n, step in enumerate(steps, start=1):
        if step.module in seen:
            continue
        seen.add(step.module)
        buttons.append(guide_button(_("Guidance {n}").format(n=n), step.module))
    return rows(*buttons, width=3)


def submitted(tr: Translator, version: Version, steps: Sequence[Item]) -> Reply:
    """After Kirim: thanks, the score, the three next steps."""
    _ = tr.html
    next_steps = (
        ("", _("The three most important next steps:"), *next_step_lines(tr, steps))
        if steps
        else ()
    )
    text = lines(
        _("✅ Thank you, your answers have been sent."),
        _("Your business's readiness: <b>{percent}%</b>").format(percent=version.score.percent),
        *next_steps,
    )
    buttons = (
        *next_step_buttons(tr, steps),
        (Button(tr.gettext("My progress"), MenuButton(MenuKey.PROGRESS).pack()),),
        back_to_menu(tr),
    )
    return Reply(text, buttons)


def saved_for_later(tr: Translator) -> Reply:
    return Reply(
        tr.html("Your answers are saved. Continue any time with /cek, right where you stopped."),
        (back_to_menu(tr),),
    )


def evidence_saved_notice(tr: Translator, photo: bool, number: int) -> Html:
    """After a note or photo for the question answered before the one shown."""
    return (
        tr.html("✅ The photo is saved with question {n}.")
        if photo
        else tr.html("✅ The note is saved with question {n}.")
    ).format(n=number)


def _back_to_item(tr: Translator, run_id: int, item_id: str) -> tuple[Button, ...]:
    return (_item_button(tr.gettext("Cancel"), ChecklistAction.BACK, run_id, item_id),)


def photo_prompt(
    tr: Translator, run_id: int, checklist_item: Item, back: str | None = None
) -> Reply:
    _ = tr.html
    hint = checklist_item.evidence_hint
    text = lines(
        _("Please send a photo (or a PDF) as evidence for:"),
        italic(checklist_item.question),
        _("For example: {hint}").format(hint=hint) if hint else None,
    )
    return Reply(text, (_back_to_item(tr, run_id, back or checklist_item.id),))


def note_prompt(
    tr: Translator, run_id: int, checklist_item: Item, back: str | None = None
) -> Reply:
    text = lines(
        tr.html("Please type your note for this question (at most 500 characters):"),
        italic(checklist_item.question),
    )
    return Reply(text, (_back_to_item(tr, run_id, back or checklist_item.id),))


def waiting_for_photo(tr: Translator, run_id: int, item_id: str) -> Reply:
    return Reply(
        tr.html("Sorry, we are waiting for a photo. Please send a photo, or tap Cancel."),
        (_back_to_item(tr, run_id, item_id),),
    )


def waiting_for_note(tr: Translator, run_id: int, item_id: str) -> Reply:
    return Reply(
        tr.html("Sorry, please type the note as text, or tap Cancel."),
        (_back_to_item(tr, run_id, item_id),),
    )


def note_refused(tr: Translator, length: int, run_id: int, item_id: str) -> Reply:
    _ = tr.html
    if length == 0:
        text = _("Sorry, the note is empty. Please type your note, or tap Cancel.")
    else:
        text = _(
            "Sorry, the note is too long ({n} characters). Please shorten it to at most 500."
        ).format(n=length)
    return Reply(text, (_back_to_item(tr, run_id, item_id),))


def file_refused(tr: Translator, too_large: bool, run_id: int, item_id: str) -> Reply:
    _ = tr.html
    text = (
        _("Sorry, that file is larger than 10 MB. Please send a smaller photo.")
        if too_large
        else _("Sorry, we cannot keep this kind of file. Please send a photo (JPG/PNG) or a PDF.")
    )
    return Reply(text, (_back_to_item(tr, run_id, item_id),))


def already_saved_toast(tr: Translator) -> str:
    return tr.gettext("This answer is already saved.")


def photo_saved_notice(tr: Translator) -> Html:
    return tr.html("✅ The photo is saved as evidence.")


def note_saved_notice(tr: Translator) -> Html:
    return tr.html("✅ The note is saved.")


def photo_not_asked_notice(tr: Translator) -> Html:
    return tr.html(
        "Sorry, we have not asked for a photo yet. To add evidence, tap "
        "<b>Add photo evidence</b> first."
    )


def text_not_expected_notice(tr: Translator) -> Html:
    return tr.html("Sorry, please answer with one of the buttons below.")


def stale(tr: Translator) -> Reply:
    """An old or foreign checklist button."""
    return Reply(
        tr.html("Sorry, this button is no longer valid. Tap below to continue your checklist."),
        (
            (Button(tr.gettext("Readiness check"), MenuButton(MenuKey.CHECKLIST).pack()),),
            back_to_menu(tr),
        ),
    )
