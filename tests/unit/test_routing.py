"""Routing: a prefix, command or button action is claimed once; every action has its function.

Each test builds its own routers: nothing is added to the bot's.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from enum import StrEnum

import pytest

from bot.callbacks import CallbackData
from handlers import ROUTERS
from handlers.base import Turn
from handlers.router import Router
from handlers.routing import Routing


class Act(StrEnum):
    GO = "g"
    STOP = "s"


@dataclass(frozen=True)
class One(CallbackData, prefix="zq"):
    action: Act


@dataclass(frozen=True)
class Other(CallbackData, prefix="zq"):
    action: Act


async def _tapped(t: Turn, button: CallbackData) -> None:
    del t, button


async def _typed(t: Turn) -> None:
    del t


def test_two_button_types_with_one_prefix_are_refused() -> None:
    first, second = Router("first"), Router("second")
    first.action(One, Act.GO)(_tapped)
    second.action(Other, Act.GO)(_tapped)
    with pytest.raises(ValueError, match="prefix 'zq' is used twice"):
        Routing([first, second])


def test_one_button_type_may_serve_several_routers_once_per_action() -> None:
    first, second = Router("first"), Router("second")
    first.action(One, Act.GO)(_tapped)
    second.action(One, Act.STOP)(_tapped)
    assert set(Routing([first, second]).buttons[One]) == {Act.GO, Act.STOP}
    second.action(One, Act.GO)(_tapped)
    with pytest.raises(ValueError, match="routed twice"):
        Routing([first, second])


def test_a_command_is_routed_once() -> None:
    first, second = Router("first"), Router("second")
    first.command("tenggat")(_typed)
    second.command("tenggat")(_typed)
    with pytest.raises(ValueError, match="/tenggat is routed twice"):
        Routing([first, second])


def test_every_action_of_the_bots_buttons_has_a_function() -> None:
    routing = Routing(ROUTERS)
    missing = []
    for data, actions in routing.buttons.items():
        if None in actions:
            continue  # one function for every tap of this button
        enum = typing.get_type_hints(data).get("action")
        assert enum is not None, f"{data.__name__} is routed by action but has none"
        missing += [f"{data.__name__}.{a.name}" for a in enum if a not in actions]
    assert missing == []
