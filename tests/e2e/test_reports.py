"""/rekap end to end: a coordinator reads the programme's progress and who cannot be reached."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import numpy as np
from matplotlib import image as mpimg
from matplotlib.colors import to_rgb

from bot import charts
from bot.render import report_charts
from bot.render.reports import ReportAction, ReportButton
from bot.services import agencies, businesses, deadlines, people
from bot.services.calendar import work_calendar
from bot.services.deadlines.changes import NewDeadline
from bot.services.reports.charts import chart_data
from db.models import Role
from tests.support.people import Person
from tests.support.world import World


async def _business(world: World, owner: Person | None, name: str, sector: str = "kue") -> int:
    """A business (invited by the coordinator); with an owner who joined and consented."""
    async with world.sessions() as db, db.begin():
        business = await businesses.create(
            db,
            world.clock,
            name=name,
            owner_name="Ibu Maria",
            sector=sector,
            sectors=world.deps.content.sector_keys,
            phone="0812 1111 2222",
        )
        if owner is not None:
            person = await people.register(
                db, world.clock, owner.user_id, "Ibu Maria", roles=[Role.UMKM]
            )
            person.consent_at = world.clock.now()
            await businesses.set_owner(db, world.clock, business.id, person.id)
        return business.id


async def _rsud_deadline(world: World, *, days: int, focal: Person | None = None) -> None:
    """The pilot agencies, RSUD S.K. Lerik's focal point, and its deadline due in `days`."""
    async with world.sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, world.clock)
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        assert rsud is not None
        if focal is not None:
            member = await people.register(
                db, world.clock, focal.user_id, "Bapak Yohanes", roles=[Role.FOCAL]
            )
            member.consent_at = world.clock.now()
            await agencies.add_member(db, world.clock, rsud.id, member.id)
        due = world.clock.now() + timedelta(days=days)
        await deadlines.create(
            db,
            world.clock,
            work_calendar(world.deps.settings.timezone),
            NewDeadline("Dokumen SOP pelayanan", due, rsud.id),
            None,
        )


async def _submit_checklist(world: World, owner: Person) -> int:
    """The owner fills the whole checklist through the bot and sends it; the percent."""
    total = len(world.deps.content.checklist_for("kue").items)
    await owner.send("/cek")
    for n in range(total):
        reply = await owner.press("Ya" if n % 2 == 0 else "Belum")
    assert "Ringkasan: Kesiapan SNI — Kue lokal" in reply.text
    sent = await owner.press("Kirim")
    assert "sudah terkirim" in sent.text
    found = re.search(r"(\d+)%", sent.text)
    assert found is not None
    return int(found.group(1))


async def test_coordinator_sees_the_numbers_after_a_business_sent_its_checklist(
    world: World,
) -> None:
    maria = world.person("Maria")
    await _business(world, maria, "Kue Ina <Oesapa>")
    await _business(world, None, "Tenun Ama")
    coordinator = world.coordinator()

    before = await coordinator.send("/rekap")
    assert "Rekap kemajuan program" in before.text
    assert "Diundang 2 · bergabung 1 · mengirim cek kesiapan 0" in before.text
    assert "Rata-rata kesiapan" not in before.text
    assert "Semua peserta dapat dihubungi." in before.text
    assert coordinator.buttons() == [
        "UMKM",
        "Perangkat daerah",
        "Tidak dapat dihubungi",
        "📊 Grafik",
        "Menu utama",
    ]

    percent = await _submit_checklist(world, maria)

    summary = await coordinator.send("/rekap")
    assert "Diundang 2 · bergabung 1 · mengirim cek kesiapan 1" in summary.text
    assert f"Rata-rata kesiapan: {percent}%" in summary.text
    # The name is escaped, not taken for markup.
    assert "Kue Ina &lt;Oesapa&gt;" in summary.html
    # Who needs attention: the one that has not joined, then the one at its readiness.
    assert "1. Tenun Ama (Kue lokal) · belum bergabung" in summary.text
    assert f"2. Kue Ina <Oesapa> (Kue lokal) · siap {percent}% · aktif hari ini" in summary.text

    listing = await coordinator.press("UMKM")
    assert "2 UMKM binaan" in listing.text
    assert f"siap {percent}%" in listing.text
    assert "aktif hari ini" in listing.text
    detail = await coordinator.press("Kue Ina <Oesapa>")
    assert f"Kesiapan: {percent}%" in detail.text
    assert "Langkah berikutnya:" in detail.text
    back = await coordinator.press("Daftar UMKM")
    assert "2 UMKM binaan" in back.text
    again = await coordinator.press("Rekap")
    assert "Rekap kemajuan program" in again.text

    # The same overview from the main menu.
    await coordinator.send("/menu")
    from_menu = await coordinator.press("Rekap kemajuan")
    assert "Rekap kemajuan program" in from_menu.text


async def test_focal_point_who_blocked_the_bot_is_listed_as_unreachable(world: World) -> None:
    yohanes = world.person("Yohanes")
    await _rsud_deadline(world, days=10, focal=yohanes)
    coordinator = world.coordinator()
    summary = await coordinator.send("/rekap")
    assert "Dokumen SOP pelayanan" in summary.text
    assert "0 dari 1 menjawab, 0 selesai" in summary.text
    assert "RSUD S.K. Lerik 0/39" in summary.text

    # Yohanes blocked the bot: the new deadline's announcement is refused with 403.
    world.api.faults.add(method="sendMessage", kind="403", chat_id=yohanes.user_id)
    report = await world.tick()
    assert report.blocked == 1

    summary = await coordinator.send("/rekap")
    assert "Bapak Yohanes" in summary.text
    assert "• Bapak Yohanes (" in summary.text
    assert "RSUD S.K. Lerik) · sejak hari ini → mohon hubungi lewat telepon kantornya" in (
        summary.text
    )
    assert "Semua peserta dapat dihubungi." not in summary.text
    listing = await coordinator.press("Tidak dapat dihubungi")
    assert "Tidak dapat dihubungi (memblokir bot)" in listing.text
    assert "RSUD S.K. Lerik) · sejak hari ini → mohon hubungi lewat telepon kantornya" in (
        listing.text
    )
    assert "/start" in listing.text

    await coordinator.press("Rekap")
    agencies_view = await coordinator.press("Perangkat daerah")
    assert "RSUD S.K. Lerik" in agencies_view.text
    assert "Berikutnya: Dokumen SOP pelayanan (10 hari lagi)" in agencies_view.text


async def test_forged_report_buttons_from_others_are_refused(world: World) -> None:
    maria = world.person("Maria")
    await _business(world, maria, "Kue Ina")
    await maria.send("/menu")
    refused = await maria.press_data(ReportButton(ReportAction.UNREACHABLE).pack())
    assert "tidak tersedia untuk peran" in refused.text
    assert "Tidak dapat dihubungi" not in refused.text
    refused = await maria.send("/rekap")
    assert "tidak tersedia untuk peran" in refused.text

    coordinator = world.coordinator()
    await coordinator.send("/rekap")
    stale = await coordinator.press_data("rk:zz:0")
    assert "tidak berlaku" in stale.text
    gone = await coordinator.press_data(ReportButton(ReportAction.BUSINESS, business=99999).pack())
    assert "tidak kami temukan" in gone.text
    assert "Tidak dapat dihubungi" not in gone.text


def _colour_at(png: bytes, chart: charts.BarChart, slot: int, series: int) -> str:
    """The series whose colour the bar part shows in the picture ("" when none does)."""
    pixels = np.asarray(mpimg.imread(io.BytesIO(png), format="png"))
    assert (pixels.shape[1], pixels.shape[0]) == charts.bar_size_px(chart)
    x, y = charts.segment_centre(chart, slot, series)
    return next(
        (
            label
            for label, colour in chart.series
            if np.allclose(pixels[y, x, :3], to_rgb(colour), atol=2 / 255)
        ),
        "",
    )


async def test_charts_come_as_photos_drawn_from_the_programme_data(world: World) -> None:
    maria = world.person("Maria")
    await _business(world, maria, "Kue Ina")
    await _submit_checklist(world, maria)
    await _rsud_deadline(world, days=1)
    await maria.send("/tanya")
    await maria.send("Bagaimana cara mendaftar P-IRT?")
    world.clock.advance(timedelta(days=4))  # the deadline passed undone; the question waits

    coordinator = world.coordinator()
    await coordinator.send("/rekap")
    mark = len(world.api.calls)
    await coordinator.press("📊 Grafik")
    photos = [params for method, params in world.api.calls[mark:] if method == "sendPhoto"]
    assert len(photos) == 4
    shown = [m for m in coordinator.messages if m.photo is not None]
    assert len(shown) == 4 and all(m.photo.startswith(b"\x89PNG") for m in shown)  # type: ignore[union-attr]
    assert "Kesiapan setiap UMKM" in shown[0].text
    assert [b.text for row in shown[-1].buttons for b in row] == ["Rekap", "Menu utama"]

    async with world.sessions() as db:
        data = await chart_data(db, world.clock, world.deps.settings.timezone, 39)
    tr = world.deps.i18n.translator("id")
    sectors = {s.key: s.name for s in world.deps.content.sectors}
    readiness = report_charts.readiness(tr, data, sectors)
    assert readiness.slots()[:2] == (("Kue lokal", None), ("Kue Ina", readiness.slots()[1][1]))
    assert _colour_at(shown[0].photo, readiness, 1, 0) == "Kesiapan"  # type: ignore[arg-type]
    due = report_charts.deadlines(tr, data)
    assert due.slots() == (("RSUD S.K. Lerik", None), ("Des 2026", (0.0, 0.0, 1.0)))
    assert _colour_at(shown[1].photo, due, 1, 2) == "terlewat"  # type: ignore[arg-type]
    lights = report_charts.lights(tr, data)
    assert _colour_at(shown[2].photo, lights, 0, 3) == "Belum dinilai"  # type: ignore[arg-type]
    ages = report_charts.question_ages(tr, data)
    assert [v for _, v in ages.slots()] == [(0.0,), (0.0,), (1.0,), (0.0,)]
    assert _colour_at(shown[3].photo, ages, 2, 0) == "Pertanyaan"  # type: ignore[arg-type]
