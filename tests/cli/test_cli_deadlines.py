"""`pendamping import deadlines FILE.csv`, run as an operator would: a real subprocess."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.support.cli import run_command

# The command runs on the real clock: dates next year are always ahead.
NEXT_YEAR = datetime.now(UTC).year + 1


def _import(csv_text: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    (cwd / "deadlines.csv").write_text(csv_text, encoding="utf-8")
    settings = {"DATABASE_URL": f"sqlite+aiosqlite:///{cwd}/bot.db"}
    return run_command(["import", "deadlines", "deadlines.csv"], cwd, settings)


def _deadlines(cwd: Path) -> list[tuple[str, str, int, str, str]]:
    with sqlite3.connect(cwd / "bot.db") as db:
        return db.execute(
            "SELECT title, recurrence, reminder_hour, reminder_days, coalesce(series_id, '-')"
            " FROM deadline ORDER BY id"
        ).fetchall()


def test_import_deadlines_good_file_prints_a_summary(tmp_path: Path) -> None:
    result = _import(
        "agency,title,due,description,recurrence,hour,offsets\n"
        f'RSUD S.K. Lerik,Laporan triwulan,17-03-{NEXT_YEAR} 16.00,,triwulan,09.00,"14,7,0"\n'
        f",Swa-penilaian ISO 18091,10/04/{NEXT_YEAR},Semua perangkat daerah,,,\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 deadline(s) imported; reminders are planned"
    assert _deadlines(tmp_path) == [
        ("Laporan triwulan", "quarterly", 9, "14,7,0", 1),
        ("Swa-penilaian ISO 18091", "none", 8, "7,3,1,0", "-"),
    ]


def test_import_deadlines_bad_file_names_every_line_and_imports_nothing(tmp_path: Path) -> None:
    result = _import(
        "agency,title,due,recurrence,hour,offsets\n"
        f"RSUD S.K. Lerik,Laporan,17-03-{NEXT_YEAR} 16.00,,,\n"
        f"Dinas Entah,Dokumen,17-03-{NEXT_YEAR},,,\n"
        "Setda,Dokumen,01-01-2020,,,\n"
        f"Setda,Dokumen,17-03-{NEXT_YEAR},kadang,,\n"
        f"Setda,Dokumen,17-03-{NEXT_YEAR},,21.00,\n"
        f"Setda,Dokumen,17-03-{NEXT_YEAR},,,90\n",
        tmp_path,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "line 3: no agency is called 'Dinas Entah' (leave it empty for all agencies)",
        "line 4: the date '01-01-2020' has already passed",
        "line 5: repeat 'kadang' is unknown; use none, monthly, quarterly or yearly",
        "line 6: reminder hour '21.00' is not a time between 07.00 and 17.00, e.g. 08.00",
        "line 7: reminder days '90': write 0 to 60 days before, at most 6,"
        ' e.g. "7,3,1,0" (quoted) or 7;3;1;0',
        "5 line(s) rejected; nothing was imported",
    ]
    assert _deadlines(tmp_path) == []
