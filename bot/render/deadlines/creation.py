"""The coordinators' new-deadline dialogue: agency, title, date, description, repeat, kind,
the reminder rule, and the check before saving."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.common import back_to_menu
from bot.render.deadlines.admin import back_to_list
from bot.render.deadlines.shared import (
    KIND_NAMES,
    RECURRENCE_NAMES,
    cancel_row,
    day_list,
    reminder_rule,
    short,
)
from bot.render.text import lines
from bot.services.deadlines.parsing import RuleError
from bot.services.deadlines.planning import ReminderPlan
from bot.services.deadlines.views import AgencyRef, DeadlineInfo
from db.models import DeadlineKind, Recurrence

# The reminder times a coordinator can tap; any other office-hour time can be typed.
HOUR_CHOICES = ("07.30", "08.00", "09.00", "13.00")


class NewAction(StrEnum):
    AGENCY = "ag"  # one agency (`agency`)
    ALL = "all"  # every agency
    SKIP = "skip"  # no description
    RECURRENCE = "rec"
    KIND = "kind"
    REMINDERS = "rem"  # change the reminder rule
    HOUR = "hr"
    KEEP_DAYS = "days"
    SAVE = "ok"


@dataclass(frozen=True)
class NewDeadlineButton(CallbackData, prefix="dln"):
    """A choice in the new-deadline dialogue; the field of its action is set."""

    action: NewAction
    agency: int | None = None
    recurrence: Recurrence | None = None
    kind: DeadlineKind | None = None
    hour: str | None = None  # one of HOUR_CHOICES


@dataclass(frozen=True)
class DraftView:
    """The new deadline as the coordinator gave it, shown before it is saved."""

    agency: str | None  # None: every agency
    title: str
    due_at: datetime
    description: str | None
    recurrence: Recurrence
    kind: DeadlineKind
    offsets: tuple[int, ...]
    hour: int
    minute: int


def _new(
    label: str,
    action: NewAction,
    *,
    agency: int | None = None,
    recurrence: Recurrence | None = None,
    kind: DeadlineKind | None = None,
    hour: str | None = None,
) -> Button:
    return Button(label, NewDeadlineButton(action, agency, recurrence, kind, hour).pack())


def _agency_label(tr: Translator, agency: str | None) -> str:
    return agency if agency is not None else tr.gettext("All agencies")


def new_agency(tr: Translator, agencies: Sequence[AgencyRef]) -> Reply:
    buttons = [_new(short(a.name), NewAction.AGENCY, agency=a.id) for a in agencies]
    buttons.append(_new(tr.gettext("All agencies"), NewAction.ALL))
    return Reply(
        tr.html("<b>New deadline</b> (1/6)\nWhich agency is it for?"),
        (*rows(*buttons), *cancel_row(tr)),
    )


def new_title(tr: Translator, agency: str | None) -> Reply:
    return Reply(
        tr.html(
            "<b>New deadline</b> (2/6) for {agency}\nPlease type the title, for example "
            "<i>Laporan swa-penilaian ISO 18091 triwulan IV</i>."
        ).format(agency=_agency_label(tr, agency)),
        cancel_row(tr),
    )


def new_due(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "<b>New deadline</b> (3/6)\nPlease type the due date and time (WITA), for example "
            "<code>10-12-2026 16.00</code>, or only the date (<code>10/12/2026</code>: 16.00)."
        ),
        cancel_row(tr),
    )


def new_description(tr: Translator) -> Reply:
    return Reply(
        tr.html("<b>New deadline</b> (4/6)\nPlease type a short description, or skip it."),
        ((_new(tr.pgettext("button", "Skip"), NewAction.SKIP),), *cancel_row(tr)),
    )


def new_recurrence(tr: Translator) -> Reply:
    buttons = [
        _new(tr.gettext(name), NewAction.RECURRENCE, recurrence=r)
        for r, name in RECURRENCE_NAMES.items()
    ]
    return Reply(
        tr.html("<b>New deadline</b> (5/6)\nDoes it repeat?"), (*rows(*buttons), *cancel_row(tr))
    )


def new_kind(tr: Translator) -> Reply:
    buttons = [_new(tr.gettext(name), NewAction.KIND, kind=k) for k, name in KIND_NAMES.items()]
    return Reply(
        tr.html("<b>New deadline</b> (6/6)\nWhat kind of deadline is it?"),
        (*rows(*buttons), *cancel_row(tr)),
    )


def new_confirm(tr: Translator, draft: DraftView) -> Reply:
    _ = tr.html
    text = lines(
        _("<b>Please check the new deadline</b>"),
        _("For: {agency}").format(agency=_agency_label(tr, draft.agency)),
        _("Title: {title}").format(title=draft.title),
        _("Due: {when}").format(when=tr.format_datetime(draft.due_at)),
        _("Type: {kind} · {recurrence}").format(
            kind=tr.gettext(KIND_NAMES[draft.kind]),
            recurrence=tr.gettext(RECURRENCE_NAMES[draft.recurrence]),
        ),
        draft.description or None,
        reminder_rule(tr, draft.offsets, draft.hour, draft.minute),
    )
    return Reply(
        text,
        (
            *rows(
                _new(tr.pgettext("button", "Save"), NewAction.SAVE),
                _new(tr.pgettext("button", "Set reminders"), NewAction.REMINDERS),
            ),
            *cancel_row(tr),
        ),
    )


def new_reminder_hour(tr: Translator) -> Reply:
    buttons = [_new(choice, NewAction.HOUR, hour=choice) for choice in HOUR_CHOICES]
    return Reply(
        tr.html(
            "<b>Reminders</b> (1/2)\nAt what time (WITA) should the reminders go out? "
            "Tap a time, or type another one between 07.00 and 17.00, for example "
            "<code>10.30</code>."
        ),
        (*rows(*buttons, width=4), *cancel_row(tr)),
    )


def new_reminder_days(tr: Translator, offsets: Sequence[int]) -> Reply:
    current = ",".join(str(d) for d in offsets)
    keep = tr.pgettext("button", "Keep {days}").format(days=current)
    return Reply(
        tr.html(
            "<b>Reminders</b> (2/2)\nHow many days before the deadline? Please type the days "
            "separated by commas, for example <code>14,7,1,0</code> (0 is the day itself; "
            "at most 6 numbers, up to 60 days). Now: {current}."
        ).format(current=current),
        ((_new(keep, NewAction.KEEP_DAYS),), *cancel_row(tr)),
    )


def rule_error(tr: Translator, code: RuleError) -> Reply:
    """A typed reminder hour or list of days that does not fit."""
    _ = tr.html
    if code == RuleError.HOUR:
        text = _(
            "Sorry, please type a time between 07.00 and 17.00, for example <code>10.30</code>."
        )
    else:
        text = _(
            "Sorry, please type whole days from 0 to 60 separated by commas, at most 6 numbers, "
            "for example <code>7,3,1,0</code>."
        )
    return Reply(text, cancel_row(tr))


def created(
    tr: Translator, deadline: DeadlineInfo, focal_points: int, plan: ReminderPlan
) -> Reply:
    """Saved and announced; which reminders had passed already, and when the next one goes."""
    _ = tr.html
    if focal_points:
        saved = tr.nhtml(
            "✅ Deadline saved: <i>%(title)s</i>. We have announced it to %(n)d focal point "
            "just now.",
            "✅ Deadline saved: <i>%(title)s</i>. We have announced it to %(n)d focal points "
            "just now.",
            focal_points,
        ) % {"title": deadline.title, "n": focal_points}
    else:
        saved = _(
            "✅ Deadline saved: <i>{title}</i>. No focal point has joined yet; each one gets "
            "it when they join."
        ).format(title=deadline.title)
    passed = (
        tr.nhtml(
            "The reminder %(days)s days before had already passed: the announcement takes "
            "its place.",
            "The reminders %(days)s days before had already passed: the announcement takes "
            "their place.",
            len(plan.passed),
        )
        % {"days": day_list(tr, plan.passed)}
        if plan.passed and focal_points
        else None
    )
    upcoming = (
        _("Next reminder: {when}.").format(when=tr.format_datetime(plan.next_at))
        if plan.next_at is not None
        else _("No reminder is left before the deadline.")
    )
    return Reply(lines(saved, passed, upcoming), ((back_to_list(tr),), back_to_menu(tr)))


def step_expired(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, this step is no longer open. Please start again from the list."),
        ((back_to_list(tr),),),
    )
