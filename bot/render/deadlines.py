"""Screens of deadlines: reminders and answers (focal points), lists, dialogues (coordinators)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from bot.callbacks import DL_ADMIN, DL_ANSWER, DL_EXT, DL_NEW, DL_OPEN, MENU
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.assessment import AssessAction, AssessButton
from bot.render.common import back_to_menu
from bot.services.deadlines.parsing import DueError, parse_offsets
from bot.services.deadlines.views import DeadlineView
from db.models import (
    AckStatus,
    Agency,
    Deadline,
    DeadlineKind,
    ExtensionRequest,
    ExtensionStatus,
    Recurrence,
)

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
# The reminder times a coordinator can tap; any other office-hour time can be typed.
HOUR_CHOICES = ("07.30", "08.00", "09.00", "13.00")


def _e(text: str) -> str:
    return html.escape(text)


def _cancel(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    return ((Button(tr.pgettext("button", "Cancel"), MENU.pack("home")),),)


def agency_label(tr: Translator, agency: Agency | None) -> str:
    return _e(agency.short_name) if agency is not None else tr.gettext("All agencies")


def when(tr: Translator, due_at: datetime, now: datetime) -> str:
    return f"{tr.format_datetime(due_at)} ({tr.relative_days(due_at, now)})"


# --- focal points --------------------------------------------------------------------------


def answer_buttons(
    tr: Translator, deadline: Deadline, agency_id: int
) -> tuple[tuple[Button, ...], ...]:
    buttons = rows(
        Button(tr.pgettext("button", "Done"), DL_ANSWER.pack(deadline.id, agency_id, "d")),
        Button(tr.pgettext("button", "In progress"), DL_ANSWER.pack(deadline.id, agency_id, "p")),
        Button(tr.pgettext("button", "Need help"), DL_ANSWER.pack(deadline.id, agency_id, "h")),
        Button(tr.pgettext("button", "More time"), DL_ANSWER.pack(deadline.id, agency_id, "x")),
    )
    if deadline.kind == DeadlineKind.SELF_ASSESSMENT:
        buttons += (
            (
                Button(
                    tr.pgettext("button", "Open self-assessment"),
                    AssessButton(AssessAction.OPEN).pack(),
                ),
            ),
        )
    return buttons


def reminder(
    tr: Translator,
    deadline: Deadline,
    agency: Agency,
    due_at: datetime,
    now: datetime,
    *,
    overdue: bool = False,
    late: bool = False,
) -> Reply:
    """ "⏰ Pengingat tenggat — 3 hari lagi" with the four answers."""
    _ = tr.gettext
    relative = tr.relative_days(due_at, now)
    if overdue:
        head = _("📌 Deadline passed — {relative}").format(relative=relative)
    else:
        head = _("⏰ Deadline reminder — {relative}").format(relative=relative)
    lines = [f"<b>{head}</b>", f"<i>{_e(deadline.title)}</i>"]
    lines.append(
        _("{agency} · due: {when}").format(
            agency=_e(agency.short_name), when=tr.format_datetime(due_at)
        )
    )
    if deadline.description:
        lines.append(_e(deadline.description))
    if late:
        lines.append(_("(This reminder comes late because of a disruption on our side.)"))
    lines.append(_("Please let us know how it stands:"))
    return Reply("\n".join(lines), answer_buttons(tr, deadline, agency.id))


def answered(tr: Translator, deadline: Deadline, status: AckStatus) -> Reply:
    _ = tr.gettext
    title = _e(deadline.title)
    if status == AckStatus.DONE:
        text = _(
            "✅ Thank you! <i>{title}</i> is recorded as done. We will send no more "
            "reminders for it."
        )
    else:
        text = _(
            "Thank you, <i>{title}</i> is recorded as in progress. We will keep reminding "
            "you until the deadline."
        )
    return Reply(text.format(title=title), (back_to_menu(tr),))


def ask_help(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext(
            "Please write in a few words what help you need for <i>{title}</i>. "
            "We will pass it on to the coordinator."
        ).format(title=_e(deadline.title)),
        _cancel(tr),
    )


def help_sent(tr: Translator) -> Reply:
    return Reply(
        tr.gettext(
            "Thank you, your message has been passed on to the coordinator. "
            "They will contact you soon."
        ),
        (back_to_menu(tr),),
    )


def ask_extension_date(tr: Translator, deadline: Deadline, due_at: datetime) -> Reply:
    return Reply(
        tr.gettext(
            "<i>{title}</i> is due {when}.\n"
            "Until when do you need? Please type the date, for example "
            "<code>18-12-2026 16.00</code> or <code>18/12/2026</code>."
        ).format(title=_e(deadline.title), when=tr.format_datetime(due_at)),
        _cancel(tr),
    )


def ask_extension_reason(tr: Translator, new_due: datetime) -> Reply:
    return Reply(
        tr.gettext("New date: {when}.\nPlease write the reason in a few words.").format(
            when=tr.format_datetime(new_due)
        ),
        _cancel(tr),
    )


def extension_sent(tr: Translator, new_due: datetime) -> Reply:
    return Reply(
        tr.gettext(
            "Your request for more time until {when} has been sent to the coordinator. "
            "We will tell you the decision."
        ).format(when=tr.format_datetime(new_due)),
        (back_to_menu(tr),),
    )


def due_error(tr: Translator, code: DueError) -> Reply:
    _ = tr.gettext
    if code == DueError.PAST:
        text = _("Sorry, that date has already passed. Please type a later date.")
    elif code == DueError.FAR:
        text = _("Sorry, that date is too far ahead. Please check the year.")
    else:
        text = _(
            "Sorry, we could not read that date. Please type it as day-month-year, "
            "for example <code>10-12-2026 16.00</code> or <code>10/12/2026</code>."
        )
    return Reply(text, _cancel(tr))


def text_needed(tr: Translator) -> Reply:
    return Reply(
        tr.gettext("Sorry, please type a short text here (no photo or file)."), _cancel(tr)
    )


def focal_list(
    tr: Translator, agency: Agency | None, views: Sequence[DeadlineView], now: datetime
) -> Reply:
    _ = tr.gettext
    if agency is None:
        return Reply(
            _("Sorry, you are not yet linked to an agency. Please contact the coordinator."),
            (back_to_menu(tr),),
        )
    if not views:
        return Reply(
            _("<b>Deadlines of {agency}</b>\nThere are no open deadlines right now.").format(
                agency=_e(agency.short_name)
            ),
            (back_to_menu(tr),),
        )
    lines = [_("<b>Deadlines of {agency}</b>").format(agency=_e(agency.short_name))]
    buttons: list[Button] = []
    for number, item in enumerate(views[:LIST_LIMIT], start=1):
        status = item.agencies[0] if item.agencies else None
        due_at = status.due_at if status else item.deadline.due_at
        state = _(STATUS_NAMES[status.status]) if status and status.status else _("no answer yet")
        lines.append(
            "{n}. <b>{title}</b>\n   {due} · {relative} · {state}".format(  # noqa: UP032
                n=number,
                title=_e(item.deadline.title),
                due=tr.format_short_date(due_at),
                relative=tr.relative_days(due_at, now),
                state=state,
            )
        )
        buttons.append(
            Button(
                f"{number}. {_short(item.deadline.title)}",
                DL_OPEN.pack(item.deadline.id, agency.id),
            )
        )
    return Reply("\n".join(lines), (*rows(*buttons, width=1), back_to_menu(tr)))


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- things sent later ---------------------------------------------------------------------


def changed(
    tr: Translator,
    deadline: Deadline,
    agency: Agency,
    due_at: datetime,
    change: str,
    now: datetime,
) -> Reply:
    _ = tr.gettext
    title = _e(deadline.title)
    if change == "cancelled":
        return Reply(
            _(
                "📌 The deadline <i>{title}</i> has been cancelled. No further action is needed."
            ).format(title=title)
        )
    if change == "moved":
        text = _("📌 The deadline <i>{title}</i> has a new date: {when}.")
    else:
        text = _("📌 A deadline has a new name: <i>{title}</i>, due {when}.")
    return Reply(
        text.format(title=title, when=when(tr, due_at, now)),
        answer_buttons(tr, deadline, agency.id),
    )


def extension_decided(
    tr: Translator, request: ExtensionRequest, deadline: Deadline, agency: Agency, due_at: datetime
) -> Reply:
    _ = tr.gettext
    if request.status == ExtensionStatus.APPROVED:
        text = _("✅ More time approved for <i>{title}</i>. New due date for {agency}: {when}.")
    else:
        text = _(
            "Sorry, the request for more time for <i>{title}</i> was not approved. "
            "It stays due {when}. Please contact the coordinator if needed."
        )
    return Reply(
        text.format(
            title=_e(deadline.title), agency=_e(agency.short_name), when=tr.format_datetime(due_at)
        ),
        answer_buttons(tr, deadline, agency.id),
    )


def escalation(
    tr: Translator,
    deadline: Deadline,
    agency: Agency,
    due_at: datetime,
    now: datetime,
    focal: Sequence[str],
) -> Reply:
    _ = tr.gettext
    text = _(
        "📌 No answer yet from {agency}\n<i>{title}</i>\nDue: {when}\nFocal points: {names}"
    ).format(
        agency=_e(agency.short_name),
        title=_e(deadline.title),
        when=when(tr, due_at, now),
        names=_e(", ".join(focal)) or "-",
    )
    return Reply(text, ((Button(_("Open deadline"), DL_ADMIN.pack("open", deadline.id)),),))


def help_request(
    tr: Translator, deadline: Deadline, agency: Agency, name: str, message: str
) -> Reply:
    _ = tr.gettext
    text = _("📌 {name} ({agency}) asks for help\n<i>{title}</i>\n\n{message}").format(
        name=_e(name), agency=_e(agency.short_name), title=_e(deadline.title), message=_e(message)
    )
    return Reply(text, ((Button(_("Open deadline"), DL_ADMIN.pack("open", deadline.id)),),))


def extension_request(
    tr: Translator,
    request: ExtensionRequest,
    deadline: Deadline,
    agency: Agency,
    name: str,
    current_due: datetime,
) -> Reply:
    _ = tr.gettext
    text = _(
        "Request for more time from {name} ({agency})\n<i>{title}</i>\n"
        "Due now: {current}\nAsked for: {new}\nReason: {reason}"
    ).format(
        name=_e(name),
        agency=_e(agency.short_name),
        title=_e(deadline.title),
        current=tr.format_datetime(current_due),
        new=tr.format_datetime(request.new_due_at),
        reason=_e(request.reason),
    )
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Approve"), DL_EXT.pack(request.id, "a")),
            Button(tr.pgettext("button", "Decline"), DL_EXT.pack(request.id, "d")),
        ),
    )


def extension_outcome(tr: Translator, request: ExtensionRequest, already: bool, by: str) -> Reply:
    _ = tr.gettext
    approved = request.status == ExtensionStatus.APPROVED
    if already:
        text = (
            _("This request was already approved by {name}.")
            if approved
            else _("This request was already declined by {name}.")
        ).format(name=_e(by))
    elif approved:
        text = _("✅ Approved. The focal points have been told the new date: {when}.").format(
            when=tr.format_datetime(request.new_due_at)
        )
    else:
        text = _("The request has been declined. The focal point has been told.")
    return Reply(text, (back_to_menu(tr),))


# --- coordinators --------------------------------------------------------------------------


def _counts(tr: Translator, item: DeadlineView) -> str:
    done = sum(1 for a in item.agencies if a.status == AckStatus.DONE)
    total = len(item.agencies)
    return tr.gettext("{done} of {total} done").format(done=done, total=total)


def admin_list(
    tr: Translator, views: Sequence[DeadlineView], agency_names: dict[int, str], now: datetime
) -> Reply:
    _ = tr.gettext
    lines = [_("<b>Programme deadlines</b>")]
    if not views:
        lines.append(_("There are no open deadlines yet."))
    buttons: list[Button] = []
    for number, item in enumerate(views[:LIST_LIMIT], start=1):
        d = item.deadline
        who = _e(agency_names.get(d.agency_id, "")) if d.agency_id else _("All agencies")
        if d.recurrence != Recurrence.NONE:
            who += " · " + series_label(tr, d)
        lines.append(
            "{n}. <b>{title}</b> · {who}\n   {due} · {relative} · {counts}".format(  # noqa: UP032
                n=number,
                title=_e(d.title),
                who=who,
                due=tr.format_short_date(d.due_at),
                relative=tr.relative_days(d.due_at, now),
                counts=_counts(tr, item),
            )
        )
        buttons.append(Button(f"{number}. {_short(d.title)}", DL_ADMIN.pack("open", d.id)))
    buttons.append(Button(tr.pgettext("button", "New deadline"), DL_ADMIN.pack("new", 0)))
    return Reply("\n".join(lines), (*rows(*buttons, width=1), back_to_menu(tr)))


def series_label(tr: Translator, deadline: Deadline) -> str:
    """ "Triwulanan, ke-2" """
    return tr.gettext("{recurrence}, no. {n}").format(
        recurrence=tr.gettext(RECURRENCE_NAMES[deadline.recurrence]), n=deadline.occurrence
    )


def admin_detail(tr: Translator, item: DeadlineView, now: datetime) -> Reply:
    _ = tr.gettext
    d = item.deadline
    repeat = (
        series_label(tr, d)
        if d.recurrence != Recurrence.NONE
        else _(RECURRENCE_NAMES[d.recurrence])
    )
    lines = [
        f"<b>{_e(d.title)}</b>",
        _("Due: {when}").format(when=when(tr, d.due_at, now)),
        _("Type: {kind} · {recurrence}").format(kind=_(KIND_NAMES[d.kind]), recurrence=repeat),
        reminder_rule(tr, parse_offsets(d.reminder_days), d.reminder_hour, d.reminder_minute),
    ]
    if d.description:
        lines.append(_e(d.description))
    lines.append("")
    for status in item.agencies:
        state = _(STATUS_NAMES[status.status]) if status.status else _("no answer yet")
        line = f"• {_e(status.agency.short_name)}: {state}"
        if status.answered_by:
            line += " ({})".format(_e(", ".join(status.answered_by)))
        if status.due_at != d.due_at:
            line += " · " + _("extended to {date}").format(
                date=tr.format_short_date(status.due_at)
            )
        lines.append(line)
    return Reply(
        "\n".join(lines),
        (
            *rows(
                Button(tr.pgettext("button", "Change date"), DL_ADMIN.pack("date", d.id)),
                Button(tr.pgettext("button", "Change title"), DL_ADMIN.pack("title", d.id)),
                Button(tr.pgettext("button", "Cancel deadline"), DL_ADMIN.pack("cancel", d.id)),
                Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("list", 0)),
            ),
        ),
    )


def confirm_cancel(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext(
            "Cancel the deadline <i>{title}</i>? Its focal points will be told, and no more "
            "reminders will be sent."
        ).format(title=_e(deadline.title)),
        rows(
            Button(tr.pgettext("button", "Yes, cancel"), DL_ADMIN.pack("cnf", deadline.id)),
            Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("open", deadline.id)),
        ),
    )


def cancelled(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext("The deadline <i>{title}</i> is cancelled and its focal points told.").format(
            title=_e(deadline.title)
        ),
        ((Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("list", 0)),),),
    )


def ask_new_date(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext(
            "<i>{title}</i> is due {when}.\nPlease type the new date and time (WITA), for example "
            "<code>10-12-2026 16.00</code>."
        ).format(title=_e(deadline.title), when=tr.format_datetime(deadline.due_at)),
        _cancel(tr),
    )


def ask_new_title(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext("Current title: <i>{title}</i>\nPlease type the new title.").format(
            title=_e(deadline.title)
        ),
        _cancel(tr),
    )


def edited(tr: Translator, deadline: Deadline) -> Reply:
    return Reply(
        tr.gettext(
            "✅ Saved: <i>{title}</i>, due {when}. The focal points have been told, and the "
            "reminders follow the change."
        ).format(title=_e(deadline.title), when=tr.format_datetime(deadline.due_at)),
        ((Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("list", 0)),),),
    )


# --- the creation dialogue -----------------------------------------------------------------


def new_agency(tr: Translator, agencies: Sequence[Agency]) -> Reply:
    buttons = [Button(_short(a.short_name), DL_NEW.pack("ag", a.id)) for a in agencies]
    buttons.append(Button(tr.gettext("All agencies"), DL_NEW.pack("ag", "all")))
    return Reply(
        tr.gettext("<b>New deadline</b> (1/6)\nWhich agency is it for?"),
        (*rows(*buttons), *_cancel(tr)),
    )


def new_title(tr: Translator, agency: str) -> Reply:
    return Reply(
        tr.gettext(
            "<b>New deadline</b> (2/6) for {agency}\nPlease type the title, for example "
            "<i>Laporan swa-penilaian ISO 18091 triwulan IV</i>."
        ).format(agency=agency),
        _cancel(tr),
    )


def new_due(tr: Translator) -> Reply:
    return Reply(
        tr.gettext(
            "<b>New deadline</b> (3/6)\nPlease type the due date and time (WITA), for example "
            "<code>10-12-2026 16.00</code>, or only the date (<code>10/12/2026</code>: 16.00)."
        ),
        _cancel(tr),
    )


def new_description(tr: Translator) -> Reply:
    return Reply(
        tr.gettext("<b>New deadline</b> (4/6)\nPlease type a short description, or skip it."),
        (
            (Button(tr.pgettext("button", "Skip"), DL_NEW.pack("skip", "-")),),
            *_cancel(tr),
        ),
    )


def new_recurrence(tr: Translator) -> Reply:
    buttons = [
        Button(tr.gettext(name), DL_NEW.pack("rec", r.value))
        for r, name in RECURRENCE_NAMES.items()
    ]
    return Reply(
        tr.gettext("<b>New deadline</b> (5/6)\nDoes it repeat?"), (*rows(*buttons), *_cancel(tr))
    )


def new_kind(tr: Translator) -> Reply:
    buttons = [
        Button(tr.gettext(name), DL_NEW.pack("kind", k.value)) for k, name in KIND_NAMES.items()
    ]
    return Reply(
        tr.gettext("<b>New deadline</b> (6/6)\nWhat kind of deadline is it?"),
        (*rows(*buttons), *_cancel(tr)),
    )


def new_confirm(
    tr: Translator,
    *,
    agency: str,
    title: str,
    due_at: datetime,
    description: str | None,
    recurrence: Recurrence,
    kind: DeadlineKind,
    offsets: Sequence[int],
    hour: int,
    minute: int,
) -> Reply:
    _ = tr.gettext
    lines = [
        _("<b>Please check the new deadline</b>"),
        _("For: {agency}").format(agency=agency),
        _("Title: {title}").format(title=_e(title)),
        _("Due: {when}").format(when=tr.format_datetime(due_at)),
        _("Type: {kind} · {recurrence}").format(
            kind=_(KIND_NAMES[kind]), recurrence=_(RECURRENCE_NAMES[recurrence])
        ),
    ]
    if description:
        lines.append(_e(description))
    lines.append(reminder_rule(tr, offsets, hour, minute))
    return Reply(
        "\n".join(lines),
        (
            *rows(
                Button(tr.pgettext("button", "Save"), DL_NEW.pack("ok", "-")),
                Button(tr.pgettext("button", "Set reminders"), DL_NEW.pack("rem", "-")),
            ),
            (Button(tr.pgettext("button", "Cancel"), MENU.pack("home")),),
        ),
    )


def clock_time(hour: int, minute: int) -> str:
    return f"{hour:02d}.{minute:02d}"


def day_list(tr: Translator, days: Sequence[int]) -> str:
    """7 dan 1; 7, 3, dan 1 (the comma before the last of three or more, as PUEBI writes it)."""
    words = [str(d) for d in days]
    if len(words) == 1:
        return words[0]
    first = ", ".join(words[:-1]) + ("," if len(words) > 2 else "")
    return tr.gettext("{first} and {last}").format(first=first, last=words[-1])


def reminder_rule(tr: Translator, offsets: Sequence[int], hour: int, minute: int) -> str:
    """ "Pengingat dikirim 7, 3, dan 1 hari sebelumnya serta pada harinya, pukul 08.00 WITA." """
    _ = tr.gettext
    before = sorted((d for d in offsets if d > 0), reverse=True)
    if before and 0 in offsets:
        text = _("Reminders go out {days} days before and on the day, at {time} WITA.")
    elif before:
        text = _("Reminders go out {days} days before, at {time} WITA.")
    else:
        text = _("Reminders go out on the day, at {time} WITA.")
    return text.format(days=day_list(tr, before), time=clock_time(hour, minute))


def new_reminder_hour(tr: Translator) -> Reply:
    buttons = [Button(choice, DL_NEW.pack("hr", choice)) for choice in HOUR_CHOICES]
    return Reply(
        tr.gettext(
            "<b>Reminders</b> (1/2)\nAt what time (WITA) should the reminders go out? "
            "Tap a time, or type another one between 07.00 and 17.00, for example "
            "<code>10.30</code>."
        ),
        (*rows(*buttons, width=4), *_cancel(tr)),
    )


def new_reminder_days(tr: Translator, offsets: Sequence[int]) -> Reply:
    current = ",".join(str(d) for d in offsets)
    return Reply(
        tr.gettext(
            "<b>Reminders</b> (2/2)\nHow many days before the deadline? Please type the days "
            "separated by commas, for example <code>14,7,1,0</code> (0 is the day itself; "
            "at most 6 numbers, up to 60 days). Now: {current}."
        ).format(current=current),
        (
            (
                Button(
                    tr.pgettext("button", "Keep {days}").format(days=current),
                    DL_NEW.pack("days", "-"),
                ),
            ),
            *_cancel(tr),
        ),
    )


def rule_error(tr: Translator, step: str) -> Reply:
    _ = tr.gettext
    if step == "rem_hour":
        text = _(
            "Sorry, please type a time between 07.00 and 17.00, for example <code>10.30</code>."
        )
    else:
        text = _(
            "Sorry, please type whole days from 0 to 60 separated by commas, at most 6 numbers, "
            "for example <code>7,3,1,0</code>."
        )
    return Reply(text, _cancel(tr))


def created(tr: Translator, deadline: Deadline, focal_points: int) -> Reply:
    return Reply(
        tr.ngettext(
            "✅ Deadline saved: <i>%(title)s</i>. Reminders will go to %(n)d focal point.",
            "✅ Deadline saved: <i>%(title)s</i>. Reminders will go to %(n)d focal points.",
            focal_points,
        )
        % {"title": _e(deadline.title), "n": focal_points},
        ((Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("list", 0)),), back_to_menu(tr)),
    )


def step_expired(tr: Translator) -> Reply:
    return Reply(
        tr.gettext("Sorry, this step is no longer open. Please start again from the list."),
        ((Button(tr.pgettext("button", "Back"), DL_ADMIN.pack("list", 0)),),),
    )
