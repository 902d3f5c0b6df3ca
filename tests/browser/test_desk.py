"""The desk page in a real Chromium, opened as Telegram opens a Mini App, against the real bot."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import openpyxl
import pytest

from tests.support.chromium import require_chromium
from tests.support.desk import Desk, desk_page
from tests.support.sides import SECRETS, Kind, persona, seed_other_side

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOB = re.compile(r"^blob:http://127\.0\.0\.1")  # the evidence photo, fetched with initData

require_chromium()


async def test_a_coordinator_reads_sorts_filters_opens_and_exports(desk: Desk) -> None:
    from playwright.async_api import expect

    await seed_other_side(desk.world)
    coordinator = await persona(desk.world, Kind.COORDINATOR)
    first, second = (f"Usaha {n}{SECRETS['business']}" for n in (0, 1))

    async with desk_page(desk, coordinator, dark=True) as opened:
        page = opened.page
        # At a glance: the figures of /rekap, with the moment they were computed.
        await expect(page).to_have_title("Meja kerja · Pendamping UMKM")
        await expect(page.locator('[data-tab="overview"]')).to_have_text("Ringkasan")
        await expect(page.locator("#computed")).to_contain_text("Dihitung pada")
        await expect(page.locator("#computed")).to_contain_text("7 Des 2026")
        invited = page.locator("#figures .card").first
        await expect(invited).to_contain_text("2")
        await expect(invited).to_contain_text("usaha diundang")
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(23, 33, 43)"  # Telegram's dark theme, as it passed it

        # Businesses: sorted, filtered, one opened.
        await page.click('[data-tab="businesses"]')
        names = page.locator("tbody tr td:first-child")
        await expect(names).to_have_text([first, second])
        await page.click('th[data-key="name"]')
        await expect(names).to_have_text([second, first])
        await page.fill("#business-search", "usaha 1")
        await expect(names).to_have_text([second])
        await expect(page.locator("#business-count")).to_have_text("1 dari 2 ditampilkan")
        if os.environ.get("SAVE_SCREENSHOT") == "1":  # docs/desk*.png for the README
            await page.fill("#business-search", "")
            await page.screenshot(path=str(DOCS / "desk.png"))
            await page.set_viewport_size({"width": 390, "height": 760})
            await page.screenshot(path=str(DOCS / "desk-phone.png"))
            await page.set_viewport_size({"width": 1100, "height": 800})
            await page.fill("#business-search", "usaha 1")
        await page.fill("#business-search", "")
        await page.select_option("#business-readiness", "high")
        await expect(names).to_have_count(0)
        await page.select_option("#business-readiness", "")
        await page.select_option("#business-questions", "open")
        await expect(names).to_have_count(2)
        await names.filter(has_text=first).click()
        await expect(page.locator("#business-name")).to_have_text(first)
        await expect(page.locator("#history")).to_contain_text("Sebagian")
        await expect(page.locator("#history")).to_contain_text(SECRETS["checklist note"])
        thumb = page.locator("#history img.thumb")
        await expect(thumb).to_have_attribute("src", BLOB)
        await page.get_by_text("← Kembali").click()
        await expect(names).to_have_count(2)

        # Exports: the same file as `pendamping export`, downloaded from the page.
        await page.click('[data-tab="export"]')
        await page.select_option("#export-what", "businesses")
        async with page.expect_download() as waiting:
            await page.click("#export-download")
        download = await waiting.value
        assert download.suggested_filename == "pendamping-businesses-20261207.xlsx"
        saved = await download.path()
        sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
        assert sheet is not None
        assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
            first,
            second,
        }

        # Agencies, deadlines by week with their reminders, people: each view draws.
        await page.click('[data-tab="agencies"]')
        await page.locator("tbody tr").first.click()
        await expect(page.locator("#agency-name")).to_be_visible()
        await page.click('[data-tab="deadlines"]')
        await expect(page.locator(".week")).to_have_count(1)
        await page.locator(".week button.link").first.click()
        await expect(page.locator("#deadline-title")).to_contain_text(SECRETS["deadline"])
        await expect(page.locator("main")).to_contain_text("terjadwal")
        await page.click('[data-tab="people"]')
        await page.select_option("#invite-role", "mentor")
        await page.fill("#invite-name", "Pak Mentor")
        await page.click("#invite-form button.primary")
        await expect(page.locator("#invite-link")).to_contain_text("https://t.me/")
        await expect(page.locator("#invitation-list")).to_contain_text("Pak Mentor")
        assert opened.errors == []
