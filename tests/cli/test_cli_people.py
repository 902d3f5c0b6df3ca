"""`pendamping people`, `invite --cancel`, `audit` and `export`, run as an operator would."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import subprocess
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from bot.clock import SystemClock
from bot.services import people
from db import migrate
from db.models import Role
from db.session import create_engine, create_session_factory
from tests.support.cli import run_command


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_USERNAME": "KupangUMKMBot",
    }


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_command(args, tmp_path, _env(tmp_path))


def _people(tmp_path: Path) -> None:
    """A coordinator from BOT_COORDINATORS and a mentor, as the bot would have them."""
    url = _env(tmp_path)["DATABASE_URL"]
    migrate.upgrade_sync(url)

    async def register() -> None:
        engine = create_engine(url)
        async with create_session_factory(engine)() as db, db.begin():
            await people.ensure_coordinator(db, SystemClock(), 9001, "Yuliana")
            await people.register(db, SystemClock(), 5001, "Budi Santoso", [Role.MENTOR])
        await engine.dispose()

    asyncio.run(register())


def _rows(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        return db.execute(query).fetchall()


def test_people_commands_change_roles_and_access(tmp_path: Path) -> None:
    _people(tmp_path)
    listed = _run(tmp_path, "people", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "telegram_id\tname\troles\tagency_or_business\tstatus"
    assert "5001\tBudi Santoso\tmentor\t\tactive" in lines
    assert "9001\tYuliana\tcoordinator*,mentor*\t\tactive" in lines

    made = _run(tmp_path, "people", "set-role", "5001", "focal", "--agency", "RSUD S.K. Lerik")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "Budi Santoso (5001): granted focal; they will be told"
    assert _rows(
        tmp_path,
        "SELECT role, source FROM person_role JOIN person ON person.id = person_id "
        "WHERE telegram_id = 5001 ORDER BY role",
    ) == [("focal", "manual"), ("mentor", "invitation")]
    paused = _run(tmp_path, "people", "deactivate", "5001")
    assert paused.returncode == 0, paused.stderr
    assert "5001\tBudi Santoso\tmentor,focal\tRSUD S.K. Lerik\tpaused" in (
        _run(tmp_path, "people", "list", "--paused").stdout.splitlines()
    )
    assert _rows(tmp_path, "SELECT payload FROM outbox_message ORDER BY id") == [
        ('{"change": "granted", "role": "focal", "subject": "role:focal"}',),
        ('{"change": "paused", "role": null, "subject": "access"}',),
    ]

    for args, fragment in [
        (("revoke", "9001", "coordinator"), "BOT_COORDINATORS"),
        (("set-role", "7777", "mentor"), "nobody with Telegram id 7777"),
        (("set-role", "5001", "focal"), "--agency"),
    ]:
        refused = _run(tmp_path, "people", *args)
        assert refused.returncode == 1, refused.stderr
        assert fragment in refused.stderr
    assert _run(tmp_path, "people", "set-role", "5001", "umkm").returncode == 2  # not a choice

    trail = _run(tmp_path, "audit", "--since", "2000-01-01")
    assert trail.returncode == 0, trail.stderr
    granted = [line for line in trail.stdout.splitlines() if "role.granted" in line]
    assert granted[-1].endswith("\tby system\tabout Budi Santoso (#2)\trole=focal source=manual")
    assert " WITA\t" in granted[-1]
    assert _run(tmp_path, "audit", "--since", "kemarin").returncode == 2


def test_invite_cancel_withdraws_an_unused_link(tmp_path: Path) -> None:
    made = _run(tmp_path, "invite", "--role", "mentor", "--name", "Yohanes")
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    cancelled = _run(tmp_path, "invite", "--cancel", link)
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout.strip() == "invitation 1 (mentor, Yohanes) cancelled"
    assert _rows(tmp_path, "SELECT cancelled_at IS NOT NULL FROM invitation") == [(1,)]
    again = _run(tmp_path, "invite", "--cancel", link)
    assert again.returncode == 1
    assert "no unused invitation" in again.stderr
    missing = _run(tmp_path, "invite")
    assert missing.returncode == 2
    assert "--role" in missing.stderr


def test_export_writes_files_a_spreadsheet_opens(tmp_path: Path) -> None:
    _people(tmp_path)
    out = tmp_path / "orang.xlsx"
    sheet = _run(tmp_path, "export", "--format", "xlsx", "--what", "people", "--out", str(out))
    assert sheet.returncode == 0, sheet.stderr
    assert sheet.stdout.strip() == f"2 row(s) written to {out}"
    book = load_workbook(out)
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert rows[0][:2] == ("ID", "Nama")
    assert [r[1] for r in rows[1:]] == ["Budi Santoso", "Yuliana"]

    everything = _run(tmp_path, "export", "--format", "csv")
    assert everything.returncode == 0, everything.stderr
    written = tmp_path / everything.stdout.split(" written to ")[1].strip()
    assert written.name.startswith("pendamping-all-") and written.suffix == ".zip"
    with zipfile.ZipFile(io.BytesIO(written.read_bytes())) as archive:
        assert "people.csv" in archive.namelist()
        assert archive.read("broadcasts.csv").decode("utf-8-sig").startswith("ID,Pesan,")
