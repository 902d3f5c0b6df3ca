"""What the deadline screens share: names, dates, the reminder rule, typed-input answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import N_, Translator
from bot.render import Button, Reply
from bot.render.common import MenuButton, MenuKey
from bot.render.text import Html
from bot.services.deadlines.parsing import DueError
from bot.services.deadlines.views import DeadlineInfo
from db.models import AckStatus, DeadlineKind, Recurrence

KIND_NAMES = {
    DeadlineKind.DOCUMENT: N_("Document"),
    DeadlineKind.REPORT: N_("Report"),
    DeadlineKind.SELF_ASSESSMENT: N_("Self-assessment"),
}
RECURRENCE_NAMES = {
    Recurrence.NONE: N_("Once"),
    Recurrence.MONTHLY: N_("Monthly"),
    Recurrence.QUARTERLY: N_("Quarterly"),
    Recurrence.YEARLY: N_("Yearly"),
}
STATUS_NAMES = {
    AckStatus.DONE: N_("✅ done"),
    AckStatus.IN_PROGRESS: N_("in progress"),
    AckStatus.NEEDS_HELP: N_("needs help"),
}
LIST_LIMIT = 20
# A list entry: number, title, then due date, how far off, and the answers.
LIST_ENTRY = Html("{n}. <b>{title}</b>{who}\n   {due} · {relative} · {state}")


def cancel_row(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    """Leave a dialogue: back to the main menu."""
    return ((Button(tr.pgettext("button", "Cancel"), MenuButton(MenuKey.HOME).pack()),),)


def when(tr: Translator, due_at: datetime, now: datetime) -> str:
    """ "Kamis, 17 Desember 2026 pukul 16.00 WITA (10 hari lagi)" """
    return f"{tr.format_datetime(due_at)} ({tr.relative_days(due_at, now)})"


def short(text: str, limit: int = 28) -> str:
    """A title cut to fit on a button."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def status_label(tr: Translator, status: AckStatus | None) -> str:
    return tr.gettext(STATUS_NAMES[status]) if status else tr.gettext("no answer yet")


def series_label(tr: Translator, deadline: DeadlineInfo) -> str:
    """ "Triwulanan, ke-2" """
    return tr.gettext("{recurrence}, no. {n}").format(
        recurrence=tr.gettext(RECURRENCE_NAMES[deadline.recurrence]), n=deadline.occurrence
    )


def repeat_label(tr: Translator, deadline: DeadlineInfo) -> str:
    """The series and number of a recurring deadline, "Sekali saja" for the others."""
    if deadline.recurrence == Recurrence.NONE:
        return tr.gettext(RECURRENCE_NAMES[deadline.recurrence])
    return series_label(tr, deadline)


def clock_time(hour: int, minute: int) -> str:
    return f"{hour:02d}.{minute:02d}"


def day_list(tr: Translator, days: Sequence[int]) -> str:
    """7 dan 1; 7, 3, dan 1 (the comma before the last of three or more, as PUEBI writes it)."""
    words = [str(d) for d in days]
    if len(words) == 1:
        return words[0]
    first = ", ".join(words[:-1]) + ("," if len(words) > 2 else "")
    return tr.gettext("{first} and {last}").format(first=first, last=words[-1])


def reminder_rule(tr: Translator, offsets: Sequence[int], hour: int, minute: int) -> Html:
    """ "Pengingat dikirim 7, 3, dan 1 hari sebelumnya serta pada harinya, pukul 08.00 WITA." """
    _ = tr.html
    before = sorted((d for d in offsets if d > 0), reverse=True)
    if before and 0 in offsets:
        text = _("Reminders go out {days} days before and on the day, at {time} WITA.")
    elif before:
        text = _("Reminders go out {days} days before, at {time} WITA.")
    else:
        text = _("Reminders go out on the day, at {time} WITA.")
    return text.format(days=day_list(tr, before), time=clock_time(hour, minute))


def due_error(tr: Translator, code: DueError) -> Reply:
    """A typed date that does not parse, has passed, or lies too far ahead."""
    _ = tr.html
    if code == DueError.PAST:
        text = _("Sorry, that date has already passed. Please type a later date.")
    elif code == DueError.FAR:
        text = _("Sorry, that date is too far ahead. Please check the year.")
    else:
        text = _(
            "Sorry, we could not read that date. Please type it as day-month-year, "
            "for example <code>10-12-2026 16.00</code> or <code>10/12/2026</code>."
        )
    return Reply(text, cancel_row(tr))


def text_needed(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, please type a short text here (no photo or file)."), cancel_row(tr)
    )
