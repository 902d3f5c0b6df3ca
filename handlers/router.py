"""One router per feature: what it answers (commands, buttons, dialogue steps, menu entries,
`/start` arguments), who may use it, and which outbox kinds it composes.

A feature module builds one `Router` and decorates its handlers with it; `handlers.register`
includes the routers in order. Nothing is global: a router is a plain object, so a test can
build its own. Roles are stated once per router and overridden per route where needed
(`roles=ANYONE` opens a route to everyone, strangers included).

    router = Router("checklist", roles={Role.UMKM})

    @router.command("cek", N_("Readiness check"))
    async def open_checklist(t: Turn) -> None: ...

    @router.action(ChecklistButton, ChecklistAction.PHOTO)
    async def ask_for_photo(t: Turn, button: ChecklistButton) -> None: ...

    @router.step(CHECKLIST, ChecklistStep.PHOTO)
    async def take_photo(t: Turn, dialogue: Dialogue[ChecklistStep, ItemRef]) -> None: ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from bot.callbacks import CallbackData
from bot.services import dialogue as dialogues
from bot.services.errors import Stale
from db.models import DialogueState, Role
from handlers.base import Turn


class _Inherit(Enum):
    INHERIT = "inherit"


INHERIT: Final = _Inherit.INHERIT
ANYONE: Final = None  # a route open to everyone, strangers included

Roles = frozenset[Role] | None
RolesArg = Iterable[Role] | None | _Inherit

B = TypeVar("B", bound=CallbackData)
S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound=BaseModel)

TurnFn = Callable[[Turn], Awaitable[None]]
ButtonFn = Callable[[Turn, Any], Awaitable[None]]
StepFn = Callable[[Turn, "Dialogue[Any, Any]"], Awaitable[None]]


@dataclass(frozen=True)
class Dialogue(Generic[S, D]):
    """A person's place in a flow, read back typed and validated."""

    flow: Flow[S, D]
    step: S
    data: D


class Flow(Generic[S, D]):
    """A multi-step dialogue: its name, its steps and the type of the data it keeps.

    The step and data live in the database (`dialogue_state`), so any process can take the
    next message; data that no longer fits its model is treated as a stale dialogue.
    """

    def __init__(self, name: str, steps: type[S], data: type[D]) -> None:
        self.name, self.steps, self.data_type = name, steps, data

    def __repr__(self) -> str:
        return f"Flow({self.name!r})"

    def read(self, state: DialogueState) -> Dialogue[S, D]:
        """The typed dialogue; Stale when the stored step or data do not fit."""
        if state.flow != self.name:
            raise Stale()
        try:
            step = self.steps(state.step)
            data = self.data_type.model_validate(state.data)
        except (ValueError, ValidationError):
            raise Stale() from None
        return Dialogue(self, step, data)

    async def current(self, t: Turn) -> Dialogue[S, D] | None:
        """The person's dialogue in this flow, or None when they are in no or another flow."""
        state = await dialogues.current(t.db, t.me.id)
        if state is None or state.flow != self.name:
            return None
        return self.read(state)

    async def expect(self, t: Turn, *steps: S) -> Dialogue[S, D]:
        """The dialogue, which must be at one of `steps` (any when none given); else Stale."""
        found = await self.current(t)
        if found is None or (steps and found.step not in steps):
            raise Stale()
        return found

    async def begin(self, t: Turn, step: S, data: D) -> Dialogue[S, D]:
        """Start this flow for the person, replacing any dialogue left half-way."""
        await dialogues.begin(
            t.db, t.clock, t.me.id, self.name, step.value, data.model_dump(mode="json")
        )
        return Dialogue(self, step, data)

    async def advance(self, t: Turn, current: Dialogue[S, D], step: S, data: D) -> Dialogue[S, D]:
        """Move to `step` with new data (build it with `current.data.model_copy(update=...)`)."""
        del current  # the caller read it; the row is replaced whole
        return await self.begin(t, step, data)

    async def finish(self, t: Turn) -> None:
        await dialogues.finish(t.db, t.me.id)


@dataclass(frozen=True)
class CommandRoute:
    name: str
    description: str | None  # msgid for Telegram's command menu; None: not in the menu
    fn: TurnFn
    roles: Roles


@dataclass(frozen=True)
class ButtonRoute:
    data: type[CallbackData]
    action: StrEnum | None  # None: every value of the button
    fn: ButtonFn
    roles: Roles


@dataclass(frozen=True)
class StepRoute:
    flow: Flow[Any, Any]
    step: StrEnum
    fn: StepFn
    roles: Roles


@dataclass(frozen=True)
class MenuRoute:
    key: str
    fn: TurnFn
    roles: Roles


@dataclass
class Router:
    """A feature's routes, in the order they were declared."""

    name: str
    roles: RolesArg = ANYONE
    # Outbox kinds whose messages this feature's composers write (bot/compose).
    outbox_kinds: tuple[str, ...] = ()
    commands: list[CommandRoute] = field(default_factory=list)
    buttons: list[ButtonRoute] = field(default_factory=list)
    steps: list[StepRoute] = field(default_factory=list)
    menu_entries: list[MenuRoute] = field(default_factory=list)
    start_args: TurnFn | None = None
    start_roles: Roles = None

    def __post_init__(self) -> None:
        if self.roles is INHERIT:
            raise ValueError("a router's roles cannot inherit")

    def _roles(self, roles: RolesArg) -> Roles:
        chosen = self.roles if roles is INHERIT else roles
        assert not isinstance(chosen, _Inherit)
        return frozenset(chosen) if chosen is not None else None

    def command(
        self, name: str, description: str | None = None, *, roles: RolesArg = INHERIT
    ) -> Callable[[TurnFn], TurnFn]:
        """`/name`; `description` (a msgid) puts it in the command menu of those allowed."""

        def add(fn: TurnFn) -> TurnFn:
            self.commands.append(CommandRoute(name, description, fn, self._roles(roles)))
            return fn

        return add

    def action(
        self, data: type[B], action: StrEnum | None = None, *, roles: RolesArg = INHERIT
    ) -> Callable[[Callable[[Turn, B], Awaitable[None]]], Callable[[Turn, B], Awaitable[None]]]:
        """A tap on a `data` button with this `action` (its `action` field), or any."""

        def add(fn: Callable[[Turn, B], Awaitable[None]]) -> Callable[[Turn, B], Awaitable[None]]:
            self.buttons.append(ButtonRoute(data, action, fn, self._roles(roles)))
            return fn

        return add

    def step(
        self, flow: Flow[S, D], *steps: S, roles: RolesArg = INHERIT
    ) -> Callable[
        [Callable[[Turn, Dialogue[S, D]], Awaitable[None]]],
        Callable[[Turn, Dialogue[S, D]], Awaitable[None]],
    ]:
        """What a person sends (text, photo, document) while at one of `steps` of `flow`."""

        def add(
            fn: Callable[[Turn, Dialogue[S, D]], Awaitable[None]],
        ) -> Callable[[Turn, Dialogue[S, D]], Awaitable[None]]:
            for step in steps or tuple(flow.steps):
                self.steps.append(StepRoute(flow, step, fn, self._roles(roles)))
            return fn

        return add

    def menu(self, key: str, *, roles: RolesArg = INHERIT) -> Callable[[TurnFn], TurnFn]:
        """The main-menu entry `key` (its label and roles are in bot/render/common.py)."""

        def add(fn: TurnFn) -> TurnFn:
            self.menu_entries.append(MenuRoute(key, fn, self._roles(roles)))
            return fn

        return add

    def start(self, *, roles: RolesArg = INHERIT) -> Callable[[TurnFn], TurnFn]:
        """`/start <argument>`: a deep link (t.args holds the argument)."""

        def add(fn: TurnFn) -> TurnFn:
            if self.start_args is not None:
                raise ValueError(f"router {self.name!r} has two /start handlers")
            self.start_args, self.start_roles = fn, self._roles(roles)
            return fn

        return add
