"""The desk over real HTTP: the bot with BOT_DESK_URL set, its server on a real port, and
requests signed as Telegram signs the Mini App's initData."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.desk.signin import sign
from bot.runner import status_server
from tests.support.chromium import mini_app_page
from tests.support.pendamping_run import free_port
from tests.support.people import Person
from tests.support.world import TOKEN, World

if TYPE_CHECKING:
    from playwright.async_api import Page

DESK_URL = "https://desk.example.test/desk/"
WAIT_MS = 5000  # what a page step may take at most


@dataclass
class Desk:
    world: World
    http: aiohttp.ClientSession
    base: str  # http://127.0.0.1:PORT/desk/

    def init_data(self, who: Person, *, at: datetime | None = None, token: str = TOKEN) -> str:
        """initData for this person, signed now (or `at`) with the bot's token."""
        user = {"id": who.user_id, "first_name": who.first_name, "language_code": "id"}
        return sign(token, user, at or self.world.clock.now(), query_id="AAHdF6IQAAAAAN0XohDhrOrc")

    def page_url(self, who: Person, *, dark: bool = False) -> str:
        """The address Telegram opens: the signed data and the theme in the fragment."""
        theme = (
            '{"bg_color":"#17212b","text_color":"#f5f5f5","button_color":"#5288c1"}'
            if dark
            else '{"bg_color":"#ffffff","text_color":"#000000","button_color":"#2481cc"}'
        )
        return f"{self.base}#" + urlencode(
            {"tgWebAppData": self.init_data(who), "tgWebAppThemeParams": theme}
        )

    async def call(
        self,
        method: str,
        path: str,
        who: Person | None = None,
        *,
        init_data: str | None = None,
        json: Any = None,
    ) -> tuple[int, Any, aiohttp.ClientResponse]:
        """(status, JSON body or bytes, response) of /desk/api/<path>."""
        data = init_data if init_data is not None else self.init_data(who) if who else None
        headers = {"Authorization": f"tma {data}"} if data is not None else {}
        async with self.http.request(
            method, f"{self.base}api/{path}", headers=headers, json=json
        ) as response:
            raw = await response.read()
            body: Any = raw
            if response.content_type == "application/json":
                body = await response.json()
            return response.status, body, response


@asynccontextmanager
async def open_desk(world: World) -> AsyncIterator[Desk]:
    """Restart the bot with the desk on, served as polling mode serves it."""
    port = free_port()
    world.extra_settings.update(BOT_DESK_URL=DESK_URL, BOT_DESK_PORT=f"127.0.0.1:{port}")
    await world.restart()
    assert world.app is not None
    async with status_server(world.app, desk=True), aiohttp.ClientSession() as http:
        yield Desk(world, http, f"http://127.0.0.1:{port}/desk/")


@pytest.fixture
async def desk(world: World) -> AsyncIterator[Desk]:
    """The bot with its desk served, for the tests that read it."""
    async with open_desk(world) as opened:
        yield opened


@dataclass
class Opened:
    """The desk in Chromium, and the script errors it raised (a test ends with none)."""

    page: Page
    errors: list[str] = field(default_factory=list)


@asynccontextmanager
async def desk_page(desk: Desk, who: Person, *, dark: bool = False) -> AsyncIterator[Opened]:
    """The page opened as Telegram opens the Mini App, at laptop width, offline."""
    async with mini_app_page(1100, 800, WAIT_MS) as (page, errors):
        await page.goto(desk.page_url(who, dark=dark))
        yield Opened(page, errors)
