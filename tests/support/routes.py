"""Every registered route as a list of concrete inputs: commands, menu entries, forged buttons.

Built from `handlers.ROUTERS`, so a route added to any router is tried without a test edit.
Button fields are filled from the other side's ids (ints), their real string ids (strs),
every value of a StrEnum or bool, and None where a field is optional.
"""

from __future__ import annotations

import dataclasses
import random
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.render.common import MenuButton, MenuKey
from db.models import Role
from handlers import ROUTERS
from handlers.routing import Routing


@dataclass(frozen=True)
class Case:
    """One input to one route: a command to send or callback data to press."""

    route: str  # "/cek", "ChecklistButton o", "menu checklist"
    roles: frozenset[Role] | None  # who the route is for (None: anyone)
    command: str | None = None
    data: str | None = None
    # Fields of the button that carry the other side's ids (int fields).
    foreign: tuple[str, ...] = ()

    def allows(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)

    def __str__(self) -> str:
        return self.command or f"{self.route} [{self.data}]"


def routing() -> Routing:
    return Routing(ROUTERS)


def field_kinds(cls: type[CallbackData]) -> list[tuple[str, type, bool]]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # CallbackData dataclass
        hint, optional = hints[field.name], False
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
            optional = True
        found.append((field.name, hint, optional))
    return found


def _values(base: type, optional: bool, ints: Sequence[int], strs: Sequence[str]) -> list[object]:
    chosen: list[object]
    if base is bool:
        chosen = [False, True]
    elif base is int:
        chosen = list(ints)
    elif base is str:
        chosen = list(strs)
    elif issubclass(base, StrEnum):
        chosen = list(base)
    else:
        raise TypeError(f"no values for a {base!r} field")
    return [*chosen, None] if optional else chosen


def button_cases(
    cls: type[CallbackData],
    action: StrEnum | None,
    roles: frozenset[Role] | None,
    ints: Sequence[int],
    strs: Sequence[str],
    limit: int,
) -> list[Case]:
    """Up to `limit` buttons of one route; every value of every field shows up when limit
    allows (a covering choice, shuffled per route so the same values do not always meet)."""
    name = f"{cls.__name__} {action.value if action else '*'}"
    fields = field_kinds(cls)
    columns: list[list[object]] = []
    rng = random.Random(name)  # deterministic per route
    for field, base, optional in fields:
        if field == "action" and action is not None:
            columns.append([action])
            continue
        values = _values(base, optional, ints, strs)
        rng.shuffle(values)
        columns.append(values)
    count = min(limit, max((len(c) for c in columns), default=1))
    found: list[Case] = []
    seen: set[str] = set()
    for i in range(count):
        values = [column[i % len(column)] for column in columns]
        button = cls(**{f[0]: v for f, v in zip(fields, values, strict=True)})
        data = button.pack()
        if data in seen:
            continue
        seen.add(data)
        foreign = tuple(
            f
            for (f, base, _), v in zip(fields, values, strict=True)
            if base is int and v is not None
        )
        found.append(Case(name, roles, data=data, foreign=foreign))
    return found


def cases(
    ints: Sequence[int],
    strs: Sequence[str],
    limit: int,
    refused_limit: int,
    roles: frozenset[Role],
) -> list[Case]:
    """Every route's inputs for a person with `roles` (fewer where their role is refused)."""
    found = routing()
    result: list[Case] = []
    for command in found.commands:
        result.append(Case(f"/{command.name}", command.roles, command=f"/{command.name}"))
    if found.start is not None:
        result.append(Case("/start <arg>", found.start[1], command="/start x"))
    for key, entry in found.menu.items():
        data = MenuButton(MenuKey(key)).pack()
        result.append(Case(f"menu {key}", entry.roles, data=data))
    for cls, actions in found.buttons.items():
        for action, route in actions.items():
            allowed = route.roles is None or bool(route.roles & roles)
            result += button_cases(
                cls, action, route.roles, ints, strs, limit if allowed else refused_limit
            )
    return result
