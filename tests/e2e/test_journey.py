"""A business's journey end to end: guidance, the checklist with a photo, progress, restarts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.services import people
from db.models import (
    AnswerValue,
    Business,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    GuidanceProgress,
    Role,
    RunState,
)
from tests.support.people import Person
from tests.support.png import tiny_png
from tests.support.world import World

_POSITION = re.compile(r"\((\d+)/(\d+)\)")


async def _business(world: World, name: str, sector: str) -> tuple[Person, int]:
    """A registered, consenting business owner of the sector (onboarding is tested elsewhere)."""
    person = world.person(name)
    async with world.sessions() as db, db.begin():
        owner = await people.register(
            db, world.clock, person.user_id, f"Ibu {name}", roles=[Role.UMKM]
        )
        owner.consent_at = world.clock.now()
        business = Business(
            name=f"Usaha {name}",
            sector=sector,
            owner_name=f"Ibu {name}",
            owner_id=owner.id,
            created_at=world.clock.now(),
        )
        db.add(business)
        await db.flush()
        return person, business.id


def _position(text: str) -> tuple[int, int]:
    found = _POSITION.search(text)
    assert found is not None, f"no (n/total) in {text!r}"
    return int(found.group(1)), int(found.group(2))


async def _answers(world: World, business_id: int) -> dict[str, AnswerValue | None]:
    async with world.sessions() as db:
        rows = await db.execute(
            select(ChecklistAnswer.item_id, ChecklistAnswer.value)
            .join(ChecklistRun)
            .where(ChecklistRun.business_id == business_id)
        )
        return {row.item_id: row.value for row in rows.all()}


@pytest.mark.parametrize("sector", ["kue", "tenun", "sasando", "hotel"])
async def test_business_reads_guidance_fills_checklist_with_photo_and_sees_progress(
    world: World, sector: str
) -> None:
    maria, business_id = await _business(world, "Maria", sector)
    content = world.deps.content
    first = content.modules_for(sector)[0]
    checklist = content.checklist_for(sector)

    # Guidance: the module list, then a module step by step, back and forth, to the end.
    listing = await maria.send("/panduan")
    assert "Panduan SNI" in listing.text
    assert "0 dari" in listing.text
    step = await maria.press(first.title)
    assert f"{first.title} (1/{len(first.steps)})" in step.text
    assert "Tanya mentor" in maria.buttons()
    assert "◀ Kembali" not in maria.buttons()
    step = await maria.press("Lanjut ▶")
    assert _position(step.text) == (2, len(first.steps))
    step = await maria.press("◀ Kembali")
    assert _position(step.text) == (1, len(first.steps))
    for n in range(2, len(first.steps) + 1):
        step = await maria.press("Lanjut ▶")
        assert _position(step.text) == (n, len(first.steps))
    assert "sudah menyelesaikan modul ini" in step.text
    assert "Cek kesiapan" in maria.buttons()
    assert "Lanjut ▶" not in maria.buttons()
    listing = await maria.press("Daftar modul")
    assert "1 dari" in listing.text
    assert f"✅ {first.title}" in maria.buttons()

    # The checklist: the first item, a photo as evidence, then the answers.
    item = await maria.send("/cek")
    # Each checklist under its own title: tenun and sasando have no SNI.
    assert item.text.startswith(
        f"{checklist.title}\n{checklist.sections[0].title} (1/{len(checklist.items)})"
    )
    assert ("Kesiapan SNI" in item.text) is (sector == "kue")
    assert {"Ya", "Sebagian", "Belum", "Tambah foto bukti", "Simpan & lanjut nanti"} <= set(
        maria.buttons()
    )
    prompt = await maria.press("Tambah foto bukti")
    assert "kirim foto" in prompt.text
    saved = await maria.send_photo(tiny_png(7))
    assert "Foto bukti sudah tersimpan" in saved.text
    assert _position(saved.text) == (1, len(checklist.items))
    answers = ["Ya", "Sebagian", "Belum"]
    for n in range(1, len(checklist.items) + 1):
        reply = await maria.press(answers[n % 3])
        if n < len(checklist.items):
            assert _position(reply.text) == (n + 1, len(checklist.items))
    assert f"Ringkasan: {checklist.title}" in reply.text
    summary_percent = re.search(r"Kesiapan: (\d+)%", reply.text)
    assert summary_percent is not None
    sent = await maria.press("Kirim")
    assert "sudah terkirim" in sent.text
    assert f"{summary_percent.group(1)}%" in sent.text

    async with world.sessions() as db:
        run = await db.scalar(select(ChecklistRun).where(ChecklistRun.business_id == business_id))
        assert run is not None
        assert run.state is RunState.SUBMITTED
        assert run.score == int(summary_percent.group(1))
        photo = await db.scalar(
            select(ChecklistAnswer).where(
                ChecklistAnswer.run_id == run.id,
                ChecklistAnswer.item_id == checklist.items[0].id,
            )
        )
        assert photo is not None and photo.evidence_id is not None
        stored = await db.get(Evidence, photo.evidence_id)
        assert stored is not None
        assert (world.data_dir / stored.path).read_bytes() == tiny_png(7)
        done = await db.scalar(
            select(func.count())
            .select_from(GuidanceProgress)
            .where(
                GuidanceProgress.business_id == business_id,
                GuidanceProgress.completed_at.is_not(None),
            )
        )
        assert done == 1

    # Progress: the percentage, modules read, and three next steps with guidance buttons.
    progress = await maria.send("/kemajuan")
    assert f"Kesiapan usaha Bapak/Ibu: {summary_percent.group(1)}%" in progress.text
    assert f"1 dari {len(content.modules_for(sector))}" in progress.text
    assert "Tiga langkah berikutnya" in progress.text
    assert "1. " in progress.text and "3. " in progress.text
    guide = await maria.press("Panduan 1")
    assert "(1/" in guide.text


async def test_restart_mid_checklist_resumes_at_the_same_item(world: World) -> None:
    yohana, business_id = await _business(world, "Yohana", "tenun")
    await yohana.send("/cek")
    for _ in range(3):
        await yohana.press("Ya")
    reply = await yohana.press("Belum")
    assert _position(reply.text)[0] == 5
    await world.restart()
    resumed = await yohana.send("/cek")
    assert _position(resumed.text)[0] == 5
    later = await yohana.press("Simpan & lanjut nanti")
    assert "tersimpan" in later.text
    again = await yohana.send("/menu")
    assert "Menu utama" in again.text
    reopened = await yohana.press("Cek kesiapan")
    assert _position(reopened.text)[0] == 5
    assert len(await _answers(world, business_id)) == 4


async def test_forged_button_and_stray_text_or_photo_change_nothing(world: World) -> None:
    agus, business_id = await _business(world, "Agus", "sasando")
    other, other_business = await _business(world, "Rina", "sasando")
    await other.send("/cek")
    await other.press("Ya")
    item = await agus.send("/cek")
    await agus.press("Sebagian")
    before = await _answers(world, business_id)
    others_before = await _answers(world, other_business)
    async with world.sessions() as db:
        other_run = await db.scalar(
            select(ChecklistRun.id).where(ChecklistRun.business_id == other_business)
        )
    item_id = world.deps.content.checklist_for("sasando").items[1].id

    forged = await agus.press_data(f"ca:{other_run}:{item_id}:y", item.message_id)
    assert "tombol ini sudah tidak berlaku" in forged.text
    gone = await agus.press_data(f"ca:{other_run}:no-such-item:y", item.message_id)
    assert "tidak berlaku" in gone.text
    garbage = await agus.press_data("ca:abc:x:q", item.message_id)
    assert "tidak berlaku" in garbage.text
    text = await agus.send("sudah semua")
    assert "mohon jawab dengan salah satu tombol" in text.text
    assert _position(text.text)[0] == 2
    photo = await agus.send_photo(tiny_png(3))
    assert "foto belum diminta" in photo.text
    assert "Tambah foto bukti" in agus.buttons()
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Evidence)) == 0
    assert await _answers(world, business_id) == before
    assert await _answers(world, other_business) == others_before


async def test_double_tap_and_old_buttons_keep_one_answer(world: World) -> None:
    ina, business_id = await _business(world, "Ina", "kue")
    first = await ina.send("/cek")
    run_item = world.deps.content.checklist_for("kue").items[0].id
    async with world.sessions() as db:
        run_id = await db.scalar(
            select(ChecklistRun.id).where(ChecklistRun.business_id == business_id)
        )
    data = f"ca:{run_id}:{run_item}:y"
    await ina.press_data(data, first.message_id)
    again = await ina.press_data(data, first.message_id)
    assert ina.last_toast == "Jawaban ini sudah tersimpan."
    assert _position(again.text)[0] == 2
    assert await _answers(world, business_id) == {run_item: AnswerValue.YES}
    note = await ina.press("Tambah catatan")
    assert "ketik catatan" in note.text
    too_long = await ina.send("x" * 600)
    assert "terlalu panjang" in too_long.text
    saved = await ina.send("Sertifikat masih diproses")
    assert "Catatan sudah tersimpan" in saved.text
    assert "Sertifikat masih diproses" in saved.text
    big = await ina.press("Tambah foto bukti")
    assert "kirim foto" in big.text
    refused = await ina.send_document(b"GIF89a not allowed", "animasi.gif", mime="image/gif")
    assert "tidak dapat kami simpan" in refused.text
    huge = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    calls = len(world.api.calls)
    too_big = await ina.send_document(huge, "izin.pdf")
    assert "lebih dari 10 MB" in too_big.text
    assert "getFile" not in [name for name, _ in world.api.calls[calls:]]  # refused unread
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Evidence)) == 0
    calls = len(world.api.calls)
    pdf = await ina.send_document(b"%PDF-1.4\n%%EOF\n", "izin.pdf")
    assert "Foto bukti sudah tersimpan" in pdf.text
    assert "getFile" in [name for name, _ in world.api.calls[calls:]]
    async with world.sessions() as db:
        stored = await db.scalar(select(Evidence))
        assert stored is not None
        assert (stored.mime, stored.filename) == ("application/pdf", "izin.pdf")


async def test_wrong_role_and_missing_business_get_polite_answers(world: World) -> None:
    koordinator = world.coordinator()
    refused = await koordinator.send("/cek")
    assert "tidak tersedia untuk peran" in refused.text
    lonely = world.person("Tanpa Usaha")
    async with world.sessions() as db, db.begin():
        person = await people.register(db, world.clock, lonely.user_id, "Ibu T", [Role.UMKM])
        person.consent_at = world.clock.now()
    for command in ("/panduan", "/cek", "/kemajuan"):
        reply = await lonely.send(command)
        assert "belum kami temukan" in reply.text


async def test_stale_guidance_button_shows_the_module_list(world: World) -> None:
    lena, _ = await _business(world, "Lena", "kue")
    listing = await lena.send("/panduan")
    gone = await lena.press_data("g:no-such-module:0", listing.message_id)
    assert "halaman panduan itu sudah berubah" in gone.text
    assert "Daftar modul" not in gone.text
    module = world.deps.content.modules_for("kue")[0]
    past = await lena.press_data(f"g:{module.id}:{len(module.steps)}", listing.message_id)
    assert "sudah berubah" in past.text
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(GuidanceProgress)) == 0


async def test_resubmitting_starts_from_last_answers_and_progress_shows_the_change(
    world: World,
) -> None:
    sari, business_id = await _business(world, "Sari", "tenun")
    total = len(world.deps.content.checklist_for("tenun").items)
    await sari.send("/cek")
    for _ in range(total):
        await sari.press("Belum")
    await sari.press("Kirim")
    first = await sari.send("/kemajuan")
    assert "Kesiapan usaha Bapak/Ibu: 0%" in first.text
    world.clock.advance(days=30)

    item = await sari.send("/cek")
    assert "Jawaban terakhir Bapak/Ibu: <b>Belum</b>" in item.html
    assert _position(item.text)[0] == 1
    for _ in range(total):
        reply = await sari.press("Ya")
    assert "Kesiapan: 100%" in reply.text
    # Changing one answer: pick the part, walk on from there, back to the summary.
    checklist = world.deps.content.checklist_for("tenun")
    second = checklist.sections[1]
    parts = await sari.press("Ubah jawaban")
    assert "Bagian mana" in parts.text
    opened = await sari.press(second.title)
    assert second.items[0].question in opened.text
    assert "Jawaban Bapak/Ibu: <b>Ya</b>" in opened.html
    number = _position(opened.text)[0]
    changed = await sari.press("Sebagian")
    assert _position(changed.text)[0] == number + 1
    back = await sari.press("Ringkasan")
    assert "Kesiapan: 100%" not in back.text
    await sari.press("Kirim")
    progress = await sari.send("/kemajuan")
    assert re.search(r"Kesiapan usaha Bapak/Ibu: 9\d% \(naik 9\d% sejak", progress.text)
    async with world.sessions() as db:
        runs = (
            await db.scalars(
                select(ChecklistRun.score)
                .where(ChecklistRun.business_id == business_id)
                .order_by(ChecklistRun.id)
            )
        ).all()
        assert runs[0] == 0
        assert 90 <= (runs[1] or 0) < 100


async def test_a_step_with_a_picture_arrives_as_a_photo_with_its_text(world: World) -> None:
    maria, _ = await _business(world, "Maria", "kue")
    module = world.deps.content.modules["label-kue"]
    pictured = next(i for i, s in enumerate(module.steps) if s.image is not None)
    await maria.send("/panduan")
    step = await maria.press(module.title)
    for _ in range(pictured):
        step = await maria.press("Lanjut ▶")
    assert step.photo is not None
    assert step.photo.startswith(b"\x89PNG")
    assert f"({pictured + 1}/{len(module.steps)})" in step.text  # the caption
    assert "Tanya mentor" in maria.buttons()  # the buttons come with the photo
    calls = len(world.api.calls)
    before = await maria.press("◀ Kembali")
    assert before.photo is None
    assert f"({pictured}/{len(module.steps)})" in before.text
    # The step before has no picture: it comes anew; the photo is never edited as text.
    assert before.message_id != step.message_id
    edits = [name for name, _ in world.api.calls[calls:] if name.startswith("editMessage")]
    assert edits == []
    assert f"({pictured + 1}/{len(module.steps)})" in step.text  # the photo keeps its step
