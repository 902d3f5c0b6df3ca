"""The application factory: builds the bot, never runs it. The CLI and the tests call it."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.clock import Clock, SystemClock
from bot.content import DEFAULT_CONTENT_ROOT, Content, load_content
from bot.context import BotApplication, BotContext, BotData, Deps
from bot.i18n import I18n
from bot.settings import Settings
from db.models import Role
from db.session import create_engine, create_session_factory

log = logging.getLogger(__name__)

# How many updates run at once; updates of one chat always run one after another.
CONCURRENT_UPDATES = 32


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across people, strictly ordered within one chat (no racing taps)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks[chat.id]
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    content: Content | None = None,
    token: str | None = None,
) -> BotApplication:
    """Build the bot: dependencies, handlers, command menus and the dispatcher wake-up."""
    bot_token = token or (
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    )
    if not bot_token:
        raise ValueError("a bot token is needed (the simulator supplies its own)")
    engine = create_engine(settings.database_url)
    deps = Deps(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        i18n=I18n(settings.timezone),
        content=content or load_content(DEFAULT_CONTENT_ROOT),
    )
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    app: BotApplication = (
        ApplicationBuilder()
        .token(bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(context_types)
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.max_sends_per_second,
                overall_time_period=1,
                max_retries=0,
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.deps = deps

    from handlers import register  # handlers import the app's types; import late

    register(app)

    from bot import dispatcher  # imports handlers.base; import late like the handlers

    dispatcher.install(app)  # the JobQueue wakes it; deps.wake_dispatcher() runs it soon
    if app.job_queue is not None:  # plans nudges as outbox rows; the rows are the schedule
        app.job_queue.run_repeating(
            _plan_nudges_job,
            interval=NUDGE_PLAN_INTERVAL_S,
            first=30,
            name="nudges",
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        # Creates the next occurrence of recurring deadlines (rows, safe from any process).
        app.job_queue.run_repeating(
            _roll_deadlines_job,
            interval=DEADLINE_ROLL_INTERVAL_S,
            first=20,
            name="deadline-series",
            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
    return app


# How often recurring deadlines whose occurrence passed or is done get their next one.
DEADLINE_ROLL_INTERVAL_S = 900


async def _roll_deadlines_job(context: BotContext) -> None:
    from handlers.deadlines import roll_series

    await roll_series(context.deps)


# How often nudges for quiet businesses are planned (and overdue questions marked escalated).
NUDGE_PLAN_INTERVAL_S = 3600


async def plan_nudges(deps: Deps) -> int:
    """The hourly job: plan nudges, mark overdue questions escalated; how many were planned."""
    from bot.services import nudges, questions
    from bot.services.calendar import work_calendar

    calendar = work_calendar(deps.settings.timezone, deps.content.extra_leave_days)
    async with deps.sessions() as db, db.begin():
        planned = await nudges.plan_nudges(db, deps.clock, calendar)
        await questions.mark_escalations(db, deps.clock, calendar)
    if any(p.due_at <= deps.clock.now() for p in planned):
        deps.wake_dispatcher()
    return len(planned)


async def _plan_nudges_job(context: BotContext) -> None:
    await plan_nudges(context.deps)


async def _post_init(app: BotApplication) -> None:
    """Runs once the bot is connected: command menus for everyone and for coordinators."""
    from bot.services import agencies, people, roles

    deps = app.bot_data.deps
    assert deps is not None
    async with deps.sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, deps.clock)
        await roles.follow_setting(db, deps.clock, deps.settings.bot_coordinators)
        coordinators = await people.with_role(db, Role.COORDINATOR)
    commands = app.bot_data.commands
    assert commands is not None
    await commands.set_defaults(app.bot)
    for coordinator in coordinators:  # the others get theirs when they join
        await commands.give(app.bot, coordinator)


async def _post_shutdown(app: BotApplication) -> None:
    deps = app.bot_data.deps
    if deps is not None:
        await deps.engine.dispose()
