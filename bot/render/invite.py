"""The coordinator's invitation dialogue: role, details, confirmation, and the link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import (
    ROLE_NAMES,
    MenuButton,
    MenuKey,
    addressed,
    back_to_menu,
    salutation_label,
)
from bot.render.text import Html, lines
from db.models import Role, Salutation

ROLE_LABELS: dict[Role, str] = {
    Role.UMKM: N_("Business owner"),
    Role.FOCAL: N_("Focal point"),
    Role.MENTOR: N_("Mentor"),
    Role.COORDINATOR: N_("Coordinator"),
}
INVITE_ORDER = (Role.UMKM, Role.FOCAL, Role.MENTOR, Role.COORDINATOR)


class InviteAction(StrEnum):
    ROLE = "role"
    SECTOR = "sec"
    AGENCY = "ag"
    SALUTATION = "sal"  # `salutation`; None: the name alone
    SKIP = "skip"  # no phone number
    OK = "ok"  # make the link
    NEW = "new"  # invite another


@dataclass(frozen=True)
class InviteButton(CallbackData, prefix="iv"):
    """A choice in the invitation dialogue; the field of its action is set."""

    action: InviteAction
    role: Role | None = None
    sector: str | None = None
    agency: int | None = None
    salutation: Salutation | None = None


@dataclass(frozen=True)
class Draft:
    """What the coordinator has given so far, shown before the link is made."""

    role: Role
    business: str | None = None
    owner: str | None = None
    sector: str | None = None  # the sector's name
    phone: str | None = None
    agency: str | None = None
    name: str | None = None
    salutation: Salutation | None = None


def _cancel(tr: Translator) -> Button:
    return Button(tr.gettext("Cancel"), MenuButton(MenuKey.HOME).pack())


def _skip(tr: Translator) -> tuple[Button, ...]:
    return (Button(tr.gettext("Skip"), InviteButton(InviteAction.SKIP).pack()), _cancel(tr))


def choose_role(tr: Translator) -> Reply:
    buttons = [
        Button(tr.gettext(ROLE_LABELS[r]), InviteButton(InviteAction.ROLE, role=r).pack())
        for r in INVITE_ORDER
    ]
    return Reply(
        tr.html("<b>Invite a participant</b>\nWho would you like to invite?"),
        (*rows(*buttons), (_cancel(tr),)),
    )


def ask_business(tr: Translator) -> Reply:
    return Reply(
        tr.html("Please type the <b>name of the business</b> (for example: Tenun Ina)."),
        ((_cancel(tr),),),
    )


def ask_owner(tr: Translator, business: str) -> Reply:
    text = tr.html(
        "Business: <b>{business}</b>\n"
        "Please type the <b>owner's name</b>, without Bapak or Ibu "
        "(for example: Maria Ndun)."
    ).format(business=business)
    return Reply(text, ((_cancel(tr),),))


def ask_sector(tr: Translator, sectors: Sequence[tuple[str, str]]) -> Reply:
    buttons = [
        Button(name, InviteButton(InviteAction.SECTOR, sector=key).pack()) for key, name in sectors
    ]
    return Reply(
        tr.html("Which <b>sector</b> is the business in?"), (*rows(*buttons), (_cancel(tr),))
    )


def ask_phone(tr: Translator) -> Reply:
    return Reply(
        tr.html("Please type the owner's <b>phone number</b>, or tap Skip."), (_skip(tr),)
    )


def ask_agency(tr: Translator, agencies: Sequence[tuple[int, str]]) -> Reply:
    buttons = [
        Button(name, InviteButton(InviteAction.AGENCY, agency=agency_id).pack())
        for agency_id, name in agencies
    ]
    return Reply(
        tr.html("Which <b>agency</b> is the focal point from?"),
        (*rows(*buttons, width=1), (_cancel(tr),)),
    )


def ask_name(tr: Translator, role: Role) -> Reply:
    text = tr.html(
        "Please type the <b>name</b> of the {role}, without Bapak or Ibu "
        "(for example: Yohanes Bria)."
    ).format(role=tr.gettext(ROLE_NAMES[role]))
    return Reply(text, ((_cancel(tr),),))


def ask_salutation(tr: Translator, name: str) -> Reply:
    """Bapak, Ibu, or the name alone: how the bot will greet them."""
    text = tr.html(
        "How should the bot address <b>{name}</b>? (They can change it later with /sapaan.)"
    ).format(name=name)
    choices = tuple(
        Button(salutation_label(tr, s), InviteButton(InviteAction.SALUTATION, salutation=s).pack())
        for s in (Salutation.BAPAK, Salutation.IBU, None)
    )
    return Reply(text, (choices, (_cancel(tr),)))


def confirm(tr: Translator, draft: Draft) -> Reply:
    """The summary before the link is made."""
    _ = tr.html
    role = draft.role
    details: tuple[Html | None, ...]
    if role is Role.UMKM:
        details = (
            _("Business: {value}").format(value=draft.business or ""),
            _("Owner: {value}").format(value=addressed(tr, draft.owner or "", draft.salutation)),
            _("Sector: {value}").format(value=draft.sector or ""),
            _("Phone: {value}").format(value=draft.phone or tr.gettext("not given")),
        )
    else:
        agency = _("Agency: {value}").format(value=draft.agency or "")
        details = (
            agency if role is Role.FOCAL else None,
            _("Name: {value}").format(value=addressed(tr, draft.name or "", draft.salutation)),
        )
    text = lines(
        _("<b>Please check the invitation</b>"),
        _("Role: {role}").format(role=tr.gettext(ROLE_LABELS[role])),
        *details,
    )
    make = Button(tr.gettext("Make the link"), InviteButton(InviteAction.OK).pack())
    return Reply(text, ((make, _cancel(tr)),))


def made(tr: Translator, role: Role, invitee: str, link: str, expires_at: datetime) -> Reply:
    """The link to forward, in <code> so it copies with one tap."""
    text = tr.html(
        "✅ The invitation for <b>{name}</b> ({role}) is ready.\n\n"
        "Please forward this link to them (tap it to copy):\n<code>{link}</code>\n\n"
        "The link works once and is valid until {expires}."
    ).format(
        name=invitee,
        role=tr.gettext(ROLE_NAMES[role]),
        link=link,
        expires=tr.format_datetime(expires_at),
    )
    another = Button(tr.gettext("Invite another"), InviteButton(InviteAction.NEW).pack())
    return Reply(text, ((another, *back_to_menu(tr)),))


def bad_name(tr: Translator, limit: int) -> Reply:
    text = tr.html(
        "Sorry, the name must be 1 to {limit} characters. Please type it again."
    ).format(limit=limit)
    return Reply(text, ((_cancel(tr),),))


def bad_phone(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Sorry, that does not look like a phone number. Please type digits only "
            "(for example: 081234567890), or tap Skip."
        ),
        (_skip(tr),),
    )


def use_buttons(tr: Translator, prompt: Reply) -> Reply:
    """A text where a tap was expected: a word, then the question again."""
    return Reply(
        tr.html("Please choose with the buttons above, or type /batal to stop inviting."),
        extra=(prompt,),
    )


def no_agencies(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, there are no agencies yet. Please contact the technical team."),
        (back_to_menu(tr),),
    )


def business_joined(tr: Translator, business: str) -> Reply:
    text = tr.html(
        "The owner of <b>{business}</b> has already joined. Please type the name of "
        "another business."
    ).format(business=business)
    return Reply(text, ((_cancel(tr),),))


@dataclass(frozen=True)
class SalutationButton(CallbackData, prefix="sl"):
    """The person's own choice of how the bot addresses them; None: the name alone."""

    salutation: Salutation | None = None


def salutation_choice(tr: Translator, name: str, current: Salutation | None) -> Reply:
    """/sapaan: how the bot greets the person now, and the three choices."""
    text = tr.html(
        "The bot now greets you as: <b>{greeting}</b>.\nPlease choose how we should address you:"
    ).format(greeting=addressed(tr, name, current))
    choices = tuple(
        Button(
            salutation_label(tr, s) + (" ✓" if s is current else ""),
            SalutationButton(s).pack(),
        )
        for s in (Salutation.BAPAK, Salutation.IBU, None)
    )
    return Reply(text, (choices, back_to_menu(tr)))


def salutation_saved(tr: Translator, name: str, salutation: Salutation | None) -> Reply:
    text = tr.html("✅ Thank you. From now on we greet you as: <b>{greeting}</b>.").format(
        greeting=addressed(tr, name, salutation)
    )
    return Reply(text, (back_to_menu(tr),))
