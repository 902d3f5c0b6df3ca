"""Forgetting a person on request: their data goes, the programme's records stay."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import evidence, invitations, people, privacy, questions
from bot.services.calendar import work_calendar
from bot.services.errors import NotFound
from db.models import AuditEvent, Business, Evidence, Person, PersonRole, Question
from tests.support.png import tiny_png


async def _owner_with_a_question(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, data_dir: Path
) -> int:
    async with sessions() as db, db.begin():
        business, _, code = await invitations.invite_business(
            db,
            clock,
            business_name="Tenun Ina",
            owner_name="Maria Ndun",
            sector="tenun",
            sectors=("tenun",),
            created_by_id=None,
            phone="0812 3456 7890",
        )
        await invitations.accept(db, clock, code, 7001, "Maria")
        owner = await people.find_by_telegram_id(db, 7001)
        assert owner is not None
        photo = await evidence.save_evidence(
            db,
            clock,
            data_dir,
            person_id=owner.id,
            data=tiny_png(9),
            mime="image/png",
            filename="benang.png",
        )
        calendar = work_calendar(ZoneInfo("Asia/Makassar"), {})
        await questions.ask(
            db, clock, calendar, owner, "Benang apa yang cocok?", evidence_id=photo.id
        )
        return business.id


async def test_forget_removes_the_person_and_what_they_sent(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, tmp_path: Path
) -> None:
    business_id = await _owner_with_a_question(sessions, clock, tmp_path)
    async with sessions() as db, db.begin():
        forgotten = await privacy.forget(db, clock, 7001)
    assert forgotten.roles == ("umkm",)
    assert forgotten.questions == 1
    assert forgotten.businesses == 1
    assert all((tmp_path / p).exists() for p in forgotten.evidence_paths)
    await privacy.remove_files(tmp_path, forgotten.evidence_paths)
    assert not any((tmp_path / p).exists() for p in forgotten.evidence_paths)
    async with sessions() as db:
        for table in (Person, PersonRole, Question, Evidence):
            assert await db.scalar(select(func.count()).select_from(table)) == 0, table
        business = await db.get(Business, business_id)
        assert business is not None  # the programme's record stays
        assert (business.owner_id, business.owner_name, business.phone) == (None, "", None)
        trail = (await db.scalars(select(AuditEvent.action))).all()
        assert "person.forgotten" in trail
        assert (
            await db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.person_id.is_not(None))
            )
            == 0
        )


async def test_forgetting_nobody_is_not_found(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        with pytest.raises(NotFound):
            await privacy.forget(db, clock, 424242)
