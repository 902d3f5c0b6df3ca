"""The ISO 18091 self-assessment on real databases: ratings, sharing, submitting, periods."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import DEFAULT_CONTENT_ROOT, Iso18091, load_content
from bot.services import agencies, people
from bot.services import assessment as sa
from bot.services.errors import Invalid, Stale
from db.models import Assessment, AssessmentRating, AssessmentState, Light, Role


@pytest.fixture(scope="module")
def iso() -> Iso18091:
    return load_content(DEFAULT_CONTENT_ROOT).iso18091


async def _focal(db: AsyncSession, clock: FakeClock, telegram_id: int, agency: str) -> int:
    await agencies.seed_pilot_agencies(db, clock)
    person = await people.register(db, clock, telegram_id, f"Focal {telegram_id}", [Role.FOCAL])
    found = await agencies.find(db, agency)
    assert found is not None
    await agencies.add_member(db, clock, found.id, person.id)
    return person.id


async def test_ratings_are_kept_and_resume_where_left_off(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        focal = await _focal(db, clock, 7001, "Setda")
        sheet, position = await sa.open_current(db, clock, focal, "2026-Q4")
        assert position is None
        assert sheet.state is AssessmentState.DRAFT
        assert sheet.rated == 0
        await sa.rate(db, clock, iso, focal, sheet.id, "I01", Light.GREEN)
        # The fifth indicator of the social quadrant (index 2), one indicator per page.
        social = iso.quadrants[2].indicators[4].id
        sheet = await sa.rate(db, clock, iso, focal, sheet.id, social, Light.RED)
        assert sheet.rated == 2
        assert sheet.light("I01") is Light.GREEN
    async with sessions() as db, db.begin():
        again, position = await sa.open_current(db, clock, focal, "2026-Q4")
        assert again.id == sheet.id
        assert position == sa.Position(2, 4)
        assert again.light(social) is Light.RED
        assert again.ratings[social].rated_by_id == focal
        count = await db.scalar(select(func.count()).select_from(Assessment))
        assert count == 1


async def test_two_focal_points_share_one_assessment_last_rating_wins(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        yohanes = await _focal(db, clock, 7011, "RSUD S.K. Lerik")
        maria = await _focal(db, clock, 7012, "RSUD S.K. Lerik")
        first, _ = await sa.open_current(db, clock, yohanes, "2026-Q4")
        await sa.rate(db, clock, iso, yohanes, first.id, "E03", Light.RED)
    clock.advance(minutes=5)
    async with sessions() as db, db.begin():
        second, position = await sa.open_current(db, clock, maria, "2026-Q4")
        assert second.id == first.id
        assert position is None  # Maria has not opened a page yet
        assert second.light("E03") is Light.RED
        await sa.set_note(db, clock, iso, maria, second.id, "E03", "Data pasar belum lengkap")
        shared = await sa.rate(db, clock, iso, maria, second.id, "E03", Light.YELLOW)
        rating = shared.ratings["E03"]
        assert (rating.light, rating.rated_by_id, rating.note) == (
            Light.YELLOW,
            maria,
            "Data pasar belum lengkap",
        )
        assert rating.rated_at == clock.now()
    async with sessions() as db:
        rows = (await db.scalars(select(AssessmentRating))).all()
        assert len(rows) == 1


async def test_a_note_alone_does_not_count_as_rated(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        focal = await _focal(db, clock, 7021, "BKD")
        sheet, _ = await sa.open_current(db, clock, focal, "2026-Q4")
        sheet = await sa.set_note(db, clock, iso, focal, sheet.id, "L02", "Belum ada data")
        assert sheet.rated == 0
        assert sheet.ratings["L02"].note == "Belum ada data"
        with pytest.raises(Invalid):
            await sa.set_note(db, clock, iso, focal, sheet.id, "L02", "x" * 501)
        with pytest.raises(Invalid):
            await sa.set_note(db, clock, iso, focal, sheet.id, "L02", "   ")


async def test_submit_requires_all_39_and_freezes_the_assessment(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        focal = await _focal(db, clock, 7031, "Dukcapil")
        sheet, _ = await sa.open_current(db, clock, focal, "2026-Q4")
        lights = (Light.RED, Light.YELLOW, Light.GREEN)
        for index, indicator in enumerate(iso.indicators[:-1]):
            await sa.rate(db, clock, iso, focal, sheet.id, indicator.id, lights[index % 3])
        with pytest.raises(sa.Incomplete) as missing:
            await sa.submit(db, clock, iso, focal, sheet.id)
        assert missing.value.missing == 1
        await sa.rate(db, clock, iso, focal, sheet.id, iso.indicators[-1].id, Light.GREEN)
        done = await sa.submit(db, clock, iso, focal, sheet.id)
        assert done.state is AssessmentState.SUBMITTED
        assert done.submitted_at == clock.now()
        assert done.rated == 39
        per_quadrant = sa.counts(done, iso)
        assert [c.total for c in per_quadrant] == [10, 8, 12, 9]
        assert sum(c.rated for c in per_quadrant) == 39
    async with sessions() as db, db.begin():
        with pytest.raises(Stale):
            await sa.rate(db, clock, iso, focal, sheet.id, "I01", Light.RED)
        with pytest.raises(Stale):
            await sa.submit(db, clock, iso, focal, sheet.id)


async def test_another_agency_or_a_forged_indicator_is_stale(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        setda = await _focal(db, clock, 7041, "Setda")
        bkd = await _focal(db, clock, 7042, "BKD")
        sheet, _ = await sa.open_current(db, clock, setda, "2026-Q4")
        with pytest.raises(Stale):
            await sa.rate(db, clock, iso, bkd, sheet.id, "I01", Light.GREEN)
        with pytest.raises(Stale):
            await sa.rate(db, clock, iso, setda, sheet.id, "X99", Light.GREEN)
        with pytest.raises(Stale):
            await sa.rate(db, clock, iso, setda, sheet.id + 1000, "I01", Light.GREEN)
        lonely = await people.register(db, clock, 7043, "Tanpa Instansi", [Role.FOCAL])
        with pytest.raises(sa.NoAgency):
            await sa.open_current(db, clock, lonely.id, "2026-Q4")


async def test_each_period_is_kept_and_the_next_shows_hints(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, iso: Iso18091
) -> None:
    async with sessions() as db, db.begin():
        focal = await _focal(db, clock, 7051, "Setda")
        q4, _ = await sa.open_current(db, clock, focal, "2026-Q4")
        await sa.rate(db, clock, iso, focal, q4.id, "S01", Light.YELLOW)
    clock.advance(timedelta(days=40))
    async with sessions() as db, db.begin():
        q1, position = await sa.open_current(db, clock, focal, "2027-Q1")
        assert q1.id != q4.id
        assert q1.rated == 0
        assert position is None
        assert q1.hints == {"S01": Light.YELLOW}
        old = await sa.load(db, focal, q4.id)
        assert old.light("S01") is Light.YELLOW
        overview = await sa.period_overview(db, "2026-Q4")
        setda = next(row for row in overview if row.short_name == "Setda")
        assert setda.lights == {"S01": Light.YELLOW}
        assert setda.state is AssessmentState.DRAFT
        assert all(row.state is None for row in overview if row.short_name != "Setda")
        assert len(overview) == len(agencies.PILOT_AGENCIES)
