"""`/start`: the welcome, a known person's menu. Deep links are `/start <argument>`, served by
the router that declares `@router.start()` (invitations)."""

from __future__ import annotations

from bot.i18n import N_
from bot.render import common as render
from bot.services import dialogue
from handlers.base import Turn
from handlers.legacy import START_PAYLOAD
from handlers.router import ANYONE, Router

router = Router("start", roles=ANYONE)


@router.command("start", N_("Start, or open the main menu"))
async def start(t: Turn) -> None:
    """Welcome a stranger, greet a known person with their menu, or accept an invitation."""
    if t.args and START_PAYLOAD:
        await START_PAYLOAD[0](t.update, t.context, t)
        return
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    await dialogue.finish(t.db, t.person.id)
    t.reply(render.main_menu(t.tr, t.person))
