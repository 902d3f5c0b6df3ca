"""Every handler, registered in one place. Order matters: the first match in a group wins."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotApplication
from bot.render.common import MenuButton
from db.models import Role
from handlers import (
    assessment,
    audit,
    checklist,
    deadlines,
    dialogue,
    exports,
    guards,
    guidance,
    invite,
    menu,
    new_deadline,
    onboarding,
    people,
    privacy,
    progress,
    questions,
    reports,
    start,
)
from handlers.base import Callback, Turn, TurnFn
from handlers.commands import CommandMenus
from handlers.errors import on_error
from handlers.router import CommandRoute, Router
from handlers.routing import Routing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # msgid; shown translated in Telegram's command menu
    callback: Callback
    roles: frozenset[Role] | None = None  # None: everyone, in the default command menu


# The features, in the order their routes are tried.
ROUTERS: tuple[Router, ...] = (
    start.router,
    menu.router,
    privacy.router,
    invite.router,
    onboarding.router,
    checklist.router,
    guidance.router,
    progress.router,
    questions.router,
    assessment.router,
    reports.router,
    people.router,
    audit.router,
    exports.router,
    deadlines.router,
    new_deadline.router,
)

COMMANDS: tuple[Command, ...] = ()


def register(app: BotApplication) -> None:
    """Register every handler and the error handler on the application."""
    deps = app.bot_data.require()
    routing = Routing(ROUTERS)
    legacy = [CommandRoute(c.name, c.description, _legacy_fn(c), c.roles) for c in COMMANDS]
    app.bot_data.commands = CommandMenus([*routing.commands, *legacy], deps.i18n)

    # Groups -2 and -1: guards. A flooding chat, then groups, channels and edits stop here.
    app.add_handler(TypeHandler(Update, guards.guard_flood), group=-2)
    app.add_handler(TypeHandler(Update, guards.guard_private_chats), group=-1)

    # Group 0: deep links, commands and buttons of the routers, in order.
    for found in routing.handlers():
        app.add_handler(found)
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, command.callback))
    app.add_handler(CallbackQueryHandler(menu.menu_button(routing), pattern=MenuButton.pattern()))

    # A text sent as a reply to a question's message: a mentor's answer (else the dialogue).
    app.add_handler(
        MessageHandler(
            filters.REPLY & filters.TEXT & ~filters.COMMAND, questions.reply_handler(routing)
        )
    )
    # Text, photos and documents: the dialogue the person is in.
    app.add_handler(
        MessageHandler(
            (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL,
            dialogue.message_handler(routing),
        )
    )
    # Fallbacks, last: unknown commands, anything else, and unclaimed buttons.
    app.add_handler(MessageHandler(filters.COMMAND, dialogue.cmd_unknown))
    app.add_handler(MessageHandler(filters.ALL, dialogue.message_handler(routing)))
    app.add_handler(CallbackQueryHandler(dialogue.btn_unknown))

    app.add_error_handler(on_error)


def _legacy_fn(command: Command) -> TurnFn:
    async def serve(t: Turn) -> None:
        await command.callback(t.update, t.context)

    return serve
