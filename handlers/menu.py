"""The main menu: `/start` for known people, `/menu`, and the menu's buttons."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.callbacks import LANGUAGE, MENU, CallbackDataError
from bot.context import BotContext
from bot.i18n import SUPPORTED_LOCALES
from bot.render import common as render
from bot.services import dialogue, people
from handlers.base import HandlerFn, Turn, handler

# Each feature registers the action behind its menu key with @menu_action("key").
MENU_ACTIONS: dict[str, HandlerFn] = {}


def menu_action(key: str) -> Callable[[HandlerFn], HandlerFn]:
    if key not in render.MENU_BY_KEY:
        raise ValueError(f"unknown menu key {key!r}: add it to MENU_ENTRIES first")

    def register(fn: HandlerFn) -> HandlerFn:
        MENU_ACTIONS[key] = fn
        return fn

    return register


@handler()
async def cmd_menu(update: Update, context: BotContext, t: Turn) -> None:
    """Show the menu for the person's roles (or the welcome to a stranger)."""
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    await dialogue.finish(t.db, t.person.id)
    t.reply(render.main_menu(t.tr, t.person, greeting=False))


@handler()
async def btn_menu(update: Update, context: BotContext, t: Turn) -> None:
    """A tap on a menu entry: role-checked, then the feature's action."""
    key = MENU.unpack(t.data)["key"]
    if key == "home":
        if t.person is None or not t.person.role_set:
            t.edit(render.welcome_stranger(t.tr))
            return
        await dialogue.finish(t.db, t.person.id)
        t.edit(render.main_menu(t.tr, t.person, greeting=False))
        return
    entry = render.MENU_BY_KEY.get(key)
    if entry is None:
        t.toast(render.stale_toast(t.tr))
        t.reply(render.stale_button(t.tr))
        return
    if key == "help":
        t.reply(render.help_text(t.tr, t.person))
        return
    if key == "privacy":
        t.reply(render.privacy(t.tr, t.person))
        return
    if t.person is None or not (t.person.role_set & entry.roles):
        t.reply(render.not_allowed(t.tr, t.person))
        return
    action = MENU_ACTIONS.get(key)
    if action is None:
        t.reply(render.coming_soon(t.tr))
        return
    await action(update, context, t)


@handler()
async def cmd_help(update: Update, context: BotContext, t: Turn) -> None:
    """/bantuan: what the bot does for this person's roles."""
    t.reply(render.help_text(t.tr, t.person))


@handler()
async def cmd_privacy(update: Update, context: BotContext, t: Turn) -> None:
    """/privasi: what we store, why, who sees it, how to ask for deletion."""
    t.reply(render.privacy(t.tr, t.person))


@handler()
async def cmd_cancel(update: Update, context: BotContext, t: Turn) -> None:
    """/batal: leave whatever dialogue is open."""
    if t.person is not None:
        await dialogue.finish(t.db, t.person.id)
    t.reply(render.cancelled(t.tr) if t.person else render.welcome_stranger(t.tr))


@handler()
async def cmd_language(update: Update, context: BotContext, t: Turn) -> None:
    """/bahasa: choose the language the bot speaks to this person."""
    if t.person is None:
        t.reply(render.welcome_stranger(t.tr))
        return
    t.reply(render.language_choice(t.tr))


@handler()
async def btn_language(update: Update, context: BotContext, t: Turn) -> None:
    """A tap on a language: kept on the person, used from this reply on."""
    code = LANGUAGE.unpack(t.data)["code"]
    if code not in SUPPORTED_LOCALES:
        raise CallbackDataError(f"unknown language {code!r}")
    if t.person is None:
        t.reply(render.welcome_stranger(t.tr))
        return
    await people.set_locale(t.db, t.clock, t.person, code)
    t.tr = t.deps.i18n.translator(code)
    t.edit(render.language_set(t.tr))
