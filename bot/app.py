"""The application factory: builds the bot, never runs it. The CLI and the tests call it."""

from __future__ import annotations

import gc
import logging
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, ExtBot, TypeHandler
from telegram.request import BaseRequest

from bot import dispatcher, jobs, metrics, sending
from bot.clock import Clock, SystemClock
from bot.content import DEFAULT_CONTENT_ROOT, Content, load_content
from bot.context import BotApplication, BotContext, BotData, Deps
from bot.flood import FloodLimits
from bot.i18n import I18n
from bot.inbox import (
    PRUNE_INTERVAL_S,
    Inbox,
    InboxBot,
    PerChatUpdateProcessor,
    UpdateDone,
    processor_of,
    prune_inbox_job,
)
from bot.settings import Settings
from bot.transport import new_request
from db.models import Role
from db.session import create_engine, create_session_factory, is_sqlite
from db.storage import sqlite_file

log = logging.getLogger(__name__)

# How many updates run at once (updates of one chat always one after another). More only
# lengthens the queue at the database: SQLite has one connection, PostgreSQL one per update.
CONCURRENT_UPDATES = 8


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    content: Content | None = None,
    token: str | None = None,
    flood: FloodLimits | None = None,
    on_update_done: UpdateDone | None = None,
    request: BaseRequest | None = None,
) -> BotApplication:
    """Build the bot: dependencies, handlers, command menus and the dispatcher wake-up.

    `on_update_done` (tests) hears each update id once it is completely done; `request`
    (the bench) is the transport of every call but getUpdates.
    """
    bot_token = token or (
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    )
    if not bot_token:
        raise ValueError("a bot token is needed (the simulator supplies its own)")
    engine = create_engine(settings.database_url, **_engine_options(settings.database_url))
    deps = Deps(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        i18n=I18n(settings.timezone),
        content=content or load_content(DEFAULT_CONTENT_ROOT),
    )
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    inbox = Inbox(deps.sessions, deps.clock)
    bot: ExtBot[Any] = InboxBot(
        inbox,
        token=bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        # The sizes ApplicationBuilder would give: many sends at once, one long poll.
        request=request or metrics.CountingRequest(256),
        get_updates_request=new_request(1),
        defaults=Defaults(parse_mode=sending.PARSE_MODE, link_preview_options=sending.NO_PREVIEWS),
        # One count for replies and the outbox; replies go first (bot/dispatcher/pacing.py).
        rate_limiter=dispatcher.Pacer(settings.max_sends_per_second),
    )
    timer = metrics.UpdateTimer(on_update_done)
    processor = PerChatUpdateProcessor(CONCURRENT_UPDATES, inbox, flood=flood, on_done=timer.done)
    app: BotApplication = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(inbox.queue)
        .context_types(context_types)
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.deps = deps
    app.add_handler(TypeHandler(Update, timer.start), group=metrics.TIMER_GROUP)

    from handlers import register  # handlers import the app's types; import late

    register(app)

    dispatcher.install(app)  # the JobQueue wakes it; deps.wake_dispatcher() runs it soon
    jobs.install(app)
    if app.job_queue is not None:  # deletes inbox rows handled a week ago
        app.job_queue.run_repeating(
            prune_inbox_job,
            interval=PRUNE_INTERVAL_S,
            first=60,
            name="inbox-prune",
            job_kwargs=jobs.JOB_KWARGS,
        )
    return app


async def _post_init(app: BotApplication) -> None:
    """Runs once the bot is connected: stored updates first; the command menus for everyone
    and for coordinators are prepared, to be set once updates are taken (start_polling begins
    them and waits for them)."""
    from bot.services import agencies, people, roles

    deps = app.bot_data.require()
    await processor_of(app).inbox.replay(app.bot)  # stored, never handled: these go first
    async with deps.sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, deps.clock)
        await roles.follow_setting(db, deps.clock, deps.settings.bot_coordinators)
    commands = app.bot_data.commands
    assert commands is not None

    async def set_menus() -> None:
        await commands.set_defaults(app.bot)
        # Read here, not before polling: hundreds of coordinators take a while.
        async with deps.sessions() as db, db.begin():
            coordinators = await people.with_role(db, Role.COORDINATOR)
        await commands.give_all(app.bot, coordinators)  # the others get theirs when they join

    app.bot_data.prepare_start_work(set_menus)  # stop_app awaits it once begun
    # What start-up built (modules, content, catalogs, mappers: ~180,000 objects) lives as
    # long as the process. Out of the collector's sight, a full collection walks only what
    # updates made: 80-100 ms less about every 200 updates. No gc.collect() first: the
    # little garbage there is (~2,000 objects) is kept until the stop unfreezes it.
    gc.freeze()
    gc.enable()  # `pendamping run` starts with the collector off (bot/cli.py)


async def _post_shutdown(app: BotApplication) -> None:
    gc.unfreeze()  # collectable again: a process (the tests') may build another application
    deps = app.bot_data.deps
    if deps is not None:
        await deps.engine.dispose()


def _engine_options(url: str) -> dict[str, Any]:
    """SQLite: WAL checkpoints by a job (bot.jobs), off the event loop.

    PostgreSQL: a kept connection for every update at once and four for the dispatcher and
    jobs, at most 15 as SQLAlchemy's default. With its 5 kept, the updates' connections
    beyond them were closed on return and opened anew (a server process forked each time):
    16-55 connections per 200 updates, 0.64 of SQLite's rate (bench/updates.py)."""
    if is_sqlite(url):  # a file: the job looks after its log (in memory there is none)
        return {"checkpoints_elsewhere": sqlite_file(url) is not None}
    return {"pool_size": CONCURRENT_UPDATES + 4, "max_overflow": 3}
