"""The simulator's web chat in a real Chromium, against a tiny real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.localapi import LocalBotApi, Persona
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.support.png import tiny_png
from tests.support.tinybot import TINY_TOKEN, TinyApp, build_tiny_app

pytestmark = pytest.mark.browser

WAIT_MS = 5000
PERSONAS = [
    Persona(601, "Maria", "Pelaku UMKM", "Tenun ikat, Kelurahan Oebobo"),
    Persona(602, "Yohanes", "Focal point", "Dinas Dukcapil Kota Kupang"),
    Persona(603, "Rina", "Koordinator", "Pemkot Kupang"),
]

require_chromium()


@pytest.fixture
async def served() -> AsyncIterator[tuple[LocalBotApi, TinyApp]]:
    api = LocalBotApi(token=TINY_TOKEN, bot_username="PendampingUMKMBot")
    api.enable_webchat(PERSONAS, start_links={601: "UND4NGAN_maria"})
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


async def test_webchat_conversation_buttons_personas_and_photo(
    served: tuple[LocalBotApi, TinyApp],
) -> None:
    from playwright.async_api import FilePayload, async_playwright, expect

    api, _ = served
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1000, "height": 860})
            page.set_default_timeout(WAIT_MS)
            await page.goto(api.url)
            await expect(page).to_have_title("Pendamping UMKM — simulator")
            personas = page.locator("#persona-list button")
            await expect(personas).to_have_count(3)
            await expect(personas.nth(1)).to_contain_text("Focal point")

            # Maria starts and sees the greeting with HTML drawn as HTML.
            await page.click('#persona-list button[data-user-id="601"]')
            await expect(page.locator("#persona-now")).to_contain_text("Maria")
            await page.fill("#text", "/start")
            await page.click("#send")
            bot_bubbles = page.locator(".msg.bot")
            await expect(bot_bubbles.first).to_contain_text("Selamat datang")
            await expect(bot_bubbles.first.locator("b")).to_have_text("Bapak/Ibu")
            await expect(page.locator(".msg.user .text").first).to_have_text("/start")

            # Tapping the inline button edits the same bubble.
            await bot_bubbles.first.locator(".kb-row button", has_text="Lanjut").click()
            await expect(bot_bubbles.first).to_contain_text("Langkah berikutnya")
            await expect(bot_bubbles.first.locator(".meta")).to_contain_text("diedit")
            await expect(bot_bubbles.first.locator("i")).to_have_text("berikutnya")
            await expect(bot_bubbles.first.locator(".kb-row")).to_have_count(0)
            assert len(api.chat_messages(601)) == 1

            # What people type is text, never markup.
            await page.fill("#text", "<img src=x onerror=alert(1)> & <b>tebal</b>")
            await page.click("#send")
            await expect(bot_bubbles.last).to_contain_text("Anda menulis: <img src=x")
            assert await page.locator(".messages img").count() == 0
            assert await page.locator(".msg.user b").count() == 0

            # Another persona has a conversation of its own.
            await page.click('#persona-list button[data-user-id="602"]')
            await expect(page.locator("#persona-now")).to_contain_text("Yohanes")
            await expect(page.locator(".empty")).to_be_visible()
            await expect(page.locator("#invite")).to_be_hidden()
            await page.fill("#text", "halo")
            await page.press("#text", "Enter")
            await expect(bot_bubbles.last).to_contain_text("Anda menulis: halo")
            await expect(page.locator(".messages")).not_to_contain_text("Selamat datang")

            # Back to Maria: her conversation is still there; the invitation sends /start code.
            await page.click('#persona-list button[data-user-id="601"]')
            await expect(bot_bubbles.first).to_contain_text("Langkah berikutnya")
            await page.click("#invite")
            user_texts = page.locator(".msg.user .text")
            await expect(user_texts.last).to_have_text("/start UND4NGAN_maria")
            await expect(bot_bubbles.last).to_contain_text("Selamat datang")

            # A photo goes up as a photo update; the bot downloads it and answers.
            png = tiny_png(width=4, height=4)
            upload: FilePayload = {"name": "produk.png", "mimeType": "image/png", "buffer": png}
            await page.set_input_files("#photo-input", files=[upload])
            await expect(page.locator(".msg.user img")).to_have_count(1)
            await expect(bot_bubbles.last).to_contain_text(f"Foto diterima ({len(png)} bita)")
        finally:
            await browser.close()
