"""`pendamping forget`, run as an operator would: shows first, deletes only with --yes."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from bot.clock import SystemClock
from bot.services import people
from db.models import Role
from db.session import create_engine, create_session_factory
from tests.support.cli import run_command


def test_the_command_shows_first_and_deletes_with_yes(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_USERNAME": "KupangUMKMBot",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_command(args, tmp_path, env)

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
