"""A tiny real python-telegram-bot application polling the local Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.localapi import LocalBotApi
from tests.support.tinybot import TINY_TOKEN, TinyApp, build_tiny_app


@pytest.fixture
async def tiny() -> AsyncIterator[tuple[LocalBotApi, TinyApp]]:
    """The server and a polling tiny bot; fails the test on any API violation."""
    api = LocalBotApi(token=TINY_TOKEN, bot_username="TinyBot")
    async with api:
        app = build_tiny_app(api)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=5, poll_interval=0)
            try:
                yield api, app
            finally:
                await app.updater.stop()
                await app.stop()
    assert api.violations == [], api.violations
