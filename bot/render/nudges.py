"""The weekly friendly word to a business that has gone quiet."""

from __future__ import annotations

import html

from bot.callbacks import ASK, MENU
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.services.nudges import NextStep


def nudge(tr: Translator, person_name: str, business_name: str, step: NextStep) -> Reply:
    _ = tr.gettext
    greeting = _("Hello, {name} 👋").format(name=html.escape(person_name))
    missed = _("We have not heard from {business} for a week. We hope all is well!").format(
        business=html.escape(business_name)
    )
    if step.module_title:
        nxt = _("Your next step: the guide <b>{module}</b>. A few minutes are enough.").format(
            module=html.escape(step.module_title)
        )
    else:
        nxt = _("Let us continue the guidance together, one small step at a time.")
    return Reply(
        f"{greeting}\n{missed}\n\n{nxt}",
        rows(
            Button(tr.pgettext("button", "Continue guide"), MENU.pack("guide")),
            Button(tr.pgettext("button", "Ask a mentor"), ASK.pack("-")),
        ),
    )
