"""`/start`: the welcome, a known person's menu. Deep links are `/start <argument>`, served by
the router that declares `@router.start()` (invitations)."""

from __future__ import annotations

from bot.i18n import N_
from bot.render import common as render
from bot.services import dialogue
from handlers.base import Turn
from handlers.router import ANYONE, Router

router = Router("start", roles=ANYONE)


@router.command("start", N_("Start, or open the main menu"))
async def start(t: Turn) -> None:
    """Welcome a stranger, or greet a known person with their menu."""
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    await dialogue.finish(t.db, t.person.id)
    t.reply(render.main_menu(t.tr, t.person, desk_url=t.deps.settings.desk_url))
