"""Joining through an invitation: welcome, consent, profile, nudge time, first menu."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.callbacks import CONSENT, ONBOARD
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import ROLE_NAMES, back_to_menu, main_menu
from db.models import Person, Role

# Nudge hours (WITA) with their button labels.
HOUR_LABELS: dict[int, str] = {
    8: N_("Morning 08.00"),
    12: N_("Noon 12.00"),
    16: N_("Afternoon 16.00"),
    19: N_("Evening 19.00"),
}

ROLE_EXPLAINED: dict[Role, str] = {
    Role.UMKM: N_("We will guide your business step by step towards SNI."),
    Role.FOCAL: N_(
        "As focal point of {agency} you will get reminders before each programme deadline, "
        "and answer them with one tap."
    ),
    Role.MENTOR: N_(
        "As a mentor you will receive the businesses' questions and can answer them here."
    ),
    Role.COORDINATOR: N_(
        "As a coordinator you can invite participants, set deadlines, send broadcasts "
        "and read the programme's progress."
    ),
}


def welcome(
    tr: Translator,
    *,
    role: Role,
    invitee: str,
    business: str | None = None,
    agency: str | None = None,
) -> Reply:
    """The greeting for an invited person, then the consent notice with its two buttons."""
    _ = tr.gettext
    name = html.escape(invitee)
    if role is Role.UMKM and business:
        head = _("Welcome, {name}, from <b>{business}</b>! 🙏").format(
            name=name, business=html.escape(business)
        )
    else:
        head = _("Welcome, {name}! 🙏").format(name=name)
    explained = _(ROLE_EXPLAINED[role]).format(agency=html.escape(agency or ""))
    text = "{head}\n{explained}\n{ask}".format(
        head=head,
        explained=explained,
        ask=_("Before we start, please read how we look after your data."),
    )
    return Reply(text, extra=(consent_notice(tr),))


def consent_notice(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "<b>Your data</b> (UU No. 27 Tahun 2022 on personal data protection)\n"
            "• What we keep: your name and Telegram account, your business or agency data, "
            "and the answers, notes and photos you send.\n"
            "• Why: to mentor you and to report the programme's progress.\n"
            "• Who sees it: only the programme's coordinators and mentors "
            "(Pemkot Kupang and BSN).\n"
            "• You may withdraw your consent at any time through /privasi or the "
            "coordinator; your data is then deleted.\n\n"
            "Do you agree?"
        ),
        (
            (
                Button(_("I agree"), CONSENT.pack("yes")),
                Button(_("Not now"), CONSENT.pack("later")),
            ),
        ),
    )


def consent_given(tr: Translator) -> Reply:
    return Reply(tr.gettext("✅ Thank you, your consent has been recorded."))


def declined(tr: Translator, expires: str) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Understood, we have stored nothing about you. Whenever you are ready, just open "
            "the same invitation link again; it works until {expires}."
        ).format(expires=expires)
    )


def profile(
    tr: Translator, *, business: str, owner: str, sector: str, first: bool = True
) -> Reply:
    _ = tr.gettext
    intro = (
        _("Thank you! Please check your business profile:")
        if first
        else _("Here is your business profile now:")
    )
    text = "{intro}\n\n{lines}\n\n{ask}".format(
        intro=intro,
        lines="\n".join(
            (
                _("Business: <b>{value}</b>").format(value=html.escape(business)),
                _("Owner: <b>{value}</b>").format(value=html.escape(owner)),
                _("Sector: <b>{value}</b>").format(value=html.escape(sector)),
            )
        ),
        ask=_("Is this correct?"),
    )
    return Reply(
        text,
        (
            (
                Button(_("Correct"), ONBOARD.pack("ok", "-")),
                Button(_("Fix"), ONBOARD.pack("fix", "-")),
            ),
        ),
    )


def choose_field(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("What should be corrected?"),
        rows(
            Button(_("Business name"), ONBOARD.pack("fld", "name")),
            Button(_("Owner name"), ONBOARD.pack("fld", "owner")),
            Button(_("Sector"), ONBOARD.pack("fld", "sector")),
            width=3,
        ),
    )


def ask_field(tr: Translator, field: str) -> Reply:
    _ = tr.gettext
    if field == "name":
        return Reply(_("Please type the correct <b>business name</b>."))
    return Reply(_("Please type the correct <b>owner name</b>."))


def ask_sector(tr: Translator, sectors: Sequence[tuple[str, str]]) -> Reply:
    buttons = [Button(name, ONBOARD.pack("sec", key)) for key, name in sectors]
    return Reply(tr.gettext("Which sector is your business in?"), rows(*buttons))


def bad_name(tr: Translator, limit: int) -> Reply:
    return Reply(
        tr.gettext(
            "Sorry, the name must be 1 to {limit} characters. Please type it again."
        ).format(limit=limit)
    )


def ask_hour(tr: Translator) -> Reply:
    _ = tr.gettext
    buttons = [Button(_(label), ONBOARD.pack("hr", hour)) for hour, label in HOUR_LABELS.items()]
    return Reply(
        _("Saved ✅ When would you like to get our short reminders and tips? (times in WITA)"),
        rows(*buttons),
    )


def joined(tr: Translator, person: Person, role: Role, *, agency: str | None = None) -> Reply:
    """The first main menu, after a one-line word about the role."""
    _ = tr.gettext
    menu = main_menu(tr, person)
    if role is Role.UMKM:
        line = _("All set. Let us start with the guidance or the readiness check.")
    else:
        line = _(ROLE_EXPLAINED[role]).format(agency=html.escape(agency or ""))
    return Reply(f"✅ {line}\n\n{menu.text}", menu.buttons)


def hour_saved(tr: Translator, hour: int) -> str:
    return tr.gettext("We will write to you around {hour}.").format(hour=f"{hour:02d}.00")


def use_buttons(tr: Translator) -> Reply:
    return Reply(tr.gettext("Please choose with the buttons above."))


def link_problem(tr: Translator, kind: str) -> Reply:
    """A link that cannot be used: already used, expired, or unknown."""
    _ = tr.gettext
    if kind == "used":
        text = _(
            "Sorry, this invitation link has already been used. If you have already joined, "
            "type /menu. Otherwise please ask the coordinator for a new link."
        )
    elif kind == "owner":
        text = _(
            "Sorry, this invitation is for a business, and you are already registered "
            "with another business. Please contact the coordinator."
        )
    elif kind == "expired":
        text = _(
            "Sorry, this invitation link has expired. Please ask the programme coordinator "
            "for a new link."
        )
    else:
        text = _(
            "Sorry, we do not recognise this invitation link. Please check that the whole "
            "link was opened, or ask the coordinator for a new one."
        )
    return Reply(text)


def invitee_joined(
    tr: Translator, *, name: str, role: Role, business: str | None, agency: str | None
) -> Reply:
    """To the coordinator who invited them."""
    _ = tr.gettext
    if business:
        text = _("✅ {name} of <b>{business}</b> has joined through your invitation.").format(
            name=html.escape(name), business=html.escape(business)
        )
    elif agency:
        text = _("✅ {name} has joined as a focal point of <b>{agency}</b>.").format(
            name=html.escape(name), agency=html.escape(agency)
        )
    else:
        text = _("✅ {name} has joined as {role}.").format(
            name=html.escape(name), role=_(ROLE_NAMES[role])
        )
    return Reply(text, (back_to_menu(tr),))
