"""The coordinator's invitation dialogue: role, details, confirmation, and the link."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.callbacks import INVITE, MENU
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import ROLE_NAMES, back_to_menu
from db.models import Role

ROLE_LABELS: dict[Role, str] = {
    Role.UMKM: N_("Business owner"),
    Role.FOCAL: N_("Focal point"),
    Role.MENTOR: N_("Mentor"),
    Role.COORDINATOR: N_("Coordinator"),
}
INVITE_ORDER = (Role.UMKM, Role.FOCAL, Role.MENTOR, Role.COORDINATOR)


def _cancel(tr: Translator) -> Button:
    return Button(tr.gettext("Cancel"), MENU.pack("home"))


def choose_role(tr: Translator) -> Reply:
    _ = tr.gettext
    buttons = [Button(_(ROLE_LABELS[r]), INVITE.pack("role", r.value)) for r in INVITE_ORDER]
    return Reply(
        _("<b>Invite a participant</b>\nWho would you like to invite?"),
        (*rows(*buttons), (_cancel(tr),)),
    )


def ask_business(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Please type the <b>name of the business</b> (for example: Tenun Ina)."),
        ((_cancel(tr),),),
    )


def ask_owner(tr: Translator, business: str) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Business: <b>{business}</b>\n"
            "Please type the <b>owner's name</b>, without Bapak or Ibu "
            "(for example: Maria Ndun)."
        ).format(business=html.escape(business)),
        ((_cancel(tr),),),
    )


def ask_sector(tr: Translator, sectors: Sequence[tuple[str, str]]) -> Reply:
    _ = tr.gettext
    buttons = [Button(name, INVITE.pack("sec", key)) for key, name in sectors]
    return Reply(_("Which <b>sector</b> is the business in?"), (*rows(*buttons), (_cancel(tr),)))


def ask_phone(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Please type the owner's <b>phone number</b>, or tap Skip."),
        ((Button(_("Skip"), INVITE.pack("skip", "-")), _cancel(tr)),),
    )


def ask_agency(tr: Translator, agencies: Sequence[tuple[int, str]]) -> Reply:
    _ = tr.gettext
    buttons = [Button(name, INVITE.pack("ag", agency_id)) for agency_id, name in agencies]
    return Reply(
        _("Which <b>agency</b> is the focal point from?"),
        (*rows(*buttons, width=1), (_cancel(tr),)),
    )


def ask_name(tr: Translator, role: Role) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Please type the <b>name</b> of the {role}, without Bapak or Ibu "
            "(for example: Yohanes Bria)."
        ).format(role=_(ROLE_NAMES[role])),
        ((_cancel(tr),),),
    )


def confirm(tr: Translator, role: Role, data: Mapping[str, str]) -> Reply:
    """The summary before the link is made; data holds what the coordinator gave."""
    _ = tr.gettext
    lines = [_("<b>Please check the invitation</b>")]
    lines.append(_("Role: {role}").format(role=_(ROLE_LABELS[role])))
    if role is Role.UMKM:
        lines.append(_("Business: {value}").format(value=html.escape(data.get("business", ""))))
        lines.append(_("Owner: {value}").format(value=html.escape(data.get("owner", ""))))
        lines.append(_("Sector: {value}").format(value=html.escape(data.get("sector_name", ""))))
        lines.append(
            _("Phone: {value}").format(value=html.escape(data.get("phone") or _("not given")))
        )
    else:
        if role is Role.FOCAL:
            lines.append(
                _("Agency: {value}").format(value=html.escape(data.get("agency_name", "")))
            )
        lines.append(_("Name: {value}").format(value=html.escape(data.get("name", ""))))
    return Reply(
        "\n".join(lines),
        ((Button(_("Make the link"), INVITE.pack("ok", "-")), _cancel(tr)),),
    )


def made(tr: Translator, role: Role, invitee: str, link: str, expires_at: datetime) -> Reply:
    """The link to forward, in <code> so it copies with one tap."""
    _ = tr.gettext
    text = _(
        "✅ The invitation for <b>{name}</b> ({role}) is ready.\n\n"
        "Please forward this link to them (tap it to copy):\n<code>{link}</code>\n\n"
        "The link works once and is valid until {expires}."
    ).format(
        name=html.escape(invitee),
        role=_(ROLE_NAMES[role]),
        link=html.escape(link),
        expires=tr.format_datetime(expires_at),
    )
    return Reply(
        text,
        ((Button(_("Invite another"), INVITE.pack("new", "-")), *back_to_menu(tr)),),
    )


def bad_name(tr: Translator, limit: int) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Sorry, the name must be 1 to {limit} characters. Please type it again.").format(
            limit=limit
        ),
        ((_cancel(tr),),),
    )


def bad_phone(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Sorry, that does not look like a phone number. Please type digits only "
            "(for example: 081234567890), or tap Skip."
        ),
        ((Button(_("Skip"), INVITE.pack("skip", "-")), _cancel(tr)),),
    )


def use_buttons(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Please choose with the buttons above, or type /batal to stop inviting."),
        ((_cancel(tr),),),
    )


def no_agencies(tr: Translator) -> Reply:
    return Reply(
        tr.gettext("Sorry, there are no agencies yet. Please contact the technical team."),
        (back_to_menu(tr),),
    )


def business_joined(tr: Translator, business: str) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "The owner of <b>{business}</b> has already joined. Please type the name of "
            "another business."
        ).format(business=html.escape(business)),
        ((_cancel(tr),),),
    )
