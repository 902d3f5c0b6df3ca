"""One business's whole journey, per sector, as the programme runs it.

Invitation link → consent → a guidance module → the checklist with a photo as evidence →
progress → a question → the mentor's answer arrives. Each part is tested in depth in its own
module; this walks them in one go, through the bot alone.
"""

from __future__ import annotations

import re

import pytest

from tests.support.png import tiny_png
from tests.support.replies import repeated_sentences
from tests.support.world import World

LINK = re.compile(r"https://t\.me/PendampingUMKMBot\?start=([A-Za-z0-9_-]{16,64})")
SECTORS = {
    "kue": ("Kue lokal", "Kue Mama Ina"),
    "tenun": ("Tenun ikat", "Tenun Ina"),
    "sasando": ("Sasando", "Sasando Edon"),
}


@pytest.mark.parametrize("sector", sorted(SECTORS))
async def test_whole_journey_from_invitation_to_a_mentors_answer(
    world: World, sector: str
) -> None:
    sector_name, business = SECTORS[sector]
    koordinator = world.coordinator("Yuliana")

    # The coordinator invites the business in the chat and forwards the link.
    await koordinator.send("/undang")
    await koordinator.press("Pelaku UMKM")
    await koordinator.send(business)
    await koordinator.send("Maria Ndun")
    await koordinator.press("Ibu")
    await koordinator.press(sector_name)
    await koordinator.press("Lewati")
    made = await koordinator.press("Buat tautan")
    found = LINK.search(made.text)
    assert found is not None, made.text

    # The owner opens it, consents, confirms the profile and picks a time of day.
    maria = world.person("Maria")
    await maria.send(f"/start {found.group(1)}")
    await maria.expect(f"dari {business}")
    await maria.press("Setuju")
    await maria.expect("Mohon periksa profil usaha")
    await maria.press("Benar")
    menu = await maria.press("Pagi 08.00")
    assert "Panduan SNI" in maria.buttons()

    # A guidance module, read to the end.
    module = world.deps.content.modules_for(sector)[0]
    await maria.press("Panduan SNI")
    step = await maria.press(module.title)
    for _ in range(len(module.steps) - 1):
        step = await maria.press("Lanjut ▶")
    assert "sudah menyelesaikan modul ini" in step.text

    # The checklist: a photo as evidence on the first item, then every answer, then send.
    checklist = world.deps.content.checklist_for(sector)
    await maria.press("Cek kesiapan")
    await maria.press("Tambah foto bukti")
    saved = await maria.send_photo(tiny_png(3))
    assert "tersimpan" in saved.text
    for _ in checklist.items:
        reply = await maria.press("Ya")
    assert f"Ringkasan: {checklist.title}" in reply.text
    sent = await maria.press("Kirim")
    assert "sudah terkirim" in sent.text

    # Progress.
    progress = await maria.send("/kemajuan")
    assert "Kesiapan usaha Bapak/Ibu: 100%" in progress.text

    # A question to the mentors; the coordinator mentors too, and answers.
    await maria.send("/tanya")
    await maria.send("Di mana kami bisa menguji produk di laboratorium terdekat?")
    await world.tick()
    await koordinator.expect(business)
    await koordinator.press("Jawab")
    await koordinator.send("Silakan hubungi BSN; kami bantu jadwalkan, Bu.")
    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert "kami bantu jadwalkan" in answer.text
    assert menu.message_id < answer.message_id

    # Nobody reads the same sentence twice in one message or in two messages in a row.
    for person in (maria, koordinator):
        assert repeated_sentences(world.api.all_messages(person.user_id)) == [], person.transcript(
            30
        )
