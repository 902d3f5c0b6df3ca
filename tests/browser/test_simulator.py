"""`make run` as a newcomer sees it: the real `pendamping run` in a real Chromium."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, mini_app_page, require_chromium
from tests.support.pendamping_run import (
    COORDINATOR_ID,
    FOCAL_ID,
    SPARE_ID,
    UMKM_ID,
    RunningBot,
    conversation,
    pendamping_run,
    plain_text,
    send_text,
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
            await expect(personas).to_have_count(4)
            for label in ("Pelaku UMKM", "Petugas penghubung", "Koordinator", "Belum diundang"):
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

            # With an invitation seeded, "Gunakan undangan" sends /start <code>; once she has
            # agreed she is in, and the button is gone.
            await expect(page.locator("#invite")).to_be_visible()
            await page.click("#invite")
            await expect(page.locator(".msg.user .text").last).to_contain_text("/start ")
            await expect(bot_bubbles.last).not_to_contain_text(STRANGER_HINT)
            await page.locator(".kb-row button", has_text="Setuju").click()
            await expect(page.locator("#invite")).to_be_hidden()

            # The spare persona: the coordinator invites him, the link pasted in his chat.
            await page.click(f'#persona-list button[data-user-id="{SPARE_ID}"]')
            await expect(page.locator("#invite")).to_be_hidden()
            await page.click(f'#persona-list button[data-user-id="{COORDINATOR_ID}"]')
            await page.fill("#text", "/undang")
            await page.press("#text", "Enter")
            for step in ("Pelaku UMKM", "Sasando Yakob", "Yakob Pah", "Bapak", "Sasando"):
                before = await bot_bubbles.count()
                if step in ("Pelaku UMKM", "Bapak", "Sasando"):
                    await bot_bubbles.last.locator(".kb-row button", has_text=step).click()
                else:
                    await page.fill("#text", step)
                    await page.press("#text", "Enter")
                    await expect(bot_bubbles).to_have_count(before + 1)
            await bot_bubbles.last.locator(".kb-row button", has_text="Lewati").click()
            await bot_bubbles.last.locator(".kb-row button", has_text="Buat tautan").click()
            await expect(bot_bubbles.last).to_contain_text("https://t.me/")
            link = re.search(r"https://t\.me/\S+", await bot_bubbles.last.inner_text())
            assert link is not None
            await page.click(f'#persona-list button[data-user-id="{SPARE_ID}"]')
            await page.fill("#text", link.group(0))
            await page.press("#text", "Enter")
            await expect(page.locator(".messages")).to_contain_text(
                "Selamat datang, Bapak Yakob Pah, dari Sasando Yakob"
            )

            # The coordinator's conversation is still there.
            await page.click(f'#persona-list button[data-user-id="{COORDINATOR_ID}"]')
            await expect(bot_bubbles.first).to_contain_text("Halo")
            await expect(page.locator(".messages")).to_contain_text("Untuk koordinator")
        finally:
            await browser.close()

    code, seconds = running.terminate()
    assert code == 0, running.stderr
    assert "Traceback" not in running.stderr, running.stderr
    assert seconds < 5, f"stopping took {seconds:.1f} s"

    # `make run` again: the conversations are still there, and the bot goes on from them.
    with pendamping_run(running.workdir, settings=running.settings) as again:
        again.wait_until_ready()
        coordinator = conversation(again, COORDINATOR_ID)
        texts = [plain_text(m["tree"]) for m in coordinator["messages"]]
        assert any("Untuk koordinator" in t for t in texts), texts
        maria = conversation(again, UMKM_ID)
        assert maria["invite"] is False
        assert any("Selamat datang" in plain_text(m["tree"]) for m in maria["messages"])
        assert send_text(again, COORDINATOR_ID, "/menu")["ok"]
        seen, version = len(texts), coordinator["version"]
        answered = False
        for _ in range(10):  # each call waits (long poll) for the chat to change
            after = conversation(again, COORDINATOR_ID, version)
            version = after["version"]
            news = [plain_text(m["tree"]) for m in after["messages"][seen:] if m["from_bot"]]
            if any("Menu utama" in t for t in news):
                answered = True
                break
        assert answered, "the bot did not answer /menu after the restart"
        code, _ = again.terminate()
        assert code == 0, again.stderr


async def test_make_run_coordinator_opens_the_desk_from_the_web_chat(running: RunningBot) -> None:
    from playwright.async_api import expect

    async with mini_app_page(1100, 860, WAIT_MS) as (page, errors):
        await page.goto(running.url)
        menu_button = page.locator("#menu-app")
        desk = page.frame_locator("#webapp-frame")

        # Rina, the coordinator: once she is known, the bot gives her chat the desk as its
        # menu button, and her main menu starts with it.
        await page.click(f'#persona-list button[data-user-id="{COORDINATOR_ID}"]')
        await expect(menu_button).to_be_hidden()
        await page.fill("#text", "/start")
        await page.click("#send")
        await expect(menu_button).to_have_text("Meja kerja")
        menu = page.locator(".msg.bot").first
        await menu.locator(".kb-row button", has_text="Buka meja kerja").click()

        # The desk opens over the chat, signed in by the simulator as Telegram signs.
        await expect(page.locator("#webapp-title")).to_have_text("Buka meja kerja")
        await expect(desk.locator('[data-tab="overview"]')).to_have_text("Ringkasan")
        await expect(desk.locator("#computed")).to_contain_text("Dihitung pada")
        await expect(desk.locator("#who")).to_contain_text("Rina")
        if os.environ.get("SAVE_SCREENSHOT") == "1":  # docs/webchat-desk.png for the README
            await page.screenshot(path=str(SCREENSHOT.with_name("webchat-desk.png")))
        new_tab = await page.locator("#webapp-tab").get_attribute("href")
        assert new_tab is not None
        assert new_tab.startswith(f"{running.desk_url}#tgWebAppData=")
        await page.click("#webapp-close")
        await expect(page.locator("#webapp")).to_be_hidden()
        await menu_button.click()
        await expect(desk.locator('[data-tab="businesses"]')).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(page.locator("#webapp")).to_be_hidden()

        # Ibu Maria joins as a business owner: no desk for her, neither button.
        await page.click(f'#persona-list button[data-user-id="{UMKM_ID}"]')
        await expect(page.locator("#persona-now")).to_contain_text("Pelaku UMKM")
        await expect(menu_button).to_be_hidden()
        await page.click("#invite")
        await page.locator(".kb-row button", has_text="Setuju").click()
        await expect(page.locator("#invite")).to_be_hidden()
        await page.fill("#text", "/menu")
        await page.press("#text", "Enter")
        await expect(page.locator(".msg.bot").last).to_contain_text("Menu utama")
        await expect(page.locator(".messages")).not_to_contain_text("Buka meja kerja")
        await expect(menu_button).to_be_hidden()

        # Bapak Yohanes, a focal point once joined, gets the desk in his menu button.
        await page.click(f'#persona-list button[data-user-id="{FOCAL_ID}"]')
        await page.click("#invite")
        await page.locator(".kb-row button", has_text="Setuju").click()
        await expect(menu_button).to_have_text("Meja kerja")
        assert errors == []
    code, _ = running.terminate()
    assert code == 0, running.stderr
