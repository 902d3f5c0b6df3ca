"""What coordinators see: every deadline, one deadline's answers, edits, and the requests,
escalations and cries for help that reach them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.common import back_to_menu
from bot.render.deadlines.shared import (
    KIND_NAMES,
    LIST_ENTRY,
    LIST_LIMIT,
    cancel_row,
    reminder_rule,
    repeat_label,
    series_label,
    short,
    status_label,
    when,
)
from bot.render.text import Html, bold, join, lines
from bot.services.deadlines.views import (
    AgencyStatus,
    Assignment,
    DeadlineInfo,
    DeadlineView,
    ExtensionView,
)
from db.models import AckStatus, ExtensionStatus, Recurrence


class AdminAction(StrEnum):
    LIST = "list"
    NEW = "new"
    OPEN = "open"
    DATE = "date"
    TITLE = "title"
    CANCEL = "cancel"  # ask to confirm
    CONFIRM_CANCEL = "cnf"


@dataclass(frozen=True)
class DeadlineAdminButton(CallbackData, prefix="dlm"):
    """The coordinators' list and a deadline's actions; `deadline` for the latter."""

    action: AdminAction
    deadline: int | None = None


class ExtensionChoice(StrEnum):
    APPROVE = "a"
    DECLINE = "d"


@dataclass(frozen=True)
class ExtensionButton(CallbackData, prefix="dlx"):
    """A coordinator's decision on a request for more time."""

    request: int
    action: ExtensionChoice


def _admin(label: str, action: AdminAction, deadline: int | None = None) -> Button:
    return Button(label, DeadlineAdminButton(action, deadline).pack())


def back_to_list(tr: Translator) -> Button:
    return _admin(tr.pgettext("button", "Back"), AdminAction.LIST)


def _open_deadline(tr: Translator, deadline_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((_admin(tr.gettext("Open deadline"), AdminAction.OPEN, deadline_id),),)


def _counts(tr: Translator, item: DeadlineView) -> str:
    done = sum(1 for a in item.agencies if a.status == AckStatus.DONE)
    return tr.gettext("{done} of {total} done").format(done=done, total=len(item.agencies))


def admin_list(tr: Translator, views: Sequence[DeadlineView], now: datetime) -> Reply:
    """Every open deadline with how many agencies are done, and "Tenggat baru"."""
    _ = tr.html
    entries: list[Html] = [_("<b>Programme deadlines</b>")]
    if not views:
        entries.append(_("There are no open deadlines yet."))
    buttons: list[Button] = []
    for number, item in enumerate(views[:LIST_LIMIT], start=1):
        d = item.deadline
        who = item.agency.name if item.agency is not None else tr.gettext("All agencies")
        if d.recurrence != Recurrence.NONE:
            who += " · " + series_label(tr, d)
        entries.append(
            LIST_ENTRY.format(
                n=number,
                title=d.title,
                who=Html(" · {}").format(who),
                due=tr.format_short_date(d.due_at),
                relative=tr.relative_days(d.due_at, now),
                state=_counts(tr, item),
            )
        )
        buttons.append(_admin(f"{number}. {short(d.title)}", AdminAction.OPEN, d.id))
    buttons.append(_admin(tr.pgettext("button", "New deadline"), AdminAction.NEW))
    return Reply(lines(*entries), (*rows(*buttons, width=1), back_to_menu(tr)))


def _agency_line(tr: Translator, status: AgencyStatus, due_at: datetime) -> Html:
    """ "• RSUD S.K. Lerik: sedang dikerjakan (Bapak Yohanes) · diperpanjang sampai ..." """
    line = Html("• {}: {}").format(status.agency.name, status_label(tr, status.status))
    if status.answered_by:
        line += Html(" ({})").format(", ".join(status.answered_by))
    if status.due_at != due_at:
        line += Html(" · ") + tr.html("extended to {date}").format(
            date=tr.format_short_date(status.due_at)
        )
    return line


def admin_detail(tr: Translator, item: DeadlineView, now: datetime) -> Reply:
    """One deadline: its date, kind, reminder rule, and each agency's answer."""
    _ = tr.html
    d = item.deadline
    text = lines(
        bold(d.title),
        _("Due: {when}").format(when=when(tr, d.due_at, now)),
        _("Type: {kind} · {recurrence}").format(
            kind=tr.gettext(KIND_NAMES[d.kind]), recurrence=repeat_label(tr, d)
        ),
        reminder_rule(tr, d.offsets, d.hour, d.minute),
        d.description or None,
        "",
        *(_agency_line(tr, status, d.due_at) for status in item.agencies),
    )
    return Reply(
        text,
        rows(
            _admin(tr.pgettext("button", "Change date"), AdminAction.DATE, d.id),
            _admin(tr.pgettext("button", "Change title"), AdminAction.TITLE, d.id),
            _admin(tr.pgettext("button", "Cancel deadline"), AdminAction.CANCEL, d.id),
            back_to_list(tr),
        ),
    )


def confirm_cancel(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html(
            "Cancel the deadline <i>{title}</i>? Its focal points will be told, and no more "
            "reminders will be sent."
        ).format(title=deadline.title),
        rows(
            _admin(tr.pgettext("button", "Yes, cancel"), AdminAction.CONFIRM_CANCEL, deadline.id),
            _admin(tr.pgettext("button", "Back"), AdminAction.OPEN, deadline.id),
        ),
    )


def cancelled(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html("The deadline <i>{title}</i> is cancelled and its focal points told.").format(
            title=deadline.title
        ),
        ((back_to_list(tr),),),
    )


def ask_new_date(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html(
            "<i>{title}</i> is due {when}.\nPlease type the new date and time (WITA), for example "
            "<code>10-12-2026 16.00</code>."
        ).format(title=deadline.title, when=tr.format_datetime(deadline.due_at)),
        cancel_row(tr),
    )


def ask_new_title(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html("Current title: <i>{title}</i>\nPlease type the new title.").format(
            title=deadline.title
        ),
        cancel_row(tr),
    )


def edited(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html(
            "✅ Saved: <i>{title}</i>, due {when}. The focal points have been told, and the "
            "reminders follow the change."
        ).format(title=deadline.title, when=tr.format_datetime(deadline.due_at)),
        ((back_to_list(tr),),),
    )


# --- sent later: what focal points ask, and what nobody answered -----------------------------


def escalation(
    tr: Translator, assignment: Assignment, now: datetime, focal: Sequence[str]
) -> Reply:
    """Two working days late and no answer from an agency."""
    text = tr.html(
        "📌 No answer yet from {agency}\n<i>{title}</i>\nDue: {when}\nFocal points: {names}"
    ).format(
        agency=assignment.agency.name,
        title=assignment.deadline.title,
        when=when(tr, assignment.due_at, now),
        names=join(focal, ", ") or "-",
    )
    return Reply(text, _open_deadline(tr, assignment.deadline.id))


def help_request(tr: Translator, assignment: Assignment, name: str, message: str) -> Reply:
    text = tr.html("📌 {name} ({agency}) asks for help\n<i>{title}</i>\n\n{message}").format(
        name=name, agency=assignment.agency.name, title=assignment.deadline.title, message=message
    )
    return Reply(text, _open_deadline(tr, assignment.deadline.id))


def extension_request(tr: Translator, request: ExtensionView) -> Reply:
    """A focal point's request for more time, with Approve and Decline."""
    assignment = request.assignment
    text = tr.html(
        "Request for more time from {name} ({agency})\n<i>{title}</i>\n"
        "Due now: {current}\nAsked for: {new}\nReason: {reason}"
    ).format(
        name=request.asked_by,
        agency=assignment.agency.name,
        title=assignment.deadline.title,
        current=tr.format_datetime(assignment.due_at),
        new=tr.format_datetime(request.new_due_at),
        reason=request.reason,
    )

    def choice(label: str, action: ExtensionChoice) -> Button:
        return Button(label, ExtensionButton(request.id, action).pack())

    return Reply(
        text,
        rows(
            choice(tr.pgettext("button", "Approve"), ExtensionChoice.APPROVE),
            choice(tr.pgettext("button", "Decline"), ExtensionChoice.DECLINE),
        ),
    )


def extension_outcome(tr: Translator, request: ExtensionView, *, already: bool) -> Reply:
    """What the tap on Approve or Decline did; `already`: someone had decided before."""
    _ = tr.html
    approved = request.status == ExtensionStatus.APPROVED
    if already:
        text = (
            _("This request was already approved by {name}.")
            if approved
            else _("This request was already declined by {name}.")
        ).format(name=request.decided_by or "-")
    elif approved:
        text = _("✅ Approved. The focal points have been told the new date: {when}.").format(
            when=tr.format_datetime(request.new_due_at)
        )
    else:
        text = _("The request has been declined. The focal point has been told.")
    return Reply(text, (back_to_menu(tr),))
