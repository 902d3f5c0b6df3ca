"""`/start`: the welcome, the coordinator's first start, and invitation deep links."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.render import common as render
from bot.services import dialogue
from handlers.base import HandlerFn, Turn, handler

# The invitation feature handles `/start <code>`; registered here so start stays thin.
START_PAYLOAD: list[HandlerFn] = []


def start_payload(fn: HandlerFn) -> HandlerFn:
    START_PAYLOAD.append(fn)
    return fn


@handler()
async def cmd_start(update: Update, context: BotContext, t: Turn) -> None:
    """Welcome a stranger, greet a known person with their menu, or accept an invitation."""
    if context.args and START_PAYLOAD:
        await START_PAYLOAD[0](update, context, t)
        return
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    await dialogue.finish(t.db, t.person.id)
    t.reply(render.main_menu(t.tr, t.person))
