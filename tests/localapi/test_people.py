"""The person helper against a tiny real bot."""

from __future__ import annotations

import time

import pytest

from bot.localapi import LocalBotApi
from tests.support.people import Person
from tests.support.png import tiny_png
from tests.support.tinybot import TinyApp


async def test_person_sends_presses_and_expects(tiny: tuple[LocalBotApi, TinyApp]) -> None:
    api, _ = tiny
    maria = Person(api, 501, "Maria")
    greeting = await maria.send("/start")
    assert greeting.text == "Selamat datang, Bapak/Ibu!"
    assert maria.buttons() == ["Lanjut", "Bantuan", "Situs BSN"]
    edited = await maria.press("lanj")
    assert edited.message_id == greeting.message_id
    assert maria.last.text == "Langkah berikutnya"
    await maria.expect("LANGKAH <i>berikutnya</i>")
    both = await maria.send("dua")
    assert both.text == "Pesan kedua"
    assert [m.text for m in maria.messages][-2:] == ["Anda menulis: dua", "Pesan kedua"]


async def test_person_toast_stale_tap_and_photo(tiny: tuple[LocalBotApi, TinyApp]) -> None:
    api, _ = tiny
    yohanes = Person(api, 502, "Yohanes")
    await yohanes.send("/start")
    await yohanes.press("Bantuan")
    assert yohanes.last_toast == "Bantuan segera datang"
    forged = await yohanes.press_data("hl:999", message_id=12345)
    assert forged.text.startswith("Selamat datang")
    reply = await yohanes.send_photo(tiny_png(), caption="produk")
    assert reply.text.startswith("Foto diterima (")


async def test_person_failures_are_clear(tiny: tuple[LocalBotApi, TinyApp]) -> None:
    api, _ = tiny
    ani = Person(api, 503, "Ani")
    await ani.send("/start")
    with pytest.raises(AssertionError, match="no button 'Batal'"):
        await ani.press("Batal")
    with pytest.raises(AssertionError, match="opens a link"):
        await ani.press("Situs")
    started = time.monotonic()
    with pytest.raises(AssertionError, match="Selamat datang"):
        await ani.expect("tidak ada", timeout=0.3)
    assert time.monotonic() - started < 1.0
    await ani.api.user_sends_text(ani.user_id, "diam")
    await ani.quiet(0.3)
    await ani.api.user_sends_text(ani.user_id, "halo")
    with pytest.raises(AssertionError, match="expected silence"):
        await ani.quiet(2.0)
