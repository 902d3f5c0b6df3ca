"""Unused invitations in /orang: the list, one invitation, cancelling and re-issuing."""

from __future__ import annotations

from bot.i18n import Translator
from bot.render import Button, Reply
from bot.render.common import back_to_menu
from bot.render.people.labels import (
    AskButton,
    ChangeAction,
    PeopleAction,
    PeopleButton,
    nav,
    page_line,
    pager,
    role_name,
    yes_no,
)
from bot.render.text import Html, code, lines
from bot.services.invitations import Unused
from bot.services.roles import Page


def _invitation_label(tr: Translator, found: Unused) -> str:
    who = found.business or found.invitee_name or "-"
    state = tr.gettext("expired") if found.expired else tr.gettext("open")
    return f"{who} · {role_name(tr, found.role)} · {state}"


def invitations(tr: Translator, page: Page[Unused]) -> Reply:
    _ = tr.html
    body = (
        _("Links that nobody has used yet. Tap one to make a new link or cancel it.")
        if page.items
        else _("Every invitation has been used or cancelled.")
    )
    found = tuple(
        (nav(_invitation_label(tr, i), PeopleAction.INVITATION, target=i.id, page=page.number),)
        for i in page.items
    )
    return Reply(
        lines(_("<b>Unused invitations</b>"), body, page_line(tr, page)),
        (
            *found,
            pager(tr, page, PeopleAction.INVITES),
            (nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def _invitation_text(tr: Translator, found: Unused) -> Html:
    _ = tr.html
    expiry = (_("Expired on {date}.") if found.expired else _("Valid until {date}.")).format(
        date=tr.format_datetime(found.expires_at)
    )
    return lines(
        _("<b>Invitation</b> for {name}").format(name=found.invitee_name or "-"),
        _("Role: {role}").format(role=role_name(tr, found.role)),
        _("Business: {business}").format(business=found.business) if found.business else None,
        _("Agency: {agency}").format(agency=found.agency) if found.agency else None,
        _("Made on {date}.").format(date=tr.format_date(found.created_at)),
        expiry,
    )


def invitation(tr: Translator, found: Unused, *, page: int = 0) -> Reply:
    return Reply(
        _invitation_text(tr, found),
        (
            (
                Button(
                    tr.gettext("Make a new link"),
                    AskButton(ChangeAction.REISSUE, found.id).pack(),
                ),
                Button(
                    tr.gettext("Cancel the link"), AskButton(ChangeAction.CANCEL, found.id).pack()
                ),
            ),
            (nav(tr.gettext("Back"), PeopleAction.INVITES, page=page),),
        ),
    )


def confirm_invitation(tr: Translator, ask: AskButton, found: Unused) -> Reply:
    _ = tr.html
    question = (
        _("Cancel this link? Nobody will be able to join with it.")
        if ask.action is ChangeAction.CANCEL
        else _("Make a new link? The old link stops working.")
    )
    return Reply(
        lines(_invitation_text(tr, found), "", question),
        yes_no(tr, ask, PeopleButton(PeopleAction.INVITATION, found.id)),
    )


def invitation_cancelled(tr: Translator, found: Unused) -> Reply:
    return Reply(
        tr.html("✅ The invitation for {name} is cancelled: the link no longer works.").format(
            name=found.invitee_name or found.business or "-"
        ),
        ((nav(tr.gettext("Unused invitations"), PeopleAction.INVITES),), back_to_menu(tr)),
    )


def invitation_reissued(tr: Translator, found: Unused, link: str, expires: str) -> Reply:
    text = lines(
        tr.html(
            "✅ A new invitation link for <b>{name}</b> is ready; the old one no longer works."
        ).format(name=found.invitee_name or found.business or "-"),
        "",
        tr.html("Please forward this link to them (tap it to copy):"),
        code(link),
        "",
        tr.html("The link works once and is valid until {expires}.").format(expires=expires),
    )
    return Reply(
        text, ((nav(tr.gettext("Unused invitations"), PeopleAction.INVITES),), back_to_menu(tr))
    )
