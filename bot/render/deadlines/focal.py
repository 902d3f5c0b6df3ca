"""What a focal point sees: reminders and their answers, help and more time, the agency's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.assessment import AssessAction, AssessButton
from bot.render.common import back_to_menu
from bot.render.deadlines.shared import (
    LIST_ENTRY,
    LIST_LIMIT,
    cancel_row,
    short,
    status_label,
    when,
)
from bot.render.text import Html, bold, italic, lines
from bot.services.deadlines.changes import Change
from bot.services.deadlines.views import Assignment, DeadlineInfo, ExtensionView, FocalList
from db.models import AckStatus, DeadlineKind, ExtensionStatus


class AnswerAction(StrEnum):
    DONE = "d"
    IN_PROGRESS = "p"
    HELP = "h"
    EXTEND = "x"  # ask for more time


@dataclass(frozen=True)
class AnswerDeadlineButton(CallbackData, prefix="dla"):
    """A focal point's answer to a deadline, for their agency."""

    deadline: int
    agency: int
    action: AnswerAction


@dataclass(frozen=True)
class OpenDeadlineButton(CallbackData, prefix="dlo"):
    """One deadline from the agency's list, with the answer buttons."""

    deadline: int
    agency: int


def answer_buttons(tr: Translator, assignment: Assignment) -> tuple[tuple[Button, ...], ...]:
    deadline, agency = assignment.deadline.id, assignment.agency.id

    def answer(label: str, action: AnswerAction) -> Button:
        return Button(label, AnswerDeadlineButton(deadline, agency, action).pack())

    buttons = rows(
        answer(tr.pgettext("button", "Done"), AnswerAction.DONE),
        answer(tr.pgettext("button", "In progress"), AnswerAction.IN_PROGRESS),
        answer(tr.pgettext("button", "Need help"), AnswerAction.HELP),
        answer(tr.pgettext("button", "More time"), AnswerAction.EXTEND),
    )
    if assignment.deadline.kind == DeadlineKind.SELF_ASSESSMENT:
        assess = AssessButton(AssessAction.OPEN).pack()
        buttons += ((Button(tr.pgettext("button", "Open self-assessment"), assess),),)
    return buttons


def reminder(
    tr: Translator,
    assignment: Assignment,
    now: datetime,
    *,
    overdue: bool = False,
    late: bool = False,
) -> Reply:
    """ "⏰ Pengingat tenggat — 3 hari lagi" with the four answers."""
    _ = tr.html
    deadline, due_at = assignment.deadline, assignment.due_at
    relative = tr.relative_days(due_at, now)
    if overdue:
        head = _("📌 Deadline passed — {relative}").format(relative=relative)
    else:
        head = _("⏰ Deadline reminder — {relative}").format(relative=relative)
    text = lines(
        bold(head),
        italic(deadline.title),
        _("{agency} · due: {when}").format(
            agency=assignment.agency.name, when=tr.format_datetime(due_at)
        ),
        deadline.description or None,
        _("(This reminder comes late because of a disruption on our side.)") if late else None,
        _("Please let us know how it stands:"),
    )
    return Reply(text, answer_buttons(tr, assignment))


def deadline_detail(
    tr: Translator, assignment: Assignment, now: datetime, status: AckStatus | None
) -> Reply:
    """One deadline opened from the agency's list: the deadline itself, not a reminder."""
    _ = tr.html
    deadline, due_at = assignment.deadline, assignment.due_at
    text = lines(
        bold(deadline.title),
        _("{agency} · due: {when}").format(
            agency=assignment.agency.name, when=when(tr, due_at, now)
        ),
        deadline.description or None,
        _("Your agency's answer: {state}").format(state=status_label(tr, status)),
        _("Please let us know how it stands:") if status != AckStatus.DONE else None,
    )
    return Reply(text, answer_buttons(tr, assignment))


def answered(tr: Translator, deadline: DeadlineInfo, status: AckStatus) -> Reply:
    _ = tr.html
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
    return Reply(text.format(title=deadline.title), (back_to_menu(tr),))


def ask_help(tr: Translator, deadline: DeadlineInfo) -> Reply:
    return Reply(
        tr.html(
            "Please write in a few words what help you need for <i>{title}</i>. "
            "We will pass it on to the coordinator."
        ).format(title=deadline.title),
        cancel_row(tr),
    )


def help_sent(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Thank you, your message has been passed on to the coordinator. "
            "They will contact you soon."
        ),
        (back_to_menu(tr),),
    )


def ask_extension_date(tr: Translator, assignment: Assignment) -> Reply:
    return Reply(
        tr.html(
            "<i>{title}</i> is due {when}.\n"
            "Until when do you need? Please type the date, for example "
            "<code>18-12-2026 16.00</code> or <code>18/12/2026</code>."
        ).format(title=assignment.deadline.title, when=tr.format_datetime(assignment.due_at)),
        cancel_row(tr),
    )


def ask_extension_reason(tr: Translator, new_due: datetime) -> Reply:
    return Reply(
        tr.html("New date: {when}.\nPlease write the reason in a few words.").format(
            when=tr.format_datetime(new_due)
        ),
        cancel_row(tr),
    )


def extension_sent(tr: Translator, new_due: datetime) -> Reply:
    return Reply(
        tr.html(
            "Your request for more time until {when} has been sent to the coordinator. "
            "We will tell you the decision."
        ).format(when=tr.format_datetime(new_due)),
        (back_to_menu(tr),),
    )


def focal_list(tr: Translator, found: FocalList, now: datetime) -> Reply:
    """The agency's open deadlines, each with its own due date and answer, and a button."""
    _ = tr.html
    agency = found.agency
    if agency is None:
        return Reply(
            _("Sorry, you are not yet linked to an agency. Please contact the coordinator."),
            (back_to_menu(tr),),
        )
    if not found.items:
        return Reply(
            _("<b>Deadlines of {agency}</b>\nThere are no open deadlines right now.").format(
                agency=agency.name
            ),
            (back_to_menu(tr),),
        )
    entries: list[Html] = [_("<b>Deadlines of {agency}</b>").format(agency=agency.name)]
    buttons: list[Button] = []
    for number, item in enumerate(found.items[:LIST_LIMIT], start=1):
        status = item.agencies[0] if item.agencies else None
        due_at = status.due_at if status else item.deadline.due_at
        entries.append(
            LIST_ENTRY.format(
                n=number,
                title=item.deadline.title,
                who="",
                due=tr.format_short_date(due_at),
                relative=tr.relative_days(due_at, now),
                state=status_label(tr, status.status if status else None),
            )
        )
        opened = OpenDeadlineButton(item.deadline.id, agency.id).pack()
        buttons.append(Button(f"{number}. {short(item.deadline.title)}", opened))
    return Reply(lines(*entries), (*rows(*buttons, width=1), back_to_menu(tr)))


# --- sent later ------------------------------------------------------------------------------


def announced(
    tr: Translator, assignment: Assignment, now: datetime, next_at: datetime | None
) -> Reply:
    """A new deadline, to its focal points at once, with when the next reminder comes."""
    _ = tr.html
    deadline = assignment.deadline
    text = lines(
        bold(_("📌 New deadline for {agency}").format(agency=assignment.agency.name)),
        italic(deadline.title),
        _("Due: {when}").format(when=when(tr, assignment.due_at, now)),
        deadline.description or None,
        _("We will remind you again on {when}.").format(when=tr.format_datetime(next_at))
        if next_at is not None
        else None,
        _("Please let us know how it stands:"),
    )
    return Reply(text, answer_buttons(tr, assignment))


def changed(tr: Translator, assignment: Assignment, change: Change, now: datetime) -> Reply:
    """A deadline moved, renamed or cancelled by a coordinator."""
    _ = tr.html
    title = assignment.deadline.title
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
        text.format(title=title, when=when(tr, assignment.due_at, now)),
        answer_buttons(tr, assignment),
    )


def extension_decided(tr: Translator, request: ExtensionView) -> Reply:
    """The coordinator's decision on a request for more time, with the date that holds now."""
    _ = tr.html
    if request.status == ExtensionStatus.APPROVED:
        text = _("✅ More time approved for <i>{title}</i>. New due date for {agency}: {when}.")
    else:
        text = _(
            "Sorry, the request for more time for <i>{title}</i> was not approved. "
            "It stays due {when}. Please contact the coordinator if needed."
        )
    assignment = request.assignment
    return Reply(
        text.format(
            title=assignment.deadline.title,
            agency=assignment.agency.name,
            when=tr.format_datetime(assignment.due_at),
        ),
        answer_buttons(tr, assignment),
    )
