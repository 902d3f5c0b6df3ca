"""Joining through an invitation: welcome, consent, profile, nudge time, first menu."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import ROLE_NAMES, Someone, addressed, back_to_menu, main_menu
from bot.render.text import Html, lines
from bot.services.invitations import (
    AlreadyOwner,
    InvitationError,
    InvitationExpired,
    InvitationUsed,
    Invitee,
)
from db.models import Role

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


class ConsentAction(StrEnum):
    AGREE = "yes"
    LATER = "later"


@dataclass(frozen=True)
class ConsentButton(CallbackData, prefix="pc"):
    """Setuju / Nanti saja under the consent notice."""

    action: ConsentAction


class OnboardAction(StrEnum):
    CORRECT = "ok"  # the profile is right
    FIX = "fix"  # something in it is not
    FIELD = "fld"  # which field to correct
    SECTOR = "sec"  # the corrected sector
    HOUR = "hr"  # the nudge hour


class ProfileField(StrEnum):
    NAME = "name"
    OWNER = "owner"
    SECTOR = "sector"


@dataclass(frozen=True)
class OnboardButton(CallbackData, prefix="ob"):
    """A business's profile check and nudge time; the field of its action is set."""

    action: OnboardAction
    field: ProfileField | None = None
    sector: str | None = None
    hour: int | None = None


def _explained(tr: Translator, role: Role, agency: str | None) -> Html:
    return tr.html(ROLE_EXPLAINED[role]).format(agency=agency or "")


def welcome(tr: Translator, invitee: Invitee, fallback_name: str) -> Reply:
    """The greeting for an invited person, then the consent notice with its two buttons."""
    _ = tr.html
    name = addressed(tr, invitee.name or fallback_name, invitee.salutation)
    if invitee.role is Role.UMKM and invitee.business:
        head = _("Welcome, {name}, from <b>{business}</b>! 🙏").format(
            name=name, business=invitee.business
        )
    else:
        head = _("Welcome, {name}! 🙏").format(name=name)
    text = lines(
        head,
        _explained(tr, invitee.role, invitee.agency),
        _("Before we start, please read how we look after your data."),
    )
    return Reply(text, extra=(consent_notice(tr),))


def consent_notice(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        tr.html(
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
                Button(_("I agree"), ConsentButton(ConsentAction.AGREE).pack()),
                Button(_("Not now"), ConsentButton(ConsentAction.LATER).pack()),
            ),
        ),
    )


def consent_given(tr: Translator) -> Reply:
    return Reply(tr.html("✅ Thank you, your consent has been recorded."))


def declined(tr: Translator, expires: str) -> Reply:
    return Reply(
        tr.html(
            "Understood, we have stored nothing about you. Whenever you are ready, just open "
            "the same invitation link again; it works until {expires}."
        ).format(expires=expires)
    )


def profile(
    tr: Translator, *, business: str, owner: str, sector: str, first: bool = True
) -> Reply:
    _ = tr.html
    text = lines(
        (
            _("Thank you! Please check your business profile:")
            if first
            else _("Here is your business profile now:")
        ),
        "",
        _("Business: <b>{value}</b>").format(value=business),
        _("Owner: <b>{value}</b>").format(value=owner),
        _("Sector: <b>{value}</b>").format(value=sector),
        "",
        _("Is this correct?"),
    )
    return Reply(
        text,
        (
            (
                Button(tr.gettext("Correct"), OnboardButton(OnboardAction.CORRECT).pack()),
                Button(tr.gettext("Fix"), OnboardButton(OnboardAction.FIX).pack()),
            ),
        ),
    )


FIELD_LABELS: dict[ProfileField, str] = {
    ProfileField.NAME: N_("Business name"),
    ProfileField.OWNER: N_("Owner name"),
    ProfileField.SECTOR: N_("Sector"),
}


def choose_field(tr: Translator) -> Reply:
    buttons = (
        Button(tr.gettext(label), OnboardButton(OnboardAction.FIELD, field=field).pack())
        for field, label in FIELD_LABELS.items()
    )
    return Reply(tr.html("What should be corrected?"), rows(*buttons, width=3))


def ask_name(tr: Translator, field: ProfileField) -> Reply:
    """The business's or the owner's name, typed again."""
    if field is ProfileField.NAME:
        return Reply(tr.html("Please type the correct <b>business name</b>."))
    return Reply(tr.html("Please type the correct <b>owner name</b>."))


def ask_sector(tr: Translator, sectors: Sequence[tuple[str, str]]) -> Reply:
    buttons = [
        Button(name, OnboardButton(OnboardAction.SECTOR, sector=key).pack())
        for key, name in sectors
    ]
    return Reply(tr.html("Which sector is your business in?"), rows(*buttons))


def bad_name(tr: Translator, limit: int) -> Reply:
    return Reply(
        tr.html("Sorry, the name must be 1 to {limit} characters. Please type it again.").format(
            limit=limit
        )
    )


def ask_hour(tr: Translator) -> Reply:
    buttons = [
        Button(tr.gettext(label), OnboardButton(OnboardAction.HOUR, hour=hour).pack())
        for hour, label in HOUR_LABELS.items()
    ]
    return Reply(
        tr.html(
            "Saved ✅ When would you like to get our short reminders and tips? (times in WITA)"
        ),
        rows(*buttons),
    )


def joined(
    tr: Translator,
    person: Someone,
    role: Role,
    *,
    agency: str | None = None,
    welcomed: bool = False,
) -> Reply:
    """The first main menu, after a one-line word about the role (not again when the welcome
    just above said it)."""
    if role is Role.UMKM:
        line = tr.html("All set. Let us start with the guidance or the readiness check.")
    elif welcomed:
        line = tr.html("All set. Everything you need is in the menu below.")
    else:
        line = _explained(tr, role, agency)
    return main_menu(tr, person, notice=Html("✅ {}").format(line))


def hour_saved(tr: Translator, hour: int) -> str:
    return tr.gettext("We will write to you around {hour}.").format(hour=f"{hour:02d}.00")


def use_buttons(tr: Translator) -> Reply:
    return Reply(tr.html("Please choose with the buttons above."))


def link_problem(tr: Translator, problem: InvitationError) -> Reply:
    """A link that cannot be used: already used, for a second business, expired, or unknown."""
    _ = tr.html
    if isinstance(problem, InvitationUsed):
        text = _(
            "Sorry, this invitation link has already been used. If you have already joined, "
            "type /menu. Otherwise please ask the coordinator for a new link."
        )
    elif isinstance(problem, AlreadyOwner):
        text = _(
            "Sorry, this invitation is for a business, and you are already registered "
            "with another business. Please contact the coordinator."
        )
    elif isinstance(problem, InvitationExpired):
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
    _ = tr.html
    if business:
        text = _("✅ {name} of <b>{business}</b> has joined through your invitation.").format(
            name=name, business=business
        )
    elif agency:
        text = _("✅ {name} has joined as a focal point of <b>{agency}</b>.").format(
            name=name, agency=agency
        )
    else:
        text = _("✅ {name} has joined as {role}.").format(
            name=name, role=tr.gettext(ROLE_NAMES[role])
        )
    return Reply(text, (back_to_menu(tr),))
