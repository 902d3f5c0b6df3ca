"""The ISO 18091 self-assessment as focal points and coordinators meet it."""

from __future__ import annotations

from sqlalchemy import select

from bot.render.assessment import AssessAction, AssessButton
from bot.services import agencies, people
from bot.services import assessment as sa
from db.models import AssessmentRating, AssessmentState, Light, Role
from tests.support.people import Person
from tests.support.world import World

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


async def _focal(world: World, name: str, agency: str = "Setda") -> Person:
    """A focal point already linked to an agency (invitations are tested elsewhere)."""
    person = world.person(name)
    async with world.sessions() as db, db.begin():
        known = await people.register(db, world.clock, person.user_id, name, [Role.FOCAL])
        found = await agencies.find(db, agency)
        assert found is not None
        await agencies.add_member(db, world.clock, found.id, known.id)
    return person


def _rate(sheet: int, indicator: str, light: Light) -> str:
    """The callback data of a light button, as the bot packs it."""
    return AssessButton(AssessAction.RATE, sheet, indicator, light).pack()


def _labels(person: Person) -> list[str]:
    return [b.text for row in person.last.buttons for b in row]


async def test_focal_point_rates_one_indicator_per_screen_adds_a_note_and_sees_the_summary(
    world: World,
) -> None:
    yohanes = await _focal(world, "Yohanes")
    overview = await yohanes.send("/penilaian")
    assert "Swa-penilaian ISO 18091" in overview.text
    assert "Setda · Triwulan IV 2026" in overview.text
    assert "pedoman bagi pemerintah daerah, bukan sertifikasi" in overview.text
    assert "parafrase" in overview.text
    assert "Tata kelola 0/10" in overview.text

    about = await yohanes.press("Tentang ISO 18091")
    assert "bukan sertifikasi" in about.text
    assert "🟢 Berjalan secara sistematis dan andal" in about.text
    await yohanes.press("Kembali")

    page = await yohanes.press("Tata kelola 0/10")
    assert "indikator 1 dari 10" in page.text
    assert "Sistem manajemen mutu terpadu" in page.text
    # What each light means for this indicator, and one row of three lights.
    assert "🔴 Belum ada sistem manajemen mutu" in page.text
    assert "🟢 Satu sistem mutu terpadu" in page.text
    assert [b.text for b in page.buttons[0]] == ["🔴", "🟡", "🟢"]
    assert len(page.buttons) == 4  # lights, note and photo, next, back

    page = await yohanes.press("🟢")
    assert yohanes.last_toast == "Tersimpan: 🟢 Hijau"
    assert "indikator 2 dari 10" in page.text  # on to the next one
    assert "Tata kelola 1/10" in page.text
    await yohanes.press("🟡")
    await yohanes.press("◀ Sebelumnya")
    back = await yohanes.press("◀ Sebelumnya")
    assert "indikator 1 dari 10" in back.text
    assert "🟢 ✓" in _labels(yohanes)
    await yohanes.press("🔴")  # changing one's mind: the last tap counts
    again = await yohanes.press("◀ Sebelumnya")
    assert "🔴 ✓" in _labels(yohanes)
    assert "Penilaian: 🔴 Merah" in again.text

    for _ in range(3):
        page = await yohanes.press("Berikutnya ▶")
    assert "indikator 4 dari 10" in page.text
    prompt = await yohanes.press("Tambah catatan")
    assert "catatan singkat" in prompt.text
    saved = await yohanes.send("Laporan keuangan 2025 sudah diperiksa BPK.")
    assert "Catatan tersimpan" in saved.text
    assert "Laporan keuangan 2025 sudah diperiksa BPK." in saved.text
    await yohanes.press("🟢")

    # Later, /penilaian opens the indicator where Yohanes left off.
    resumed = await yohanes.send("/penilaian")
    assert "indikator 5 dari 10" in resumed.text

    back = await yohanes.press("Kembali")
    assert "Sudah dinilai: 3 dari 39 indikator." in back.text
    summary = await yohanes.press("Ringkasan")
    assert "Tata kelola: 🟢 1 · 🟡 1 · 🔴 1 · 7 belum dinilai" in summary.text
    assert "Belum dikirim: 3 dari 39" in summary.text

    await yohanes.press("Kembali")
    early = await yohanes.press("Kirim penilaian")
    assert "Masih ada 36 indikator yang belum dinilai" in early.text

    async with world.sessions() as db:
        rows = (await db.scalars(select(AssessmentRating))).all()
        assert {r.indicator_id: r.light for r in rows} == {
            "I01": Light.RED,
            "I02": Light.YELLOW,
            "I04": Light.GREEN,
        }


async def test_focal_point_adds_a_photo_and_the_assessment_is_sent(world: World) -> None:
    maria = await _focal(world, "Maria", "BKD")
    await maria.send("/penilaian")
    await maria.press("Lingkungan 0/9")
    prompt = await maria.press("Tambah foto")
    assert "kirim foto" in prompt.text
    wrong = await maria.send("ini fotonya")
    assert "mohon kirim fotonya" in wrong.text
    saved = await maria.send_photo(JPEG)
    assert "Foto bukti tersimpan" in saved.text

    # The other 38 indicators are rated by a colleague (same agency) meanwhile.
    iso = world.deps.content.iso18091
    colleague = await _focal(world, "Agus", "BKD")
    async with world.sessions() as db, db.begin():
        agus = await people.find_by_telegram_id(db, colleague.user_id)
        assert agus is not None
        sheet, _ = await sa.open_current(db, world.clock, agus.id, "2026-Q4")
        for indicator in iso.indicators[:-1]:
            await sa.rate(db, world.clock, iso, agus.id, sheet.id, indicator.id, Light.GREEN)
    last = iso.indicators[-1]
    for _ in range(7):
        page = await maria.press("Berikutnya ▶")
    assert "(oleh Agus)" in page.text  # L08, rated by the colleague
    page = await maria.press("Berikutnya ▶")
    assert last.title in page.text
    assert "Berikutnya ▶" not in _labels(maria)
    overview = await maria.press("🟡")  # the very last indicator: back to the quadrants
    assert "Sudah dinilai: 39 dari 39 indikator." in overview.text
    done = await maria.press("Kirim penilaian")
    assert "Terima kasih, penilaian sudah terkirim" in done.text
    assert "Lingkungan: 🟢 8 · 🟡 1 · 🔴 0" in done.text
    assert "Perlu perhatian lebih dulu: Lingkungan (0 merah, 1 kuning)." in done.text

    # A rating button of the sent assessment is stale now.
    stale = await maria.press_data(_rate(sheet.id, "I01", Light.RED))
    assert "tombol ini sudah tidak berlaku" in stale.text
    async with world.sessions() as db:
        sent = await sa.load(db, agus.id, sheet.id)
        assert sent.state is AssessmentState.SUBMITTED
        assert sent.light("I01") is Light.GREEN
        assert sent.ratings["L01"].evidence_id is not None
    again = await maria.send("/penilaian")
    assert "Sudah dikirim pada Senin, 7 Desember 2026" in again.text


async def test_coordinator_gets_the_chart_photo_with_a_summary(world: World) -> None:
    yohanes = await _focal(world, "Yohanes")
    await yohanes.send("/penilaian")
    await yohanes.press("Ekonomi 0/8")
    await yohanes.press("🔴")

    koordinator = world.coordinator("Yuliana")
    reply = await koordinator.send("/penilaian")
    assert reply.photo is not None
    assert reply.photo.startswith(PNG)
    assert "Swa-penilaian ISO 18091 · Triwulan IV 2026" in reply.text
    assert "Setda (belum dikirim, 1/39 dinilai): 🟢 0 · 🟡 0 · 🔴 1" in reply.text
    assert "BKD: belum mulai" in reply.text
    assert "Triwulan ini" not in koordinator.buttons()
    assert "kuadran Tata kelola" in reply.text and "• Tata kelola" in koordinator.buttons()

    # Browsing edits the chart in place: the same message, a new picture and caption.
    calls, first_chart = len(world.api.calls), reply.photo
    economy = await koordinator.press("Ekonomi")
    assert economy.message_id == reply.message_id and economy.edits == 1
    assert "kuadran Ekonomi" in economy.text and "• Ekonomi" in koordinator.buttons()
    assert economy.photo is not None and economy.photo != first_chart
    previous = await koordinator.press("◀ Triwulan lalu")
    assert previous.message_id == reply.message_id
    assert "Triwulan III 2026" in previous.text and "kuadran Ekonomi" in previous.text
    assert "Triwulan berikutnya ▶" in koordinator.buttons()
    current = await koordinator.press("Triwulan ini")
    assert current.message_id == reply.message_id
    assert "Triwulan IV 2026" in current.text
    assert len(koordinator.messages) == 1
    methods = [name for name, _ in world.api.calls[calls:]]
    assert methods.count("editMessageMedia") == 3 and "sendPhoto" not in methods

    # From the main menu too.
    await koordinator.send("/menu")
    menu_chart = await koordinator.press("Swa-penilaian ISO 18091")
    assert menu_chart.photo is not None


async def test_forged_foreign_and_unlinked_taps_are_refused_politely(world: World) -> None:
    setda = await _focal(world, "Yohanes")
    await setda.send("/penilaian")
    page = await setda.press("Tata kelola 0/10")
    own_button = page.buttons[0][0].data
    assert own_button is not None
    assert own_button.startswith("sa:r:")

    forged = await setda.press_data(_rate(9999, "I01", Light.GREEN))
    assert "tombol ini sudah tidak berlaku" in forged.text
    odd = await setda.press_data(_rate(1, "ZZZ", Light.GREEN))
    assert "tombol ini sudah tidak berlaku" in odd.text
    garbage = await setda.press_data("sa:q:x")
    assert "tombol ini sudah tidak berlaku" in garbage.text

    # A focal point of another agency pressing Setda's button.
    rsud = await _focal(world, "Maria", "RSUD S.K. Lerik")
    await rsud.send("/penilaian")
    foreign = await rsud.press_data(own_button)
    assert "tombol ini sudah tidak berlaku" in foreign.text

    # A coordinator (not a focal point) cannot rate.
    koordinator = world.coordinator()
    await koordinator.send("/start")
    refused = await koordinator.press_data(own_button)
    assert "tidak tersedia untuk peran" in refused.text

    # A focal point without an agency gets an explanation.
    lonely = world.person("Agus")
    async with world.sessions() as db, db.begin():
        await people.register(db, world.clock, lonely.user_id, "Agus", [Role.FOCAL])
    explained = await lonely.send("/penilaian")
    assert "belum terhubung dengan perangkat daerah" in explained.text

    async with world.sessions() as db:
        assert (await db.scalars(select(AssessmentRating))).all() == []


async def test_note_too_long_is_refused_and_cancel_leaves_the_step(world: World) -> None:
    yohanes = await _focal(world, "Yohanes")
    await yohanes.send("/penilaian")
    await yohanes.press("Sosial 0/12")
    await yohanes.press("Berikutnya ▶")
    await yohanes.press("Tambah catatan")
    photo = await yohanes.send_photo(JPEG)
    assert "mohon ketik catatan sebagai teks" in photo.text
    long = await yohanes.send("x" * 600)
    assert "paling banyak 500 karakter" in long.text
    page = await yohanes.press("Batal")
    assert "Sosial 0/12" in page.text
    after = await yohanes.send("catatan yang terlambat")
    assert "belum memahami pesan itu" in after.text
    async with world.sessions() as db:
        assert (await db.scalars(select(AssessmentRating))).all() == []


async def test_open_from_a_reminder_button_sends_a_new_message(world: World) -> None:
    yohanes = await _focal(world, "Yohanes")
    first = await yohanes.send("/penilaian")
    await yohanes.press("Ekonomi 0/8")
    before = len(yohanes.messages)
    # The deadline reminder's "Buka swa-penilaian" button.
    opened = await yohanes.press_data(AssessButton(AssessAction.OPEN).pack(), first.message_id)
    assert len(yohanes.messages) == before + 1
    assert opened.message_id != first.message_id
    assert "Ekonomi 0/8" in opened.text
    assert "indikator 1 dari 8" in opened.text
