"""Running the built application: long polling or webhooks, with migrations first."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from telegram import Update

from bot.context import BotApplication
from bot.settings import Settings
from db import migrate
from db.storage import private_sqlite_file

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> None:
    """Create the SQLite file (owner only) if needed; bring the schema to the newest migration."""
    private_sqlite_file(settings.database_url)
    migrate.upgrade_sync(settings.database_url)


async def start_polling(app: BotApplication) -> None:
    """Initialize, run post_init, start handling and long polling (returns once running)."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=25)


async def stop_polling(app: BotApplication) -> None:
    """Stop taking updates, finish the ones in hand, then shut down."""
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def wait_for_signal() -> None:
    """Until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_polling(app: BotApplication) -> None:
    await start_polling(app)
    log.info("polling for updates; stop with Ctrl+C")
    try:
        await wait_for_signal()
    finally:
        await stop_polling(app)
