"""Checklist screens: one item at a time, the summary, submitting, photo and note prompts."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.callbacks import ASK, CHECK, CHECK_ANSWER, GUIDE, MENU
from bot.content import Item
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.common import back_to_menu
from bot.services.checklists import ItemView, RunView, Score, Version
from db.models import AnswerValue

VALUE_CODES = {AnswerValue.YES: "y", AnswerValue.PARTLY: "p", AnswerValue.NO: "n"}
CODE_VALUES = {code: value for value, code in VALUE_CODES.items()}
BAR_CELLS = 10


def value_label(tr: Translator, value: AnswerValue) -> str:
    labels = {
        # Translators: checklist answer button "Ya"
        AnswerValue.YES: tr.pgettext("answer", "Yes"),
        # Translators: checklist answer button "Sebagian"
        AnswerValue.PARTLY: tr.pgettext("answer", "Partly"),
        # Translators: checklist answer button "Belum"
        AnswerValue.NO: tr.pgettext("answer", "Not yet"),
    }
    return labels[value]


def bar(percent: int) -> str:
    """A text bar: ▓▓▓▓▓▓░░░░ for 60%."""
    filled = max(0, min(BAR_CELLS, (percent * BAR_CELLS + 50) // 100))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def item(tr: Translator, view: ItemView, *, notice: str | None = None) -> Reply:
    """One question with its answer buttons (VOICE.md: "Kesiapan SNI — Bahan baku (3/12)")."""
    _ = tr.gettext
    lines = []
    if notice:
        lines += [notice, ""]
    lines.append(
        "<b>{}</b>".format(
            _("SNI readiness — {section} ({n}/{total})").format(
                section=html.escape(view.section.title), n=view.number, total=view.total
            )
        )
    )
    lines.append(html.escape(view.item.question))
    answer = view.answer
    if answer.value is not None:
        label = html.escape(value_label(tr, answer.value))
        if answer.carried:
            lines.append(
                _("Your last answer: <b>{answer}</b>. Please confirm or change it.").format(
                    answer=label
                )
            )
        else:
            lines.append(_("Your answer: <b>{answer}</b>").format(answer=label))
    if answer.evidence_id is not None:
        lines.append(_("📎 A photo is saved as evidence."))
    elif view.item.evidence_hint:
        lines.append(
            _("Evidence: {hint}").format(hint=f"<i>{html.escape(view.item.evidence_hint)}</i>")
        )
    if answer.note:
        lines.append(_("Note: {note}").format(note=html.escape(answer.note)))
    run, item_id = view.run_id, view.item.id
    answers = tuple(
        Button(value_label(tr, value), CHECK_ANSWER.pack(run, item_id, code))
        for value, code in VALUE_CODES.items()
    )
    photo = Button(_("Add photo evidence"), CHECK.pack("f", run, item_id))
    note = Button(_("Add a note"), CHECK.pack("n", run, item_id))
    later = Button(_("Save & continue later"), CHECK.pack("s", run, "-"))
    ask = Button(_("Ask a mentor"), ASK.pack(item_id))
    summary = Button(_("Summary"), CHECK.pack("sum", run, "-")) if view.reviewing else None
    return Reply("\n".join(lines), (answers, *rows(photo, note, later, ask), *rows(summary)))


def summary(tr: Translator, view: RunView) -> Reply:
    """All items answered: the score per section, then submit or change answers."""
    _ = tr.gettext
    result = view.score
    lines = [
        "<b>{}</b>".format(_("Summary of your SNI readiness")),
        _("Readiness: <b>{percent}%</b>").format(percent=result.percent),
        "",
        *section_lines(tr, result),
        "",
        _("Please check, then tap <b>Send</b> to keep this as your latest result."),
    ]
    run = view.run.id
    buttons = rows(
        Button(_("Send"), CHECK.pack("sub", run, "-")),
        Button(_("Change answers"), CHECK.pack("ed", run, "-")),
    )
    return Reply("\n".join(lines), buttons)


def section_lines(tr: Translator, result: Score) -> list[str]:
    return [
        f"{bar(s.percent)} {s.percent}% · {html.escape(s.section.title)}" for s in result.sections
    ]


def sections(tr: Translator, view: RunView) -> Reply:
    """Which part to change: one button per section."""
    _ = tr.gettext
    run = view.run.id
    buttons = [
        (
            Button(
                f"{s.section.title} ({s.percent}%)",
                CHECK.pack("o", run, s.section.items[0].id),
            ),
        )
        for s in view.score.sections
    ]
    buttons.append((Button(_("Summary"), CHECK.pack("sum", run, "-")),))
    return Reply(_("Which part would you like to change?"), tuple(buttons))


def next_step_lines(tr: Translator, steps: Sequence[Item]) -> list[str]:
    return [f"{n}. {html.escape(step.next_step)}" for n, step in enumerate(steps, start=1)]


def next_step_buttons(tr: Translator, steps: Sequence[Item]) -> tuple[tuple[Button, ...], ...]:
    """One guidance button per next step (numbered like the list), without repeats."""
    _ = tr.gettext
    seen: set[str] = set()
    buttons = []
    for n, step in enumerate(steps, start=1):
        if step.module in seen:
            continue
        seen.add(step.module)
        buttons.append(Button(_("Guidance {n}").format(n=n), GUIDE.pack(step.module, "r")))
    return rows(*buttons, width=3)


def submitted(tr: Translator, version: Version, steps: Sequence[Item]) -> Reply:
    """After Kirim: thanks, the score, the three next steps."""
    _ = tr.gettext
    lines = [
        _("✅ Thank you, your answers have been sent."),
        _("Your business's readiness: <b>{percent}%</b>").format(percent=version.score.percent),
    ]
    if steps:
        lines += ["", _("The three most important next steps:"), *next_step_lines(tr, steps)]
    buttons = (
        *next_step_buttons(tr, steps),
        (Button(_("My progress"), MENU.pack("progress")),),
        back_to_menu(tr),
    )
    return Reply("\n".join(lines), buttons)


def saved_for_later(tr: Translator) -> Reply:
    return Reply(
        tr.gettext(
            "Your answers are saved. Continue any time with /cek, right where you stopped."
        ),
        (back_to_menu(tr),),
    )


def _back_to_item(tr: Translator, run_id: int, item_id: str) -> tuple[Button, ...]:
    return (Button(tr.gettext("Cancel"), CHECK.pack("x", run_id, item_id)),)


def photo_prompt(tr: Translator, run_id: int, checklist_item: Item) -> Reply:
    _ = tr.gettext
    lines = [
        _("Please send a photo (or a PDF) as evidence for:"),
        f"<i>{html.escape(checklist_item.question)}</i>",
    ]
    if checklist_item.evidence_hint:
        lines.append(
            _("For example: {hint}").format(hint=html.escape(checklist_item.evidence_hint))
        )
    return Reply("\n".join(lines), (_back_to_item(tr, run_id, checklist_item.id),))


def note_prompt(tr: Translator, run_id: int, checklist_item: Item) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Please type your note for this question (at most 500 characters):")
        + f"\n<i>{html.escape(checklist_item.question)}</i>",
        (_back_to_item(tr, run_id, checklist_item.id),),
    )


def waiting_for_photo(tr: Translator, run_id: int, item_id: str) -> Reply:
    return Reply(
        tr.gettext("Sorry, we are waiting for a photo. Please send a photo, or tap Cancel."),
        (_back_to_item(tr, run_id, item_id),),
    )


def waiting_for_note(tr: Translator, run_id: int, item_id: str) -> Reply:
    return Reply(
        tr.gettext("Sorry, please type the note as text, or tap Cancel."),
        (_back_to_item(tr, run_id, item_id),),
    )


def note_refused(tr: Translator, length: int, run_id: int, item_id: str) -> Reply:
    _ = tr.gettext
    if length == 0:
        text = _("Sorry, the note is empty. Please type your note, or tap Cancel.")
    else:
        text = _(
            "Sorry, the note is too long ({n} characters). Please shorten it to at most 500."
        ).format(n=length)
    return Reply(text, (_back_to_item(tr, run_id, item_id),))


def file_refused(tr: Translator, too_large: bool, run_id: int, item_id: str) -> Reply:
    _ = tr.gettext
    text = (
        _("Sorry, that file is larger than 10 MB. Please send a smaller photo.")
        if too_large
        else _("Sorry, we cannot keep this kind of file. Please send a photo (JPG/PNG) or a PDF.")
    )
    return Reply(text, (_back_to_item(tr, run_id, item_id),))


def already_saved_toast(tr: Translator) -> str:
    return tr.gettext("This answer is already saved.")


def photo_saved_notice(tr: Translator) -> str:
    return tr.gettext("✅ The photo is saved as evidence.")


def note_saved_notice(tr: Translator) -> str:
    return tr.gettext("✅ The note is saved.")


def photo_not_asked_notice(tr: Translator) -> str:
    return tr.gettext(
        "Sorry, we have not asked for a photo yet. To add evidence, tap "
        "<b>Add photo evidence</b> first."
    )


def text_not_expected_notice(tr: Translator) -> str:
    return tr.gettext("Sorry, please answer with one of the buttons below.")


def stale(tr: Translator) -> Reply:
    """An old or foreign checklist button."""
    return Reply(
        tr.gettext("Sorry, this button is no longer valid. Tap below to continue your checklist."),
        (
            (Button(tr.gettext("Readiness check"), MENU.pack("checklist")),),
            back_to_menu(tr),
        ),
    )
