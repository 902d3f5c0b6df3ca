"""Registries of the handlers not yet moved to routers (issue #8); empty once all have moved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from db.models import DialogueState
from handlers.base import HandlerFn, Turn

FlowFn = Callable[[Update, BotContext, Turn, DialogueState], Awaitable[None]]
FLOWS: dict[str, FlowFn] = {}
MENU_ACTIONS: dict[str, HandlerFn] = {}


def flow(name: str) -> Callable[[FlowFn], FlowFn]:
    def register(fn: FlowFn) -> FlowFn:
        FLOWS[name] = fn
        return fn

    return register


def menu_action(key: str) -> Callable[[HandlerFn], HandlerFn]:
    def register(fn: HandlerFn) -> HandlerFn:
        MENU_ACTIONS[key] = fn
        return fn

    return register
