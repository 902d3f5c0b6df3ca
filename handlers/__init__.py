"""Every handler, registered in one place. Order matters: the first match in a group wins."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.callbacks import (
    ANSWER,
    ASK,
    ASSESS,
    CHECK,
    CHECK_ANSWER,
    CONSENT,
    DL_ADMIN,
    DL_ANSWER,
    DL_EXT,
    DL_NEW,
    DL_OPEN,
    GUIDE,
    INVITE,
    LANGUAGE,
    MENU,
    ONBOARD,
    REPORT,
)
from bot.context import BotApplication
from bot.i18n import N_, I18n, Translator
from db.models import Person, Role
from handlers import (
    assessment,
    checklist,
    deadlines,
    dialogue,
    guards,
    guidance,
    invite,
    menu,
    onboarding,
    progress,
    questions,
    reports,
    start,
)
from handlers.base import Callback
from handlers.errors import on_error

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # msgid; shown translated in Telegram's command menu
    callback: Callback
    roles: frozenset[Role] | None = None  # None: everyone, in the default command menu


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Start, or open the main menu"), start.cmd_start),
    Command("menu", N_("Main menu"), menu.cmd_menu),
    Command("bantuan", N_("Help"), menu.cmd_help),
    Command("privasi", N_("How we look after your data"), menu.cmd_privacy),
    Command("batal", N_("Stop the current step"), menu.cmd_cancel),
    Command("bahasa", N_("Language: Bahasa Indonesia or English"), menu.cmd_language),
    Command(
        "undang", N_("Invite a participant"), invite.cmd_invite, frozenset({Role.COORDINATOR})
    ),
    Command("panduan", N_("SNI guidance"), guidance.cmd_panduan, frozenset({Role.UMKM})),
    Command("cek", N_("Readiness check"), checklist.cmd_cek, frozenset({Role.UMKM})),
    Command("kemajuan", N_("My progress"), progress.cmd_kemajuan, frozenset({Role.UMKM})),
    Command("tanya", N_("Ask a mentor"), questions.cmd_tanya, frozenset({Role.UMKM})),
    Command(
        "pertanyaan", N_("Open questions"), questions.cmd_pertanyaan, frozenset({Role.MENTOR})
    ),
    Command(
        "penilaian",
        N_("ISO 18091 self-assessment"),
        assessment.cmd_penilaian,
        frozenset({Role.FOCAL, Role.COORDINATOR}),
    ),
    Command(
        "tenggat",
        N_("Programme deadlines"),
        deadlines.cmd_tenggat,
        frozenset({Role.FOCAL, Role.COORDINATOR}),
    ),
    Command("rekap", N_("Progress overview"), reports.cmd_rekap, frozenset({Role.COORDINATOR})),
)


def register(app: BotApplication) -> None:
    """Register every handler and the error handler on the application."""
    # Group -1: guards. Groups, channels and edits stop here.
    app.add_handler(TypeHandler(Update, guards.guard_private_chats), group=-1)

    # Group 0, commands: the table above is also the command menu.
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.name, command.callback))

    # Callback routes, by prefix.
    app.add_handler(CallbackQueryHandler(menu.btn_menu, pattern=MENU.pattern))
    app.add_handler(CallbackQueryHandler(menu.btn_language, pattern=LANGUAGE.pattern))
    app.add_handler(CallbackQueryHandler(invite.btn_invite, pattern=INVITE.pattern))
    app.add_handler(CallbackQueryHandler(onboarding.btn_consent, pattern=CONSENT.pattern))
    app.add_handler(CallbackQueryHandler(onboarding.btn_onboard, pattern=ONBOARD.pattern))
    app.add_handler(CallbackQueryHandler(guidance.btn_g, pattern=GUIDE.pattern))
    app.add_handler(CallbackQueryHandler(checklist.btn_ca, pattern=CHECK_ANSWER.pattern))
    app.add_handler(CallbackQueryHandler(checklist.btn_ck, pattern=CHECK.pattern))
    app.add_handler(CallbackQueryHandler(questions.btn_ask, pattern=ASK.pattern))
    app.add_handler(CallbackQueryHandler(questions.btn_answer, pattern=ANSWER.pattern))
    app.add_handler(CallbackQueryHandler(assessment.btn_sa, pattern=ASSESS.pattern))
    app.add_handler(CallbackQueryHandler(deadlines.btn_answer, pattern=DL_ANSWER.pattern))
    app.add_handler(CallbackQueryHandler(deadlines.btn_open, pattern=DL_OPEN.pattern))
    app.add_handler(CallbackQueryHandler(deadlines.btn_extension, pattern=DL_EXT.pattern))
    app.add_handler(CallbackQueryHandler(deadlines.btn_new, pattern=DL_NEW.pattern))
    app.add_handler(CallbackQueryHandler(deadlines.btn_admin, pattern=DL_ADMIN.pattern))
    app.add_handler(CallbackQueryHandler(reports.btn_rk, pattern=REPORT.pattern))

    # A text sent as a reply to a question's message: a mentor's answer (else the dialogue).
    app.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, questions.msg_reply)
    )
    # Text, photos and documents: the dialogue the person is in.
    app.add_handler(
        MessageHandler(
            (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL,
            dialogue.msg_dialogue,
        )
    )
    # Fallbacks, last: unknown commands, anything else, and unclaimed buttons.
    app.add_handler(MessageHandler(filters.COMMAND, dialogue.cmd_unknown))
    app.add_handler(MessageHandler(filters.ALL, dialogue.msg_dialogue))
    app.add_handler(CallbackQueryHandler(dialogue.btn_unknown))

    app.add_error_handler(on_error)


def commands_for(tr: Translator, roles: frozenset[Role] | None) -> list[BotCommand]:
    """The command menu for people with these roles (None: the default menu)."""
    chosen = [
        c for c in COMMANDS if c.roles is None or (roles is not None and bool(c.roles & roles))
    ]
    return [BotCommand(c.name, tr.gettext(c.description)) for c in chosen]


async def set_default_commands(app: BotApplication) -> None:
    deps = app.bot_data.deps
    assert deps is not None
    await app.bot.set_my_commands(
        commands_for(deps.i18n.translator("id"), None), scope=BotCommandScopeDefault()
    )
    await app.bot.set_my_commands(
        commands_for(deps.i18n.translator("en"), None),
        scope=BotCommandScopeDefault(),
        language_code="en",
    )


async def sync_commands(bot: Bot, i18n: I18n, person: Person) -> None:
    """Give one person the command menu of their roles (after their roles change)."""
    tr = i18n.translator(person.locale)
    try:
        await bot.set_my_commands(
            commands_for(tr, person.role_set), scope=BotCommandScopeChat(person.telegram_id)
        )
    except TelegramError as exc:
        log.warning("could not set commands for person %s: %s", person.id, exc)
