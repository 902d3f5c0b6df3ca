"""The typed context every handler receives, and the dependencies it carries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.content import Content
from bot.i18n import I18n
from bot.services.calendar import WorkCalendar, work_calendar
from bot.settings import Settings
from db.models import Person


@dataclass(frozen=True)
class Deps:
    """Everything a handler or job needs, built once by `build_application`."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    i18n: I18n
    content: Content
    # Called after a commit that planned outbox rows due now; the dispatcher runs soon.
    wakers: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def calendar(self) -> WorkCalendar:
        """Working days and quiet hours in the programme's zone, with its extra leave days."""
        return work_calendar(self.settings.timezone, self.content.extra_leave_days)

    def wake_dispatcher(self) -> None:
        for wake in self.wakers:
            wake()


class CommandMenus(Protocol):
    """Telegram's command menus (built from the routers by `handlers.register`)."""

    async def set_defaults(self, bot: Bot) -> None: ...

    async def give(self, bot: Bot, person: Person) -> None: ...

    async def give_all(self, bot: Bot, people: Iterable[Person]) -> None: ...


class BotData:
    """`bot_data`: holds only the dependencies. Person state lives in the database."""

    def __init__(self) -> None:
        self.deps: Deps | None = None
        self.commands: CommandMenus | None = None
        # Start-up work that runs on while updates are taken (the command menus): post_init
        # prepares it, the runner begins it once the first getUpdates is on its way, so that
        # call does not queue behind hundreds of others.
        self._start_work: Callable[[], Coroutine[Any, Any, None]] | None = None
        self._starting: asyncio.Task[None] | None = None

    def prepare_start_work(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._start_work = work

    def begin_start_work(self) -> None:
        """Begin what post_init prepared (once; nothing when it prepared nothing)."""
        if self._start_work is not None:
            self._starting = asyncio.create_task(self._start_work(), name="start-up-work")
            self._start_work = None

    async def started(self) -> None:
        """Until the start-up work begun is done (at once when none was begun)."""
        if self._starting is not None:
            await self._starting

    def require(self) -> Deps:
        """The dependencies; only an application not built by `build_application` lacks them."""
        if self.deps is None:
            raise RuntimeError("build_application() did not set the dependencies")
        return self.deps


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def deps(self) -> Deps:
        return self.bot_data.require()

    @property
    def commands(self) -> CommandMenus:
        commands = self.bot_data.commands
        if commands is None:
            raise RuntimeError("handlers.register() did not set the command menus")
        return commands


BotApplication = Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
