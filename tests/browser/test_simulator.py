"""`make run` as a newcomer sees it: the real `pendamping run` in a real Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.pendamping_run import (
    COORDINATOR_ID,
    UMKM_ID,
    RunningBot,
    pendamping_run,
)

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "webchat.png"
WAIT_MS = 15000  # the real bot on a shared 2-core machine
STRANGER_HINT = "mohon gunakan tautan undangan"

require_chromium()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningBot]:
    with pendamping_run(tmp_path) as bot:
        bot.wait_until_ready()
        yield bot


async def test_make_run_coordinator_menu_help_and_umkm_welcome_in_chromium(
    running: RunningBot,
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 860})
            page.set_default_timeout(WAIT_MS)
            await page.goto(running.url)
            await expect(page).to_have_title("Pendamping UMKM — simulator")
            personas = page.locator("#persona-list button")
            await expect(personas).to_have_count(3)
            for label in ("Pelaku UMKM", "Focal point", "Koordinator"):
                await expect(page.locator("#persona-list")).to_contain_text(label)
            bot_bubbles = page.locator(".msg.bot")

            # The coordinator: /start opens the coordinator's menu.
            await page.click(f'#persona-list button[data-user-id="{COORDINATOR_ID}"]')
            await expect(page.locator("#persona-now")).to_contain_text("Koordinator")
            await page.fill("#text", "/start")
            await page.click("#send")
            menu = bot_bubbles.first
            await expect(menu).to_contain_text("Halo")
            for label in ("Undang peserta", "Kelola tenggat", "Rekap kemajuan", "Bantuan"):
                await expect(menu.locator(".kb-row button", has_text=label)).to_be_visible()
            if os.environ.get("SAVE_SCREENSHOT") == "1":  # docs/webchat.png for the README
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(SCREENSHOT))

            # "Bantuan" answers with the coordinator's help.
            await menu.locator(".kb-row button", has_text="Bantuan").click()
            await expect(bot_bubbles.last).to_contain_text("Untuk koordinator")
            await expect(bot_bubbles.last).to_contain_text("/undang")

            # Ibu Maria, not yet invited, gets the welcome with its way on.
            await page.click(f'#persona-list button[data-user-id="{UMKM_ID}"]')
            await expect(page.locator("#persona-now")).to_contain_text("Pelaku UMKM")
            await expect(page.locator(".empty")).to_be_visible()
            await page.fill("#text", "/start")
            await page.press("#text", "Enter")
            await expect(bot_bubbles.first).to_contain_text("Selamat datang di Pendamping UMKM")
            await expect(bot_bubbles.first.locator("b")).to_have_text("Pendamping UMKM")
            await expect(page.locator(".messages")).not_to_contain_text("Untuk koordinator")

            # With an invitation seeded, "Gunakan undangan" sends /start <code> and she is in.
            if await page.locator("#invite").is_visible():
                await page.click("#invite")
                await expect(page.locator(".msg.user .text").last).to_contain_text("/start ")
                await expect(bot_bubbles.nth(1)).to_be_visible()
                await expect(bot_bubbles.last).not_to_contain_text(STRANGER_HINT)

            # The coordinator's conversation is still there.
            await page.click(f'#persona-list button[data-user-id="{COORDINATOR_ID}"]')
            await expect(bot_bubbles.first).to_contain_text("Halo")
            await expect(bot_bubbles.last).to_contain_text("Untuk koordinator")
        finally:
            await browser.close()

    code, seconds = running.terminate()
    assert code == 0, running.stderr
    assert "Traceback" not in running.stderr, running.stderr
    assert seconds < 5, f"stopping took {seconds:.1f} s"
