"""What the person concerned is told when their role or access changes."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.render import Reply
from bot.render.people.labels import (
    role_name,
)
from bot.services.roles import Change
from db.models import Role

_TOLD = {
    Change.GRANTED: N_(
        "{name}, the programme coordinator has made you a <b>{role}</b> of "
        "Pendamping UMKM. Type /menu to see what you can do now."
    ),
    Change.REVOKED: N_(
        "{name}, your role as <b>{role}</b> in Pendamping UMKM has ended. Thank you "
        "for your work. If you think this is a mistake, please contact the programme "
        "coordinator."
    ),
    Change.PAUSED: N_(
        "{name}, your access to Pendamping UMKM has been paused by the programme "
        "coordinator. Your data is kept. If you have questions, please contact the programme "
        "coordinator."
    ),
    Change.RESUMED: N_(
        "{name}, your access to Pendamping UMKM is open again. Welcome back! "
        "Type /menu to continue."
    ),
}


def access_notice(tr: Translator, name: str, change: Change, role: Role | None) -> Reply:
    named = role_name(tr, role) if role is not None else ""
    return Reply(tr.html(_TOLD[change]).format(name=name, role=named))


def access_paused(tr: Translator) -> Reply:
    """The answer to everything a paused person sends."""
    return Reply(
        tr.html(
            "🙏 Sorry, your access to Pendamping UMKM is paused at the moment. Your data is "
            "kept. For questions, or to have your data deleted, please contact the programme "
            "coordinator."
        )
    )
