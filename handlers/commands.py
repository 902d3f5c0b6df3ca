"""Telegram's command menus, as data: each router's commands with a description."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButton,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import TelegramError

from bot.desk import DESK_ROLES
from bot.i18n import N_, SUPPORTED_LOCALES, I18n, Translator
from db.models import Person, Role
from handlers.router import CommandRoute

log = logging.getLogger(__name__)

# Menus set at once at start: Telegram answers each call in a round trip, and 500
# coordinators one after another took seconds.
AT_ONCE = 16


DESK_BUTTON = N_("Desk")


class CommandMenus:
    """The menu each person sees: the commands their roles allow, in declaration order.

    With a desk (BOT_DESK_URL), the chat's menu button opens it for the people it serves.
    """

    def __init__(
        self, commands: Sequence[CommandRoute], i18n: I18n, desk_url: str | None = None
    ) -> None:
        self._commands = [c for c in commands if c.description is not None]
        self._i18n = i18n
        self._desk_url = desk_url or None

    def for_roles(self, tr: Translator, roles: frozenset[Role] | None) -> list[BotCommand]:
        """The menu for people with these roles (None: the default menu for everyone)."""
        chosen = [
            c
            for c in self._commands
            if c.roles is None or (roles is not None and bool(c.roles & roles))
        ]
        return [BotCommand(c.name, tr.gettext(c.description or "")) for c in chosen]

    async def set_defaults(self, bot: Bot) -> None:
        """The menu of people without a menu of their own, in each language (at once)."""

        async def set_default(code: str) -> None:
            try:
                await bot.set_my_commands(
                    self.for_roles(self._i18n.translator(code), None),
                    scope=BotCommandScopeDefault(),
                    language_code=None if code == "id" else code,
                )
            except TelegramError as exc:  # the bot works without; the next start tries again
                log.warning("could not set the default commands (%s): %s", code, exc)

        await asyncio.gather(*(set_default(code) for code in SUPPORTED_LOCALES))

    async def give_all(self, bot: Bot, people: Iterable[Person]) -> None:
        """Everyone's own menu, `AT_ONCE` calls at a time."""
        slots = asyncio.Semaphore(AT_ONCE)

        async def give(person: Person) -> None:
            async with slots:
                await self.give(bot, person)

        await asyncio.gather(*(give(person) for person in people))

    async def give(self, bot: Bot, person: Person) -> None:
        """One person's menu, after their roles changed."""
        tr = self._i18n.translator(person.locale)
        try:
            await bot.set_my_commands(
                self.for_roles(tr, person.role_set), scope=BotCommandScopeChat(person.telegram_id)
            )
            if self._desk_url is not None:
                await bot.set_chat_menu_button(
                    person.telegram_id, self.menu_button(tr, person.role_set)
                )
        except TelegramError as exc:
            log.warning("could not set commands for person %s: %s", person.id, exc)

    def menu_button(self, tr: Translator, roles: frozenset[Role]) -> MenuButton:
        """The desk for the people it serves; the command list for everyone else."""
        if self._desk_url is None or not roles & DESK_ROLES:
            return MenuButtonDefault()
        return MenuButtonWebApp(tr.gettext(DESK_BUTTON), WebAppInfo(self._desk_url))
