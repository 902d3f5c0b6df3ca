"""Running the built application: long polling, a dispatcher alone, with migrations first.

The webhook workers are in bot/webhook.py; every mode stops the same way (`stop_app`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from telegram import Update
from telegram.error import Conflict, TelegramError

from bot import dispatcher
from bot.context import BotApplication
from bot.settings import Settings
from db import upgrade

log = logging.getLogger(__name__)


class PollingConflict(Exception):
    """Telegram answered 409 Conflict to getUpdates: another process polls with this token."""


def prepare_database(settings: Settings) -> None:
    """Create the SQLite file (owner only) if needed; bring the schema to the newest migration."""
    upgrade.start(settings.database_url)()


async def start_polling(app: BotApplication, conflict: asyncio.Event | None = None) -> None:
    """Initialize, run post_init, start handling and long polling; returns once running and
    the start-up work begun in post_init (command menus) is done.

    When Telegram answers 409 Conflict (a second poller, or a webhook set meanwhile),
    `conflict` is set with nothing handled twice: the inbox skips what was seen.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None

    def polling_failed(exc: TelegramError) -> None:
        if isinstance(exc, Conflict) and conflict is not None:
            conflict.set()
            return
        log.error("polling for updates failed: %s", exc, exc_info=exc)

    await app.updater.start_polling(
        allowed_updates=Update.ALL_TYPES, timeout=25, error_callback=polling_failed
    )
    app.bot_data.begin_start_work()  # the poller, scheduled first, sends its getUpdates first
    await app.bot_data.started()


async def stop_app(app: BotApplication) -> None:
    """Stop taking updates, finish the ones in hand and the running pass, then shut down."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()  # also the JobQueue, waiting for a running dispatcher pass
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.bot_data.started()  # the command menus, when the start was quick to stop
    deps = app.bot_data.deps
    if deps is not None:  # another process may lead at once
        await dispatcher.runner_of(deps).leadership.close()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


stop_polling = stop_app


def stop_on_signals() -> asyncio.Event:
    """An event SIGINT and SIGTERM set from now on (instead of ending the process): taken
    before updates are, so a stop during the start-up work still finishes what is in hand."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def wait_for_signal(
    also: asyncio.Event | None = None, stop: asyncio.Event | None = None
) -> None:
    """Until SIGINT or SIGTERM (or `also` is set); `stop`: from `stop_on_signals` earlier."""
    stop = stop or stop_on_signals()
    waits = [asyncio.ensure_future(e.wait()) for e in (stop, also) if e is not None]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


@asynccontextmanager
async def status_server(app: BotApplication, *, desk: bool = False) -> AsyncIterator[None]:
    """/healthz and /metrics on BOT_METRICS_PORT while inside, when it is set; with `desk`,
    the desk on BOT_DESK_PORT when BOT_DESK_URL is set (one server when both ports agree)."""
    deps = app.bot_data.require()
    address = deps.settings.metrics_address
    desk_address = deps.settings.desk_address if desk else None
    if address is None and desk_address is None:
        yield
        return
    from aiohttp import web  # aiohttp's server (2 MB) only when a port is served

    served: dict[tuple[str, int], web.Application] = {}
    if address is not None:
        from bot import health

        served.setdefault(address, web.Application()).add_routes(health.routes(deps))
        log.info("health and metrics on http://%s:%d/healthz and /metrics", *address)
    if desk_address is not None:
        from bot.desk import server  # the desk's modules load only where it is served

        server.mount(served.setdefault(desk_address, web.Application()), app)
        log.info(
            "the desk on http://%s:%d/desk/ (BOT_DESK_URL: %s)",
            *desk_address,
            deps.settings.desk_url,
        )
    runners: list[web.AppRunner] = []
    try:
        for (host, port), application in served.items():
            runner = web.AppRunner(application, access_log=None)
            runners.append(runner)
            await runner.setup()
            await web.TCPSite(runner, host, port).start()
        yield
    finally:
        for runner in runners:
            await runner.cleanup()


async def serve_polling(app: BotApplication) -> None:
    """Poll until a signal; raises PollingConflict when another process polls too."""
    conflict = asyncio.Event()
    stop = stop_on_signals()
    await start_polling(app, conflict)
    log.info("polling for updates; stop with Ctrl+C")
    try:
        async with status_server(app, desk=True):
            await wait_for_signal(conflict, stop)
    finally:
        await stop_app(app)
    if conflict.is_set():
        raise PollingConflict()


async def serve_dispatcher(app: BotApplication) -> None:
    """Only the outbox dispatcher and the periodic jobs (no updates), until a signal."""
    await app.initialize()
    await app.start()  # the JobQueue ticks; the lead is taken at the first tick it is free
    gc.freeze()  # start-up's heap out of the collector's sight, as post_init does for polling
    log.info("dispatcher %s ready", dispatcher.runner_of(app.bot_data.require()).worker_id)
    try:
        async with status_server(app):
            await wait_for_signal()
    finally:
        await stop_app(app)
