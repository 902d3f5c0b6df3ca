"""Deadlines end to end: a coordinator and a focal point driving the real bot."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.jobs import roll_series
from bot.render.deadlines.focal import AnswerAction, AnswerDeadlineButton, OpenDeadlineButton
from bot.services import agencies, deadlines, dialogue, people
from bot.services.deadlines import NewDeadline
from db.models import (
    Deadline,
    DeadlineAck,
    ExtensionRequest,
    OutboxMessage,
    Recurrence,
    Role,
)
from tests.support.people import Person
from tests.support.world import World

WITA = ZoneInfo("Asia/Makassar")


def wita(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WITA).astimezone(UTC)


async def focal_point(
    world: World, name: str = "Bapak Yohanes", person: Person | None = None
) -> Person:
    person = person or world.person(name)
    async with world.sessions() as db, db.begin():
        known = await people.register(db, world.clock, person.user_id, name, [Role.FOCAL])
        known.consent_at = world.clock.now()
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        assert rsud is not None
        await agencies.add_member(db, world.clock, rsud.id, known.id)
    return person


async def start_deadline(
    coordinator: Person, title: str, due: str, repeat: str = "Sekali saja", kind: str = "Laporan"
) -> None:
    """The creation dialogue up to its confirmation screen."""
    await coordinator.send("/tenggat")
    await coordinator.press("Tenggat baru")
    await coordinator.press("RSUD S.K. Lerik")
    await coordinator.send(title)
    await coordinator.send(due)
    await coordinator.press("Lewati")
    await coordinator.press(repeat)
    await coordinator.press(kind)
    await coordinator.expect("Mohon periksa")


async def create_deadline(
    coordinator: Person, title: str, due: str, repeat: str = "Sekali saja", kind: str = "Laporan"
) -> None:
    await start_deadline(coordinator, title, due, repeat, kind)
    await coordinator.press("Simpan")
    await coordinator.expect("Tenggat tersimpan")


async def test_deadline_reminder_and_extension_end_to_end(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(coordinator, "Laporan swa-penilaian triwulan IV", "17-12-2026 16.00")

    # Thursday 10 December, 08.00 WITA: H-7.
    world.clock.set(wita(2026, 12, 10, 8))
    await world.tick()
    await focal.expect("Pengingat tenggat — 7 hari lagi")
    assert "RSUD S.K. Lerik" in focal.last.text
    assert "Minta perpanjangan" in focal.buttons()

    await focal.press("Minta perpanjangan")
    await focal.expect("Sampai kapan")
    await focal.send("besok sore")
    await focal.expect("belum dapat membaca tanggal")
    await focal.send("08-01-2027 16.00")
    await focal.send("Data pasien belum lengkap")
    await focal.expect("sudah kami kirim ke koordinator")

    await world.tick()
    request = await coordinator.expect("Permintaan perpanjangan")
    decline = next(b.data for row in request.buttons for b in row if b.text == "Tolak")
    await coordinator.press("Setujui")
    await coordinator.expect("Disetujui")
    await world.tick()
    await focal.expect("Perpanjangan disetujui")
    # A second tap on the decided request says so.
    await coordinator.press_data(decline, request.message_id)
    await coordinator.expect("sudah disetujui")

    # The old H-3 (Monday 14 December) is skipped; the new H-7 comes on 31 December... which
    # is a working day: Thursday 31 December 2026, 08.00 WITA.
    world.clock.set(wita(2026, 12, 14, 9))
    await world.tick()
    await focal.quiet(0.3)
    world.clock.set(wita(2026, 12, 31, 8))
    await world.tick()
    await focal.expect("8 hari lagi")


async def test_done_stops_reminders_and_overdue_escalates(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    other = await focal_point(world, "Ibu Maria")
    await coordinator.send("/start")
    await create_deadline(coordinator, "Dokumen SOP", "09-12-2026 16.00")
    assert "2 petugas penghubung" in coordinator.last.text

    world.clock.set(wita(2026, 12, 8, 8))  # H-1
    await world.tick()
    await focal.expect("besok")
    await other.expect("besok")
    await focal.press("Sedang dikerjakan")
    await focal.expect("sedang dikerjakan")

    world.clock.set(wita(2026, 12, 10, 8))  # the day after: overdue
    await world.tick()
    await other.expect("terlambat 1 hari")
    await other.press("Sudah selesai")
    await other.expect("Terima kasih")
    world.clock.set(wita(2026, 12, 14, 9))
    await world.tick()
    await focal.quiet(0.3)
    await coordinator.quiet(0.1)  # answered: no escalation


async def test_no_answer_escalates_after_two_working_days(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(coordinator, "Dokumen SOP", "11-12-2026 16.00")  # Friday
    # The bot was down from Monday to Tuesday 15 December 17.00: only the newest reminder.
    world.clock.set(wita(2026, 12, 15, 17))
    await world.tick()
    await coordinator.expect("Belum ada jawaban dari RSUD S.K. Lerik")
    reminders = [m for m in focal.messages if "tenggat" in m.text.lower()]
    assert len(reminders) == 1, focal.transcript()
    assert "terlambat" in reminders[0].text


async def test_coordinator_edits_and_cancels(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(coordinator, "Dokumen SOP", "17-12-2026 16.00")
    await coordinator.send("/tenggat")
    await coordinator.press("1. Dokumen SOP")
    await coordinator.expect("belum ada jawaban")
    await coordinator.press("Ubah tanggal")
    await coordinator.send("01-01-2020")
    await coordinator.expect("sudah lewat")
    await coordinator.send("21-12-2026 16.00")
    await coordinator.expect("Tersimpan")
    await world.tick()
    await focal.expect("tanggal baru")
    await coordinator.send("/tenggat")
    await coordinator.press("1. Dokumen SOP")
    await coordinator.press("Batalkan tenggat")
    await coordinator.press("Ya, batalkan")
    await coordinator.expect("dibatalkan")
    await world.tick()
    await focal.expect("telah dibatalkan")
    world.clock.set(wita(2026, 12, 14, 9))
    await world.tick()
    await focal.quiet(0.3)


async def test_help_request_reaches_every_coordinator(world: World) -> None:
    coordinator = world.coordinator()
    second = world.coordinator("Bapak Koordinator")
    focal = await focal_point(world)
    await coordinator.send("/start")
    await second.send("/start")
    await create_deadline(coordinator, "Dokumen SOP pelayanan", "17-12-2026 16.00")
    world.clock.set(wita(2026, 12, 10, 8))
    await world.tick()
    await focal.expect("7 hari lagi")
    await focal.press("Butuh bantuan")
    await focal.expect("bantuan apa yang Bapak/Ibu perlukan")
    await focal.send("Kami belum punya contoh format SOP <yang benar>")
    await focal.expect("sudah kami teruskan ke koordinator")
    await world.tick()
    for person in (coordinator, second):
        told = await person.expect("meminta bantuan")
        assert "Bapak Yohanes (RSUD S.K. Lerik)" in told.text
        assert "Dokumen SOP pelayanan" in told.text
        assert "contoh format SOP <yang benar>" in told.text
        assert "Buka tenggat" in person.buttons()
    await coordinator.press("Buka tenggat")
    await coordinator.expect("RSUD S.K. Lerik: butuh bantuan")


async def test_self_assessment_reminder_opens_the_assessment(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(
        coordinator, "Swa-penilaian ISO 18091", "17-12-2026 16.00", kind="Swa-penilaian"
    )
    world.clock.set(wita(2026, 12, 10, 8))
    await world.tick()
    await focal.expect("Pengingat tenggat")
    await focal.press("Isi swa-penilaian")
    opened = await focal.expect("Swa-penilaian ISO 18091")
    assert "RSUD S.K. Lerik" in opened.text


async def test_coordinator_sets_the_reminder_hour_and_days(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await start_deadline(coordinator, "Laporan keuangan", "17-12-2026 16.00")
    assert "7, 3, dan 1 hari sebelumnya serta pada harinya, pukul 08.00 WITA" in (
        coordinator.last.text
    )
    await coordinator.press("Atur pengingat")
    await coordinator.expect("Pukul berapa")
    assert coordinator.buttons()[:4] == ["07.30", "08.00", "09.00", "13.00"]
    await coordinator.send("21.00")
    await coordinator.expect("antara 07.00 dan 17.00")
    await coordinator.send("10.30")
    await coordinator.expect("Berapa hari sebelum tenggat")
    await coordinator.send("5,3,1,0,70")
    await coordinator.expect("dari 0 sampai 60")
    await coordinator.send("5, 2")
    confirm = await coordinator.expect("Mohon periksa")
    assert "5 dan 2 hari sebelumnya, pukul 10.30 WITA" in confirm.text
    # Once more, with the buttons this time.
    await coordinator.press("Atur pengingat")
    await coordinator.press("07.30")
    await coordinator.press("Tetap 5,2")
    confirm = await coordinator.expect("Mohon periksa")
    assert "5 dan 2 hari sebelumnya, pukul 07.30 WITA" in confirm.text
    await coordinator.press("Simpan")
    await coordinator.expect("Tenggat tersimpan")

    # A stale hour button from the finished dialogue is refused politely.
    await coordinator.press("09.00")
    await coordinator.expect("langkah ini sudah tidak berlaku")

    world.clock.set(wita(2026, 12, 11, 7, 30))  # H-5 is Saturday 12: Friday 11, 07.30
    await world.tick()
    await focal.expect("6 hari lagi")
    world.clock.set(wita(2026, 12, 15, 7, 30))  # H-2
    await world.tick()
    await focal.expect("2 hari lagi")
    world.clock.set(wita(2026, 12, 17, 12))  # no reminder on the day itself
    await world.tick()
    await focal.quiet(0.3)


async def test_recurring_deadline_comes_back_with_its_next_occurrence(world: World) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(
        coordinator, "Laporan bulanan pelayanan", "31-12-2026 14.00", repeat="Bulanan"
    )
    world.clock.set(wita(2026, 12, 30, 8))  # H-1
    await world.tick()
    await focal.expect("besok")
    await focal.press("Sudah selesai")
    await focal.expect("Terima kasih")

    # Done by the only agency concerned: the next one is there at once, last day of January.
    await focal.send("/tenggat")
    listed = await focal.expect("Tenggat RSUD S.K. Lerik")
    assert "Laporan bulanan pelayanan" in listed.text
    assert "31 Jan 2027" in listed.text or "31 Januari 2027" in listed.text, listed.text
    assert "belum ada jawaban" in listed.text
    await coordinator.send("/tenggat")
    overview = await coordinator.expect("Tenggat program")
    assert "Bulanan, ke-2" in overview.text
    assert "Bulanan, ke-1" not in overview.text

    # Nobody answers January: once it has passed, the periodic job brings February.
    world.clock.set(wita(2027, 1, 31, 15))
    assert await roll_series(world.deps) == 1
    assert await roll_series(world.deps) == 0
    async with world.sessions() as db:
        dues = (
            await db.scalars(
                select(Deadline.due_at)
                .where(Deadline.recurrence == Recurrence.MONTHLY)
                .order_by(Deadline.occurrence)
            )
        ).all()
    assert dues == [wita(2026, 12, 31, 14), wita(2027, 1, 31, 14), wita(2027, 2, 28, 14)]
    await coordinator.send("/tenggat")
    overview = await coordinator.expect("Tenggat program")
    assert "Bulanan, ke-2" in overview.text  # still open: nobody has said it is done
    assert "Bulanan, ke-3" in overview.text
    world.clock.set(wita(2027, 2, 19, 8))  # H-7 of February (Sunday 21 -> Friday 19)
    await world.tick()
    await focal.expect("hari lagi")


async def test_coordinator_who_is_a_focal_point_sees_both_lists(world: World) -> None:
    coordinator = world.coordinator()
    await coordinator.send("/start")
    await create_deadline(coordinator, "Dokumen SOP", "17-12-2026 16.00")
    await focal_point(world, "Ibu Koordinator", person=coordinator)
    await coordinator.send("/tenggat")
    await coordinator.expect("Tenggat program")
    texts = [m.text for m in coordinator.messages[-2:]]
    assert texts[0].startswith("Tenggat RSUD S.K. Lerik"), texts
    assert texts[1].startswith("Tenggat program"), texts


async def test_focal_point_cannot_reach_another_agencys_deadline(world: World) -> None:
    focal = await focal_point(world)  # RSUD S.K. Lerik
    async with world.sessions() as db, db.begin():
        rsud, setda = await agencies.find(db, "RSUD S.K. Lerik"), await agencies.find(db, "Setda")
        assert rsud is not None and setda is not None
        new = NewDeadline("Laporan rahasia Setda", wita(2026, 12, 17, 16), agency_id=setda.id)
        theirs = await deadlines.create(db, world.clock, world.deps.calendar, new, None)
        planned = await db.scalar(select(func.count()).select_from(OutboxMessage))
    await focal.send("/tenggat")
    listed = await focal.expect("Tenggat RSUD S.K. Lerik")
    assert "Laporan rahasia Setda" not in listed.text

    # Buttons forged with Setda's deadline, for Setda and for the focal point's own agency.
    forged = [OpenDeadlineButton(theirs.id, agency_id) for agency_id in (setda.id, rsud.id)] + [
        AnswerDeadlineButton(theirs.id, agency_id, action)
        for agency_id in (setda.id, rsud.id)
        for action in AnswerAction
    ]
    for button in forged:
        refused = await focal.press_data(button.pack())
        assert "tidak tersedia" in refused.text, focal.transcript()
        assert "Laporan rahasia Setda" not in refused.text
    # Nothing was recorded, asked or opened: a text now is no help request.
    await focal.send("Tolong kirim datanya")
    await focal.expect("belum memahami pesan itu")
    async with world.sessions() as db:
        me = await people.find_by_telegram_id(db, focal.user_id)
        assert me is not None
        assert await dialogue.current(db, me.id) is None
        assert (await db.scalars(select(DeadlineAck))).all() == []
        assert (await db.scalars(select(ExtensionRequest))).all() == []
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == planned


async def test_a_new_deadline_is_announced_at_once_and_stands_in_for_passed_reminders(
    world: World,
) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    # Monday 09.00; due Thursday: the reminders of 7 and 3 days before (08.00) have passed.
    await create_deadline(coordinator, "Dokumen SOP", "10-12-2026 16.00")
    saved = coordinator.last.text
    assert "baru saja kami umumkan kepada 1 petugas penghubung" in saved
    assert "Waktu pengingat 7 dan 3 hari sebelumnya sudah lewat" in saved
    assert "Pengingat berikutnya: Rabu, 9 Desember 2026 pukul 08.00 WITA" in saved

    await world.tick()  # the bot wakes its dispatcher itself; the test does it here
    announced = await focal.expect("Tenggat baru untuk RSUD S.K. Lerik")
    assert "Dokumen SOP" in announced.text
    assert "Kamis, 10 Desember 2026 pukul 16.00 WITA (3 hari lagi)" in announced.text
    assert "Kami akan mengingatkan lagi pada Rabu, 9 Desember 2026 pukul 08.00 WITA" in (
        announced.text
    )
    assert "Sedang dikerjakan" in focal.buttons()
    assert len(focal.messages) == 1, focal.transcript()  # not a late reminder besides

    world.clock.set(wita(2026, 12, 9, 8))
    await world.tick()
    await focal.expect("Pengingat tenggat — besok")


async def test_a_deadline_set_for_today_is_announced_once_and_says_no_reminder_is_left(
    world: World,
) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(coordinator, "Daftar hadir rapat", "07-12-2026 16.00")
    assert "Tidak ada lagi pengingat sebelum batas waktunya" in coordinator.last.text
    await world.tick()
    await focal.expect("Tenggat baru untuk RSUD S.K. Lerik")
    assert len(focal.messages) == 1, focal.transcript()
    world.clock.set(wita(2026, 12, 7, 15))
    await world.tick()
    await focal.quiet(0.3)


async def test_opening_a_deadline_from_the_list_shows_the_deadline_not_a_reminder(
    world: World,
) -> None:
    coordinator = world.coordinator()
    focal = await focal_point(world)
    await coordinator.send("/start")
    await create_deadline(coordinator, "Dokumen SOP", "17-12-2026 16.00")
    # The announcement first: the bot wakes its dispatcher itself, so it could land between
    # the list and the tap, and be read as the tap's answer.
    await world.tick()
    await focal.expect("Tenggat baru untuk RSUD S.K. Lerik")
    await focal.send("/tenggat")
    opened = await focal.press("1. Dokumen SOP")
    assert opened.text.startswith("Dokumen SOP\n")
    assert "Pengingat" not in opened.text
    assert "Kamis, 17 Desember 2026 pukul 16.00 WITA (10 hari lagi)" in opened.text
    assert "Jawaban perangkat daerah Bapak/Ibu: belum ada jawaban" in opened.text
    await focal.press("Sedang dikerjakan")
    await focal.send("/tenggat")
    again = await focal.press("1. Dokumen SOP")
    assert "Jawaban perangkat daerah Bapak/Ibu: sedang dikerjakan" in again.text
