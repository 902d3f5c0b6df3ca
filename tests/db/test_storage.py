"""What the bot keeps on disk is its owner's alone; file names people send are made safe."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import evidence, people
from db.models import Role
from db.session import create_engine

PDF = b"%PDF-1.4\n%%EOF\n"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: the modes below come from the code, not from it
    try:
        database = tmp_path / "data" / "deep" / "bot.db"
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE said (body TEXT)"))
                await conn.execute(text("INSERT INTO said VALUES ('rahasia')"))
            async with engine.connect() as conn:  # WAL and SHM exist while a connection is open
                await conn.execute(text("SELECT body FROM said"))
                files = [database, *(database.with_name(f"bot.db-{s}") for s in ("wal", "shm"))]
                assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            await engine.dispose()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "deep") == 0o700


async def test_an_existing_readable_database_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch()
    database.chmod(0o644)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await engine.dispose()
    assert _mode(database) == 0o600


async def test_evidence_is_owner_only_and_named_safely(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    old = os.umask(0o022)
    try:
        async with sessions() as db, db.begin():
            person = await people.register(db, clock, 7101, "Ibu Ina", [Role.UMKM])
            saved = await evidence.save_evidence(
                db,
                clock,
                data_dir,
                person_id=person.id,
                data=PDF,
                mime="application/pdf",
                filename="../../../../tmp/laporan.html",
            )
    finally:
        os.umask(old)
    assert saved.filename == "laporan.pdf"
    stored = data_dir / saved.path
    assert stored.read_bytes() == PDF
    assert _mode(stored) == 0o600
    for folder in (data_dir, data_dir / "evidence", stored.parent):
        assert _mode(folder) == 0o700, folder
    assert not any(p.name.endswith(".part") for p in stored.parent.iterdir())
