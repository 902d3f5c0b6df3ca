"""Every handler, registered in one place. Order matters: the first match in a group wins."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, TypeHandler, filters

from bot.context import BotApplication
from bot.render.common import MenuButton
from handlers import (
    assessment,
    audit,
    broadcasts,
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
from handlers.commands import CommandMenus
from handlers.errors import on_error
from handlers.router import Router
from handlers.routing import Routing

log = logging.getLogger(__name__)


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
    broadcasts.router,
    people.router,
    audit.router,
    exports.router,
    deadlines.router,
    new_deadline.router,
)


def register(app: BotApplication) -> None:
    """Register every handler and the error handler on the application."""
    deps = app.bot_data.require()
    routing = Routing(ROUTERS)
    app.bot_data.commands = CommandMenus(routing.commands, deps.i18n, deps.settings.desk_url)

    # Groups -2 and -1: guards. A flooding chat, then groups, channels and edits stop here.
    app.add_handler(TypeHandler(Update, guards.guard_flood), group=-2)
    app.add_handler(TypeHandler(Update, guards.guard_private_chats), group=-1)

    # Group 0: deep links, commands and buttons of the routers, in order.
    for found in routing.handlers():
        app.add_handler(found)
    app.add_handler(CallbackQueryHandler(menu.menu_button(routing), pattern=MenuButton.pattern()))

    # A text or voice message sent as a reply to a question's message: a mentor's answer
    # (else the dialogue).
    app.add_handler(
        MessageHandler(
            filters.REPLY & ((filters.TEXT & ~filters.COMMAND) | filters.VOICE),
            questions.reply_handler(routing),
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
