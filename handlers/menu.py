"""The main menu: `/menu`, help, privacy, `/batal`, `/bahasa`, and the menu's buttons."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import N_
from bot.render import common as render
from bot.render.common import LanguageButton, MenuButton, MenuKey
from bot.services import dialogue, people
from handlers.base import Callback, Turn, run
from handlers.router import ANYONE, Router
from handlers.routing import Routing

router = Router("menu", roles=ANYONE)


@router.command("menu", N_("Main menu"))
@router.menu(MenuKey.HOME)
async def show_menu(t: Turn) -> None:
    """The menu for the person's roles (or the welcome to a stranger)."""
    if t.person is None or not t.person.role_set:
        t.edit(render.welcome_stranger(t.tr))
        return
    await dialogue.finish(t.db, t.person.id)
    t.edit(render.main_menu(t.tr, t.person, greeting=False, desk_url=t.deps.settings.desk_url))


@router.command("bantuan", N_("Help"))
@router.menu(MenuKey.HELP)
async def show_help(t: Turn) -> None:
    """/bantuan: what the bot does for this person's roles."""
    t.reply(render.help_text(t.tr, t.person))


@router.command("batal", N_("Stop the current step"))
async def cancel_dialogue(t: Turn) -> None:
    """/batal: leave whatever dialogue is open."""
    if t.person is not None:
        await dialogue.finish(t.db, t.person.id)
    t.reply(render.cancelled(t.tr) if t.person else render.welcome_stranger(t.tr))


@router.command("bahasa", N_("Language: Bahasa Indonesia or English"))
async def choose_language(t: Turn) -> None:
    """/bahasa: choose the language the bot speaks to this person."""
    if t.person is None:
        t.reply(render.welcome_stranger(t.tr))
        return
    t.reply(render.language_choice(t.tr))


@router.action(LanguageButton)
async def set_language(t: Turn, button: LanguageButton) -> None:
    """A tap on a language: kept on the person, used from this reply on."""
    if t.person is None:
        t.reply(render.welcome_stranger(t.tr))
        return
    await people.set_locale(t.db, t.clock, t.person, button.code.value)
    t.tr = t.deps.i18n.translator(button.code.value)
    t.edit(render.language_set(t.tr))


def menu_button(routing: Routing) -> Callback:
    """A tap on a menu entry: the router that serves the entry, role-checked."""

    async def open_entry(t: Turn) -> None:
        key = MenuButton.unpack(t.data).key
        # A routed entry is checked against its route's roles: help and privacy are open to
        # strangers too (the welcome offers privacy), though the menu shows them to members.
        if await routing.open_menu_entry(t, key):
            return
        entry = render.MENU_BY_KEY.get(key)
        if entry is not None and not t.allows(entry.roles):
            t.reply(render.not_allowed(t.tr, t.person))
            return
        t.reply(render.coming_soon(t.tr))

    async def serve(update: Update, context: BotContext) -> None:
        await run(open_entry, None, update, context)

    return serve
