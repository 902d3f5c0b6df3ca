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


# Chromium's stand-in microphone, allowed without asking.
FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE_WIDTH = 390  # an iPhone 12-15 in portrait, in CSS pixels
# What a page would overflow with at 390 px: a long unbroken word, a long button, a big photo.
LONG_WORD = "https://bsn.go.id/main/berita/" + "x" * 90
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  });
  return {
    scroll: document.documentElement.scrollWidth,
    width,
    wide: wide.slice(0, 5).map((el) => el.tagName + "." + el.className),
  };
}"""


async def test_webchat_on_a_phone_fits_opens_photos_plays_voice_and_drops_a_used_invitation(
    served: tuple[LocalBotApi, TinyApp],
) -> None:
    from playwright.async_api import FilePayload, async_playwright, expect

    api, _ = served
    assert api.webchat is not None
    big: FilePayload = {
        "name": "kain.png",
        "mimeType": "image/png",
        "buffer": tiny_png(width=1200, height=900),
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
        )
        try:
            phone = await browser.new_context(
                viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True
            )
            await phone.grant_permissions(["microphone"], origin=api.url.rstrip("/"))
            page = await phone.new_page()
            page.set_default_timeout(WAIT_MS)
            await page.goto(api.url)
            await page.click('#persona-list button[data-user-id="601"]')
            await expect(page.locator("#invite")).to_be_visible()

            await page.fill("#text", "/start")
            await page.click("#send")
            bot_bubbles = page.locator(".msg.bot")
            await expect(bot_bubbles.first.locator(".kb-row button")).to_have_count(2)
            await page.fill("#text", LONG_WORD)
            await page.click("#send")
            await expect(bot_bubbles.last).to_contain_text("Anda menulis")
            await page.set_input_files("#photo-input", files=[big])
            await expect(bot_bubbles.last).to_contain_text("Foto diterima")
            # A bot message as wide as ours get: a long link, three long buttons in a row.
            wide_buttons = [
                {"text": f"{label} {LONG_WORD[-20:]}", "callback_data": f"x:{n}"}
                for n, label in enumerate(("Tata kelola", "Ekonomi", "Lingkungan"))
            ]
            api.record_activity(
                api.new_message(
                    api.chats[601],
                    from_bot=True,
                    text=LONG_WORD,
                    html=LONG_WORD,
                    tree=[LONG_WORD],
                    reply_markup={"inline_keyboard": [wide_buttons]},
                )
            )
            await api.user_sends_voice(601, b"OggS-voice", 42)
            await expect(page.locator(".msg .voice audio")).to_have_count(1)
            await expect(page.locator(".voice-len")).to_have_text("🎤 0:42")
            # The microphone: a tap starts recording, a second tap sends a voice message.
            await page.click("#mic")
            await expect(page.locator("#mic.recording")).to_have_count(1)
            await page.click("#mic")
            await expect(page.locator(".msg.user .voice audio")).to_have_count(2)
            recorded = api.all_messages(601)[-1]
            assert recorded.voice_file is not None and recorded.voice_duration >= 1

            # Nothing sticks out sideways at 390 px.
            found = await page.evaluate(OVERFLOW)
            assert found["scroll"] <= PHONE_WIDTH, found
            assert found["wide"] == [], found

            # A photo opens at its full size over the page, and closes again.
            await page.locator(".msg.user img").click()
            viewer = page.locator("#viewer img")
            await expect(page.locator("#viewer")).to_be_visible()
            natural = await viewer.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            assert natural == [1200, 900]
            await page.keyboard.press("Escape")
            await expect(page.locator("#viewer")).to_be_hidden()

            # Once the persona has joined, the simulator withdraws the invitation: it goes.
            api.webchat.set_start_link(601, None)
            await expect(page.locator("#invite")).to_be_hidden()
        finally:
            await browser.close()
