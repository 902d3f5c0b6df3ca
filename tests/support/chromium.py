"""Debian's Chromium for the browser tests: where it is, how it starts, and when it's missing."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the module where Chromium is not installed; in CI (`make test` installs it) fail."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: apt-get install -y chromium", pytrace=False)
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); fails instead when CI is set",
        allow_module_level=True,
    )


@asynccontextmanager
async def mini_app_page(
    width: int, height: int, wait_ms: int
) -> AsyncIterator[tuple[Page, list[str]]]:
    """A page in a fresh Chromium with the errors its scripts raise; Telegram's Mini App
    script is refused (the desk works without it, and the tests stay off the network)."""
    from playwright.async_api import async_playwright

    async def offline(route: Route) -> None:
        await route.abort()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(wait_ms)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.route("https://telegram.org/**", offline)
            yield page, errors
        finally:
            await browser.close()
