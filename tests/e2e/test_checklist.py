"""The checklist as an owner meets it: items that do not apply, notes and photos in place."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models import AnswerValue, ChecklistAnswer, ChecklistRun, RunState
from tests.support.business import business_owner
from tests.support.people import Person
from tests.support.png import tiny_png
from tests.support.world import World

_POSITION = re.compile(r"\((\d+)/(\d+)\)")


async def _owner(world: World, sector: str) -> tuple[Person, int]:
    maria = world.person("Maria")
    async with world.sessions() as db, db.begin():
        business = await business_owner(db, world.clock, sector, maria.user_id)
    return maria, business.id


def _number(text: str) -> int:
    found = _POSITION.search(text)
    assert found is not None, text
    return int(found.group(1))


async def _answers(world: World, business_id: int) -> dict[str, ChecklistAnswer]:
    async with world.sessions() as db:
        rows = await db.scalars(
            select(ChecklistAnswer)
            .join(ChecklistRun)
            .where(
                ChecklistRun.business_id == business_id,
                ChecklistRun.state == RunState.SUBMITTED,
            )
        )
        return {row.item_id: row for row in rows}


async def test_an_item_that_does_not_apply_is_left_out_of_the_score_and_next_steps(
    world: World,
) -> None:
    """A baker of pork cakes answers halal "Tidak berlaku": 100% when everything else is Ya."""
    maria, business_id = await _owner(world, "kue")
    checklist = world.deps.content.checklist_for("kue")
    flagged = {item.id for item in checklist.items if item.not_applicable}
    assert {"halal-daftar", "spp-irt", "pkp"} <= flagged
    ids = [item.id for item in checklist.items]

    reply = await maria.send("/cek")
    for n, item in enumerate(checklist.items, start=1):
        assert _number(reply.text) == n
        # The button is offered only where the content allows it.
        assert ("Tidak berlaku" in maria.buttons()) is item.not_applicable, item.id
        choice = "Tidak berlaku" if item.id == "halal-daftar" else "Ya"
        if item.id == "label-tanggal":
            choice = "Belum"
        reply = await maria.press(choice)

    # Weighted: Belum on label-tanggal (weight 2) counts, halal-daftar (weight 3) does not.
    total = sum(item.weight for item in checklist.items) - checklist.item("halal-daftar").weight
    expected = (100 * (total - 2) * 2 + total) // (2 * total)
    assert f"Kesiapan: {expected}%" in reply.text

    sent = await maria.press("Kirim")
    assert f"{expected}%" in sent.text
    assert "Catat umur simpan kue" in sent.text  # the one Belum is the only next step
    assert "SIHALAL" not in sent.text
    assert "2. " not in sent.text
    answers = await _answers(world, business_id)
    assert answers["halal-daftar"].value is AnswerValue.NOT_APPLICABLE
    assert len(answers) == len(ids)

    # The next round carries "Tidak berlaku" over like a Ya: no second look needed.
    again = await maria.send("/cek")
    assert _number(again.text) == ids.index("label-tanggal") + 1


async def test_does_not_apply_cannot_be_forged_onto_an_item_without_it(world: World) -> None:
    maria, _ = await _owner(world, "kue")
    first = await maria.send("/cek")
    nib = first.buttons[0][0].data
    assert nib is not None and nib.endswith(":nib:y")
    refused = await maria.press_data(nib.removesuffix(":y") + ":na")
    assert "tombol ini sudah tidak berlaku" in refused.text
    async with world.sessions() as db:
        assert (await db.scalars(select(ChecklistAnswer))).all() == []


async def test_tenun_and_sasando_checklists_never_say_sni(world: World) -> None:
    for sector, name in (("tenun", "Yohana"), ("sasando", "Agus")):
        person = world.person(name)
        async with world.sessions() as db, db.begin():
            await business_owner(db, world.clock, sector, person.user_id)
        checklist = world.deps.content.checklist_for(sector)
        item = await person.send("/cek")
        assert item.text.startswith(checklist.title)
        while "Kirim" not in person.buttons():
            item = await person.press("Ya")
            assert "SNI" not in item.text
        assert f"Ringkasan: {checklist.title}" in item.text


async def test_kue_guidance_starts_with_its_route_and_a_step_shows_whom_to_ask(
    world: World,
) -> None:
    maria, _ = await _owner(world, "kue")
    listing = await maria.send("/panduan")
    assert maria.buttons()[0] == "Jalur kue Bapak/Ibu"
    assert "Panduan SNI" in listing.text
    await maria.press("Izin SPP-IRT lewat OSS")
    step = await maria.press("Lanjut ▶")
    assert "Penyuluhan Keamanan Pangan" in step.text
    assert "📌 Tempat bertanya: Dinas Kesehatan Kota Kupang" in step.text
    assert "SPP-IRT, jadwal Penyuluhan Keamanan Pangan (PKP)" in step.text
    assert "sedang kami lengkapi" in step.text
    assert "Tanya mentor" in maria.buttons()


async def test_a_note_or_photo_goes_with_the_item_just_answered_never_the_next(
    world: World,
) -> None:
    maria, business_id = await _owner(world, "tenun")
    checklist = world.deps.content.checklist_for("tenun")
    first, second = checklist.items[0], checklist.items[1]

    await maria.send("/cek")
    moved = await maria.press("Ya")
    assert _number(moved.text) == 2
    assert "Jawaban no. 1 tersimpan: Ya." in moved.text
    assert {"Catatan no. 1", "Foto no. 1", "Tambah catatan"} <= set(maria.buttons())

    prompt = await maria.press("Catatan no. 1")
    assert first.question in prompt.text  # the prompt names the item the note goes with
    back = await maria.send("NIB terbit Maret 2026")
    assert "Catatan tersimpan untuk no. 1." in back.text
    assert _number(back.text) == 2  # where Maria was, still unanswered
    photo_prompt = await maria.press("Tambah foto bukti")  # before answering: item 2's own
    assert second.question in photo_prompt.text
    await maria.send_photo(tiny_png(3))
    cancelled = await maria.press("Belum")
    assert "Foto no. 2" in maria.buttons()
    await maria.press("Foto no. 2")
    undone = await maria.press("Batal")
    assert _number(undone.text) == _number(cancelled.text) == 3

    async with world.sessions() as db:
        rows = {
            row.item_id: row
            for row in await db.scalars(
                select(ChecklistAnswer)
                .join(ChecklistRun)
                .where(ChecklistRun.business_id == business_id)
            )
        }
    assert rows[first.id].note == "NIB terbit Maret 2026"
    assert rows[first.id].evidence_id is None
    assert rows[second.id].note is None
    assert rows[second.id].evidence_id is not None
    assert rows[second.id].value is AnswerValue.NO
    assert checklist.items[2].id not in rows  # nothing landed on the next item


async def test_free_text_offers_an_owner_the_mentor_besides_the_menu(world: World) -> None:
    maria, _ = await _owner(world, "kue")
    reply = await maria.send("Bagaimana cara daftar halal?")
    assert "belum memahami pesan itu" in reply.text
    assert maria.buttons() == ["Tanya mentor", "Menu utama"]
    asked = await maria.press("Tanya mentor")
    assert "pertanyaan" in asked.text.lower()
    koordinator = world.coordinator()
    await koordinator.send("halo")
    assert "Tanya mentor" not in koordinator.buttons()  # only owners ask mentors
