"""The coordinators' overview on real databases: counts, attention, deadlines, ISO, unreachable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import Content, load_content
from bot.services import (
    agencies,
    assessment,
    businesses,
    checklists,
    deadlines,
    people,
    questions,
    reports,
)
from bot.services.calendar import work_calendar
from bot.services.deadlines.changes import NewDeadline
from bot.services.errors import NotFound
from bot.services.reports import agencies as agency_reports
from db.models import AckStatus, AnswerValue, AssessmentState, Business, Light, Role

WITA = ZoneInfo("Asia/Makassar")
CONTENT = load_content()
INDICATORS = len(CONTENT.iso18091.indicators)


async def _business(
    db: AsyncSession,
    clock: FakeClock,
    name: str,
    sector: str,
    *,
    owner_tg: int | None = None,
    phone: str | None = None,
) -> Business:
    business = await businesses.create(
        db,
        clock,
        name=name,
        owner_name=f"Ibu {name}",
        sector=sector,
        sectors=CONTENT.sector_keys,
        phone=phone,
    )
    if owner_tg is not None:
        owner = await people.register(db, clock, owner_tg, f"Ibu {name}", [Role.UMKM])
        await businesses.set_owner(db, clock, business.id, owner.id)
    return business


async def _submit(
    db: AsyncSession, clock: FakeClock, content: Content, business: Business, value: AnswerValue
) -> int:
    """Fill the whole checklist with one answer and send it; the score."""
    view = await checklists.start_or_resume(db, clock, content, business)
    for item in view.checklist.items:
        await checklists.record_answer(db, clock, content, business, view.run.id, item.id, value)
    return (await checklists.submit(db, clock, content, business, view.run.id)).score.percent


@dataclass
class Pilot:
    kue: int
    tenun: int
    sasando: int
    kue_owner: int
    rsud: int
    setda: int
    rsud_focal: int
    late_deadline: int
    soon_deadline: int


@pytest.fixture
async def pilot(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> Pilot:
    """Three businesses (one not joined), two focal points, three deadlines; ten days on."""
    cal = work_calendar(WITA)
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        setda = await agencies.find(db, "Setda")
        assert rsud is not None and setda is not None
        coordinator = await people.ensure_coordinator(db, clock, 8001, "Ibu Koordinator")
        rsud_focal = await people.register(db, clock, 8002, "Bapak Yohanes", [Role.FOCAL])
        setda_focal = await people.register(db, clock, 8003, "Ibu Ana", [Role.FOCAL])
        await agencies.add_member(db, clock, rsud.id, rsud_focal.id)
        await agencies.add_member(db, clock, setda.id, setda_focal.id)

        kue = await _business(db, clock, "Kue Ina", "kue", owner_tg=8101, phone="0812 3456 789")
        tenun = await _business(db, clock, "Tenun Ama", "tenun", owner_tg=8102)
        sasando = await _business(db, clock, "Sasando Rote", "sasando")
        # Kue Ina: all Sebagian (50%). Tenun Ama: first all Belum, then all Ya (latest 100%).
        assert await _submit(db, clock, CONTENT, kue, AnswerValue.PARTLY) == 50
        assert await _submit(db, clock, CONTENT, tenun, AnswerValue.NO) == 0

        late = await deadlines.create(
            db,
            clock,
            cal,
            NewDeadline("Dokumen SOP <RSUD>", clock.now() + timedelta(days=5), rsud.id),
            coordinator.id,
        )
        soon = await deadlines.create(
            db,
            clock,
            cal,
            NewDeadline("Laporan triwulan", clock.now() + timedelta(days=12)),
            coordinator.id,
        )
        await deadlines.create(
            db,
            clock,
            cal,
            NewDeadline("Rencana tahunan", clock.now() + timedelta(days=40)),
            coordinator.id,
        )
        await deadlines.acknowledge(db, clock, soon.id, rsud.id, rsud_focal.id, AckStatus.DONE)
        await deadlines.acknowledge(
            db, clock, soon.id, setda.id, setda_focal.id, AckStatus.IN_PROGRESS
        )
        kue_owner = kue.owner_id
        assert kue_owner is not None
        ids = (kue.id, tenun.id, sasando.id, kue_owner, rsud.id, setda.id, rsud_focal.id)
        late_id, soon_id = late.id, soon.id

    clock.advance(timedelta(days=10))
    async with sessions() as db, db.begin():
        tenun_row = await db.get(Business, ids[1])
        assert tenun_row is not None
        assert await _submit(db, clock, CONTENT, tenun_row, AnswerValue.YES) == 100
        assert tenun_row.owner_id is not None
        await businesses.set_nudge_hour(db, clock, tenun_row.owner_id, 8)  # active today
        period = assessment.period_of(clock.now(), WITA)
        sheet, _ = await assessment.open_current(db, clock, rsud_focal.id, period)
        for indicator in CONTENT.iso18091.indicators[:4]:
            await assessment.rate(
                db, clock, CONTENT.iso18091, rsud_focal.id, sheet.id, indicator.id, Light.GREEN
            )
    return Pilot(*ids, late_id, soon_id)


async def test_summary_counts_averages_and_names_who_needs_attention(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db:
        data = await reports.summary(db, clock, WITA, INDICATORS)
    b = data.businesses
    assert (b.invited, b.joined, b.submitted) == (3, 2, 2)
    assert b.average == 75  # the latest versions: 50% and 100% (not the older 0%)
    # Idle for a week first (lowest readiness first), then the active one.
    assert [r.id for r in b.attention] == [pilot.sasando, pilot.kue, pilot.tenun]
    assert [r.readiness for r in b.attention] == [None, 50, 100]
    assert [r.joined for r in b.attention] == [False, True, True]
    assert b.attention[1].inactive(clock.now())
    assert not b.attention[2].inactive(clock.now())


async def test_summary_deadlines_overdue_first_with_answers_per_agency(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db:
        data = await reports.summary(db, clock, WITA, INDICATORS)
    # The 40-day one is outside the window; the overdue one comes first.
    assert [d.id for d in data.deadlines] == [pilot.late_deadline, pilot.soon_deadline]
    late, soon = data.deadlines
    assert (late.agencies, late.answered, late.done, late.late) == (1, 0, 0, 1)
    assert late.title == "Dokumen SOP <RSUD>"
    assert (soon.agencies, soon.answered, soon.done, soon.late) == (
        len(agencies.PILOT_AGENCIES),
        2,
        1,
        0,
    )


async def test_done_overdue_deadline_leaves_the_summary(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db, db.begin():
        await deadlines.acknowledge(
            db, clock, pilot.late_deadline, pilot.rsud, pilot.rsud_focal, AckStatus.DONE
        )
    async with sessions() as db:
        data = await reports.summary(db, clock, WITA, INDICATORS)
    assert [d.id for d in data.deadlines] == [pilot.soon_deadline]


async def test_summary_iso_questions_and_unreachable(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db, db.begin():
        owner = await people.get(db, pilot.kue_owner)
        assert owner is not None
        await questions.ask(
            db, clock, work_calendar(WITA), owner, "Bagaimana cara mengurus P-IRT?"
        )
        await people.mark_unreachable(db, clock, pilot.kue_owner)
        await people.mark_unreachable(db, clock, pilot.rsud_focal)
    clock.advance(timedelta(days=3))
    async with sessions() as db:
        data = await reports.summary(db, clock, WITA, INDICATORS)
    assert data.period == "2026-Q4"
    assert data.indicators == 39
    iso = {row.agency_id: row for row in data.iso}
    assert len(iso) == len(agencies.PILOT_AGENCIES)
    assert (iso[pilot.rsud].rated, iso[pilot.rsud].submitted) == (4, False)
    assert iso[pilot.setda].rated == 0
    assert data.questions.open == 1
    assert data.questions.oldest_at == clock.now() - timedelta(days=3)
    assert data.unreachable_total == 2
    by_id = {row.person_id: row for row in data.unreachable}
    kue = by_id[pilot.kue_owner]
    assert (kue.business, kue.phone, kue.agency) == ("Kue Ina", "0812 3456 789", None)
    assert kue.roles == frozenset({Role.UMKM})
    assert kue.since == clock.now() - timedelta(days=3)
    focal = by_id[pilot.rsud_focal]
    assert (focal.business, focal.agency) == (None, "RSUD S.K. Lerik")


async def test_agency_overview_per_agency(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db:
        data = await reports.agency_overview(db, clock, WITA, INDICATORS)
    rows = {row.id: row for row in data.rows}
    rsud, setda = rows[pilot.rsud], rows[pilot.setda]
    # RSUD: the SOP is late; the quarterly report is done, so nothing is coming up.
    assert (rsud.late, rsud.upcoming, rsud.next_title, rsud.iso_rated) == (1, 0, None, 4)
    # Setda: only "in progress" on the quarterly report, due in two days.
    assert (setda.late, setda.upcoming, setda.next_title) == (0, 1, "Laporan triwulan")
    assert setda.next_due is not None
    assert setda.next_due - clock.now() == timedelta(days=2)


async def test_agency_records_count_lights_per_quarter(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    iso = CONTENT.iso18091
    async with sessions() as db, db.begin():
        sheet = (await assessment.agency_sheets(db, pilot.rsud, 1))[0]
        first, second, _, _, fifth, sixth = (i.id for i in iso.indicators[:6])
        await assessment.rate(db, clock, iso, pilot.rsud_focal, sheet.id, first, Light.RED)
        await assessment.rate(db, clock, iso, pilot.rsud_focal, sheet.id, second, Light.YELLOW)
        await assessment.rate(db, clock, iso, pilot.rsud_focal, sheet.id, fifth, Light.YELLOW)
        # A note alone is no light.
        await assessment.set_note(db, clock, iso, pilot.rsud_focal, sheet.id, sixth, "SOP")
    clock.advance(timedelta(days=92))  # the next quarter: the lights above are last quarter's
    async with sessions() as db:
        records = await agency_reports.agency_records(db, clock, WITA, INDICATORS)
        page = await agency_reports.agency_page(db, clock, WITA, INDICATORS, pilot.rsud)
    assert records.periods[:2] == ("2027-Q1", "2026-Q4")
    rows = {row.id: row for row in records.rows}
    assert len(rows) == len(agencies.PILOT_AGENCIES)
    rsud = rows[pilot.rsud]
    assert [(q.period, q.state, q.red, q.yellow, q.green) for q in rsud.quarters] == [
        ("2027-Q1", None, 0, 0, 0),
        ("2026-Q4", AssessmentState.DRAFT, 1, 2, 2),
        ("2026-Q3", None, 0, 0, 0),
        ("2026-Q2", None, 0, 0, 0),
    ]
    assert page.record.quarters == rsud.quarters
    assert [q.state for q in rows[pilot.setda].quarters] == [None] * 4


async def test_business_pages_by_name_and_detail(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, pilot: Pilot
) -> None:
    async with sessions() as db, db.begin():
        for n in range(10):
            await _business(db, clock, f"usaha {n:02d}", "kue")
    async with sessions() as db:
        first = await reports.business_page(db, 0)
        second = await reports.business_page(db, 1)
        beyond = await reports.business_page(db, 7)
        detail = await reports.business_detail(db, clock, CONTENT, pilot.tenun)
        with pytest.raises(NotFound):
            await reports.business_detail(db, clock, CONTENT, 999_999)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (13, 2, 10, 3)
    names = [r.name for r in (*first.rows, *second.rows)]
    assert names == sorted(names, key=str.lower)
    assert beyond.page == 1
    assert detail.row.readiness == 100
    assert detail.progress.latest is not None and detail.progress.previous is not None
    assert detail.progress.previous.score.percent == 0


async def test_empty_programme_summary(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db:
        data = await reports.summary(db, clock, WITA, INDICATORS)
        page = await reports.business_page(db, 3)
        nobody = await reports.unreachable_page(db, 0)
    b = data.businesses
    assert (b.invited, b.joined, b.submitted, b.average, b.attention) == (0, 0, 0, None, ())
    assert data.deadlines == () and data.iso == ()
    assert (data.questions.open, data.questions.oldest_at) == (0, None)
    assert (page.page, page.pages, page.rows) == (0, 1, ())
    assert (nobody.total, nobody.rows) == (0, ())
