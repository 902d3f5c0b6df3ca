"""Free text and files: routed to the dialogue the person is in, else a helpful answer."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.render import common as render
from handlers.base import Callback, Turn, TurnFn, handler, run
from handlers.routing import Routing


def answer_message(routing: Routing) -> TurnFn:
    """What a message outside a command gets: the dialogue step, else a hint."""

    async def answer(t: Turn) -> None:
        # Someone joining (consent not given yet, so no role) is in a dialogue too.
        if await routing.continue_dialogue(t):
            return
        if t.person is None or not t.person.role_set:
            t.reply(render.welcome_stranger(t.tr))
            return
        t.reply(render.unexpected_text(t.tr, t.person))

    return answer


def message_handler(routing: Routing) -> Callback:
    """Text, photos and documents outside a command: the dialogue step, else a hint."""
    answer = answer_message(routing)

    async def serve(update: Update, context: BotContext) -> None:
        await run(answer, None, update, context)

    return serve


@handler()
async def cmd_unknown(update: Update, context: BotContext, t: Turn) -> None:
    """A command we do not have."""
    t.reply(render.unknown_command(t.tr, t.person))


@handler()
async def btn_unknown(update: Update, context: BotContext, t: Turn) -> None:
    """A button no route claims: forged, or from a version of the bot that is gone."""
    t.toast(render.stale_toast(t.tr))
    t.reply(render.stale_button(t.tr))
