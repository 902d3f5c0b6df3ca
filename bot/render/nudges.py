"""The weekly friendly word to a business that has gone quiet."""

from __future__ import annotations

from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.common import MenuButton, MenuKey
from bot.render.questions import AskButton
from bot.render.text import lines
from bot.services.nudges import NextStep


def nudge(tr: Translator, person_name: str, business_name: str, step: NextStep) -> Reply:
    _ = tr.html
    nxt = (
        _("Your next step: the guide <b>{module}</b>. A few minutes are enough.").format(
            module=step.module_title
        )
        if step.module_title
        else _("Let us continue the guidance together, one small step at a time.")
    )
    text = lines(
        _("Hello, {name} 👋").format(name=person_name),
        _("We have not heard from {business} for a week. We hope all is well!").format(
            business=business_name
        ),
        "",
        nxt,
    )
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Continue guide"), MenuButton(MenuKey.GUIDE).pack()),
            Button(tr.pgettext("button", "Ask a mentor"), AskButton().pack()),
        ),
    )
