"""Deadlines end to end: a coordinator and a focal point driving the real bot."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services import agencies, people
from db.models import Role
from tests.e2e.conftest import World
from tests.e2e.people import Person

WITA = ZoneInfo("Asia/Makassar")


def wita(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WITA).astimezone(UTC)


async def focal_point(world: World, name: str = "Bapak Yohanes") -> Person:
    person = world.person(name)
    async with world.sessions() as db, db.begin():
        known = await people.register(db, world.clock, person.user_id, name, [Role.FOCAL])
        known.consent_at = world.clock.now()
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        assert rsud is not None
        await agencies.add_member(db, world.clock, rsud.id, known.id)
    return person


async def create_deadline(coordinator: Person, title: str, due: str) -> None:
    await coordinator.send("/tenggat")
    await coordinator.press("Tenggat baru")
    await coordinator.press("RSUD S.K. Lerik")
    await coordinator.send(title)
    await coordinator.send(due)
    await coordinator.press("Lewati")
    await coordinator.press("Sekali saja")
    await coordinator.press("Laporan")
    await coordinator.expect("Mohon periksa")
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
    assert "2 focal point" in coordinator.last.text

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
