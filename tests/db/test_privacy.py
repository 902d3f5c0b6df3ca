"""Forgetting a person on request: their data goes, the programme's records stay."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock, SystemClock
from bot.services import evidence, invitations, people, privacy, questions
from bot.services.calendar import work_calendar
from bot.services.errors import NotFound
from db.models import AuditEvent, Business, Evidence, Person, PersonRole, Question, Role
from db.session import create_engine, create_session_factory
from tests.db.test_checklists import tiny_png

ROOT = Path(__file__).resolve().parents[2]


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


def test_the_command_shows_first_and_deletes_with_yes(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_USERNAME": "KupangUMKMBot",
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    unknown = run("forget", "7001")
    assert unknown.returncode == 1
    assert "nobody with Telegram id 7001" in unknown.stderr

    async def register() -> None:
        engine = create_engine(env["DATABASE_URL"])
        async with create_session_factory(engine)() as db, db.begin():
            await people.register(db, SystemClock(), 7001, "Pak Agus", [Role.MENTOR])
        await engine.dispose()

    asyncio.run(register())
    shown = run("forget", "7001")
    assert shown.returncode == 1
    assert "would delete: person 1 (mentor)" in shown.stdout
    assert "run again with --yes" in shown.stderr
    done = run("forget", "7001", "--yes")
    assert done.returncode == 0, done.stderr
    assert "deleted: person 1 (mentor)" in done.stdout
    assert "nobody with Telegram id 7001" in run("forget", "7001").stderr
