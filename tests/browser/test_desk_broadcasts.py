"""The desk's broadcasts tab in a real Chromium: a coordinator writes, sees whom it reaches and
how it looks, confirms, and the recipients in the local Bot API server get it once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.broadcasts import member, refresh_progress
from tests.support.chromium import require_chromium
from tests.support.desk import Desk, desk_page
from tests.support.sides import Kind, persona

pytestmark = pytest.mark.browser

POLLED_MS = 10_000  # the page reads the progress every 3 seconds
DOCS = Path(__file__).resolve().parents[2] / "docs"
TYPED = "<b>Pelatihan kemasan</b>\nKamis pukul 09.00 di aula Dinas Koperasi & UKM.\n<i>Gratis.</i>"
SENT = (
    "<b>Pelatihan kemasan</b>\nKamis pukul 09.00 di aula Dinas Koperasi &amp; UKM.\n<i>Gratis.</i>"
)

require_chromium()


async def test_a_coordinator_composes_confirms_and_recipients_get_it_once(desk: Desk) -> None:
    from playwright.async_api import expect

    world = desk.world
    coordinator = await persona(world, Kind.COORDINATOR)
    owners = [await member(world, n) for n in ("Ana", "Beni")]
    tenun = await member(world, "Dewi", sector="tenun")
    unconsented = await member(world, "Eko", consent=False)

    async with desk_page(desk, coordinator) as opened:
        page = opened.page
        await page.click('[data-tab="broadcasts"]')
        await expect(page.locator('[data-tab="broadcasts"]')).to_have_text("Siaran")
        facts = page.locator("#broadcast-facts")
        await expect(facts).to_contain_text("Penerima: 3 orang")
        await expect(facts).to_contain_text("Tidak dikirimi: 1 orang")
        await page.select_option("#broadcast-audience", "sector")
        await page.select_option("#broadcast-sector", "tenun")
        await expect(facts).to_contain_text("Penerima: 1 orang")

        # The preview follows the typing; a mistake is explained there, in Indonesian.
        await page.fill("#broadcast-text", "<b>Pelatihan")
        await expect(page.locator("#broadcast-preview")).to_contain_text(
            "<b> dibuka tetapi tidak ditutup."
        )
        await page.fill("#broadcast-text", TYPED)
        bubble = page.locator("#broadcast-bubble")
        await expect(bubble.locator("b")).to_have_text("Pelatihan kemasan")
        await expect(bubble.locator("i")).to_have_text("Gratis.")
        await expect(bubble).to_contain_text("Koperasi & UKM")
        await page.select_option("#broadcast-audience", "businesses")
        await expect(facts).to_contain_text("Penerima: 3 orang")
        if os.environ.get("SAVE_SCREENSHOT") == "1":  # docs/desk-broadcasts*.png
            await page.screenshot(path=str(DOCS / "desk-broadcasts.png"), full_page=True)
            await page.set_viewport_size({"width": 390, "height": 760})
            await page.screenshot(path=str(DOCS / "desk-broadcasts-phone.png"))
            await page.set_viewport_size({"width": 1100, "height": 800})

        # Nothing goes before the confirmation; "no" leaves it unsent.
        await page.click("#broadcast-send")
        await expect(page.locator("#confirm-text")).to_have_text(
            "Kirim siaran ini sekarang kepada 3 orang?"
        )
        await page.click("#confirm-no")
        await world.tick()
        assert all(p.messages == [] for p in (*owners, tenun))
        await page.click("#broadcast-send")
        await page.click("#confirm-yes")
        await expect(page.locator("#broadcast-status")).to_have_text("sedang dikirim")
        await world.tick()  # the send woke the dispatcher: this waits for its pass
        await refresh_progress(world)

        status = page.locator("#broadcast-status")
        await expect(status).to_have_text("selesai", timeout=POLLED_MS)
        sent = page.locator('#broadcast-counts [data-count="sent"] .figure')
        await expect(sent).to_have_text("3")
        for person in (*owners, tenun):
            assert [m.html for m in person.messages] == [SENT]
        assert unconsented.messages == []

        await page.get_by_text("← Kembali").click()
        await expect(page.locator("#broadcast-list tbody tr")).to_have_count(1)
        assert opened.errors == []
    assert (await world.tick()).claimed == 0  # nothing left to send, nothing twice
