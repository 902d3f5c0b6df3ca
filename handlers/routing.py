"""Routers become python-telegram-bot handlers here: one index of every route, checked once.

`Routing` refuses two routes for one command, button action, dialogue step or menu key, and
two button types with one prefix, when the bot is built, not when a person taps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import CallbackData, CallbackDataError
from bot.context import BotContext
from bot.render import common as render
from bot.services import dialogue as dialogues
from bot.services.errors import Stale
from handlers.base import Turn, TurnFn, run
from handlers.router import ButtonRoute, CommandRoute, MenuRoute, Roles, Router, StepRoute


class Routing:
    """Every route of the routers, indexed for dispatch."""

    def __init__(self, routers: Sequence[Router]) -> None:
        self.routers = tuple(routers)
        self.commands: list[CommandRoute] = []
        self.buttons: dict[type[CallbackData], dict[Any, ButtonRoute]] = {}
        self.steps: dict[str, dict[str, StepRoute]] = {}
        self.menu: dict[str, MenuRoute] = {}
        self.start: tuple[TurnFn, Roles] | None = None
        prefixes: dict[str, type[CallbackData]] = {}
        names: set[str] = set()
        for router in self.routers:
            for command in router.commands:
                _unique(command.name, names, f"command /{command.name}")
                self.commands.append(command)
            for button in router.buttons:
                owner = prefixes.setdefault(button.data.prefix, button.data)
                if owner is not button.data:
                    raise ValueError(f"callback prefix {button.data.prefix!r} is used twice")
                actions = self.buttons.setdefault(button.data, {})
                _unique(button.action, actions, f"{button.data.__name__} {button.action}")
                actions[button.action] = button
            for step in router.steps:
                flow = self.steps.setdefault(step.flow.name, {})
                _unique(step.step.value, flow, f"flow {step.flow.name} step {step.step}")
                flow[step.step.value] = step
            for entry in router.menu_entries:
                _unique(entry.key, self.menu, f"menu entry {entry.key}")
                self.menu[entry.key] = entry
            if router.start_args is not None:
                if self.start is not None:
                    raise ValueError("two routers handle /start with an argument")
                self.start = (router.start_args, router.start_roles)

    def handlers(self) -> list[BaseHandler[Update, BotContext, Any]]:
        """Deep links, commands and buttons, in the order of the routers."""
        found: list[BaseHandler[Update, BotContext, Any]] = []
        if self.start is not None:
            found.append(CommandHandler("start", _serve(*self.start), has_args=True))
        for command in self.commands:
            found.append(CommandHandler(command.name, _serve(command.fn, command.roles)))
        for data, actions in self.buttons.items():
            found.append(CallbackQueryHandler(self._button(data, actions), pattern=data.pattern()))
        return found

    def _button(self, data: type[CallbackData], actions: dict[Any, ButtonRoute]) -> Any:
        async def serve(update: Update, context: BotContext) -> None:
            query = update.callback_query
            try:
                button = data.unpack(query.data if query is not None else None)
                route = actions.get(getattr(button, "action", None)) or actions[None]
            except (CallbackDataError, KeyError):
                await run(_stale_button, None, update, context)
                return

            async def act(t: Turn) -> None:
                await route.fn(t, button)

            act.__name__ = route.fn.__name__
            await run(act, route.roles, update, context)

        return serve

    async def continue_dialogue(self, t: Turn) -> bool:
        """Give a message to the dialogue step the person is at; False when there is none."""
        if t.person is None:
            return False
        state = await dialogues.current(t.db, t.person.id)
        route = self.steps.get(state.flow, {}).get(state.step) if state is not None else None
        if state is None or route is None:
            return False
        if not t.allows(route.roles):
            await dialogues.finish(t.db, t.person.id)
            t.reply(render.not_allowed(t.tr, t.person))
            return True
        try:
            current = route.flow.read(state)
        except Stale:
            await dialogues.finish(t.db, t.person.id)
            t.reply(render.stale_dialogue(t.tr, t.person))
            return True
        await route.fn(t, current)
        return True

    async def open_menu_entry(self, t: Turn, key: str) -> bool:
        """Run the action of a main-menu entry; False when no router serves it."""
        entry = self.menu.get(key)
        if entry is None:
            return False
        if not t.allows(entry.roles):
            t.reply(render.not_allowed(t.tr, t.person))
            return True
        await entry.fn(t)
        return True


def _unique(key: object, seen: set[Any] | dict[Any, Any], what: str) -> None:
    if key in seen:
        raise ValueError(f"{what} is routed twice")
    if isinstance(seen, set):
        seen.add(key)


def _serve(fn: TurnFn, roles: Roles) -> Any:
    async def serve(update: Update, context: BotContext) -> None:
        await run(fn, roles, update, context)

    serve.__name__ = fn.__name__
    return serve


async def _stale_button(t: Turn) -> None:
    raise CallbackDataError("a button no route claims")
