"""Free text and files: routed to the dialogue the person is in, else a helpful answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from bot.render import common as render
from bot.services import dialogue
from db.models import DialogueState
from handlers.base import Turn, handler

FlowFn = Callable[[Update, BotContext, Turn, DialogueState], Awaitable[None]]
# flow name -> the function that takes the person's next message in that flow
FLOWS: dict[str, FlowFn] = {}


def flow(name: str) -> Callable[[FlowFn], FlowFn]:
    """Register the handler of a dialogue's typed (or sent) answers."""

    def register(fn: FlowFn) -> FlowFn:
        if name in FLOWS:
            raise ValueError(f"dialogue flow {name!r} registered twice")
        FLOWS[name] = fn
        return fn

    return register


@handler()
async def msg_dialogue(update: Update, context: BotContext, t: Turn) -> None:
    """Text, photos and documents outside a command."""
    # Someone joining (consent not given yet, so no role) is in a dialogue too.
    state = await dialogue.current(t.db, t.person.id) if t.person is not None else None
    if state is not None and state.flow in FLOWS:
        await FLOWS[state.flow](update, context, t, state)
        return
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    t.reply(render.unexpected_text(t.tr, t.person))


@handler()
async def cmd_unknown(update: Update, context: BotContext, t: Turn) -> None:
    """A command we do not have."""
    t.reply(render.unknown_command(t.tr, t.person))


@handler()
async def btn_unknown(update: Update, context: BotContext, t: Turn) -> None:
    """A button no route claims: forged, or from a version of the bot that is gone."""
    t.toast(render.stale_toast(t.tr))
    t.reply(render.stale_button(t.tr))
