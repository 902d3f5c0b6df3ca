"""Personal data screens (UU No. 27 Tahun 2022): the notice and deleting one's own data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.render import Button, Reply
from bot.render.common import back_to_menu
from bot.render.text import Html, lines


class DeleteAction(StrEnum):
    ASK = "ask"  # explain what goes, ask to confirm
    CONFIRM = "yes"
    KEEP = "no"


@dataclass(frozen=True)
class DeleteButton(CallbackData, prefix="del"):
    """Deleting one's own data: the button under /privasi and the confirmation."""

    action: DeleteAction


def _button(label: str, action: DeleteAction) -> Button:
    return Button(label, DeleteButton(action).pack())


def notice(tr: Translator, *, known: bool, has_roles: bool, contact: str) -> Reply:
    """What we keep, why, who sees it, and how to have it deleted: the same for every role."""
    _ = tr.html
    ask = (
        _("For questions about your data, contact: {contact}").format(contact=contact)
        if contact
        else _("For questions about your data, write to the programme coordinator.")
    )
    text = lines(
        _("<b>How we look after your data</b>"),
        _(
            "We keep: your name and Telegram account, your role (business, agency or "
            "coordinator), your answers, notes and photos, your questions, and when you "
            "used the bot."
        ),
        "",
        _(
            "Why: to mentor your business towards SNI, to remind agencies of deadlines and "
            "to report the programme's progress (UU No. 27 Tahun 2022 on personal data)."
        ),
        "",
        _(
            "Who sees it: the programme coordinators and mentors of Pemerintah Kota Kupang "
            "and BSN. We never share it with anyone else."
        ),
        "",
        _(
            "Your rights: you may see, correct or delete your data, and withdraw your consent "
            "at any time. To delete it yourself, use /hapusdata or the button below."
        ),
        ask,
    )
    rows: list[tuple[Button, ...]] = []
    if known:
        rows.append((_button(tr.gettext("Delete my data"), DeleteAction.ASK),))
    if has_roles:
        rows.append(back_to_menu(tr))
    return Reply(text, tuple(rows))


def confirm_delete(tr: Translator, *, owns_business: bool, coordinator: bool) -> Reply:
    """What a deletion removes, before the person confirms it."""
    _ = tr.html
    business: Html | None = (
        _(
            "Your business keeps its checklist results for the programme's figures, without "
            "your name and phone number."
        )
        if owns_business
        else None
    )
    warning: Html | None = (
        _("You will no longer be a coordinator of the programme.") if coordinator else None
    )
    text = lines(
        _("<b>Delete your data?</b>"),
        _(
            "We will delete your name, your Telegram account, your roles, your questions, your "
            "notes and the photos and documents you sent. This cannot be undone."
        ),
        business,
        warning,
        _("The coordinators are told that a participant withdrew, without your data."),
    )
    buttons = (
        (_button(tr.gettext("Yes, delete my data"), DeleteAction.CONFIRM),),
        (_button(tr.gettext("No, keep it"), DeleteAction.KEEP),),
    )
    return Reply(text, buttons)


def deleted(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Your data has been deleted. Thank you for taking part. If you want to join again "
            "later, ask the coordinator for a new invitation."
        )
    )


def kept(tr: Translator) -> Reply:
    return Reply(tr.html("Nothing was deleted. Your data stays as it was."), (back_to_menu(tr),))


def last_coordinator(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "You are the only coordinator of the programme, so your data cannot be deleted "
            "here: someone must keep running the programme. Please make another person a "
            "coordinator first (BOT_COORDINATORS), or ask the operator."
        ),
        (back_to_menu(tr),),
    )


def nothing_to_delete(tr: Translator) -> Reply:
    return Reply(tr.html("We keep no data about you."))


def forgotten_notice(tr: Translator, roles: str) -> Reply:
    """To each coordinator: someone withdrew (their roles only, no personal data)."""
    return Reply(
        tr.html(
            "🔒 A participant ({roles}) withdrew their consent and their personal data has "
            "been deleted."
        ).format(roles=roles or "-")
    )
