"""`pendamping invite` and `pendamping import umkm`, run as an operator would."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import subprocess
from pathlib import Path

from tests.support.cli import run_command

LINK_PREFIX = "https://t.me/KupangUMKMBot?start="


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    settings = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{cwd}/bot.db",
        "BOT_USERNAME": "KupangUMKMBot",
    }
    return run_command(args, cwd, settings)


def _rows(cwd: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(cwd / "bot.db") as db:
        return db.execute(query).fetchall()


def test_invite_prints_a_link_whose_code_is_stored_only_hashed(tmp_path: Path) -> None:
    result = _run(
        [
            "invite",
            "--role",
            "umkm",
            "--business",
            "Tenun Ina",
            "--owner",
            "Maria Ndun",
            "--sector",
            "tenun",
            "--phone",
            "0812 3456 7890",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert link.startswith(LINK_PREFIX)
    code = link.removeprefix(LINK_PREFIX)
    assert _rows(tmp_path, "SELECT code_hash, role FROM invitation") == [
        (hashlib.sha256(code.encode()).hexdigest(), "umkm")
    ]
    assert _rows(tmp_path, "SELECT name, owner_name, sector, phone FROM business") == [
        ("Tenun Ina", "Maria Ndun", "tenun", "0812 3456 7890")
    ]

    focal = _run(
        ["invite", "--role", "focal", "--agency", "RSUD S.K. Lerik", "--name", "Yohanes"],
        tmp_path,
    )
    assert focal.returncode == 0, focal.stderr
    assert focal.stdout.startswith(LINK_PREFIX)


def test_invite_with_bad_arguments_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args, named in [
        (
            ["--role", "umkm", "--business", "Kue Mama", "--owner", "Ina", "--sector", "batik"],
            "batik",
        ),
        (["--role", "focal", "--agency", "Dinas Entah", "--name", "Ina"], "Dinas Entah"),
        (["--role", "focal"], "--agency"),
        (["--role", "umkm", "--business", "Kue Mama"], "--sector"),
    ]:
        result = _run(["invite", *args], tmp_path)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert named in lines[0]
    assert _rows(tmp_path, "SELECT count(*) FROM invitation") == [(0,)]


def test_the_invitee_name_may_be_left_out(tmp_path: Path) -> None:
    """As the programme writes it: the owner's Telegram name is used when they join."""
    for args in (
        ["--role", "umkm", "--business", "Tenun Ina", "--sector", "tenun"],
        ["--role", "focal", "--agency", "RSUD S.K. Lerik"],
        ["--role", "mentor"],
    ):
        result = _run(["invite", *args], tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().startswith(LINK_PREFIX)
    assert _rows(tmp_path, "SELECT name, owner_name FROM business") == [("Tenun Ina", "")]
    assert _rows(tmp_path, "SELECT count(*) FROM invitation") == [(3,)]


def test_import_umkm_writes_the_links_csv(tmp_path: Path) -> None:
    source = tmp_path / "umkm.csv"
    source.write_text(
        "business,owner,sector,phone\n"
        "Kue Mama,Ina Lado,kue,081234567890\n"
        "Sasando Pah,Yakob Pah,sasando,\n",
        encoding="utf-8",
    )
    result = _run(["import", "umkm", str(source)], tmp_path)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "umkm-links.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["business"], r["owner"], r["sector"]) for r in rows] == [
        ("Kue Mama", "Ina Lado", "kue"),
        ("Sasando Pah", "Yakob Pah", "sasando"),
    ]
    assert all(r["link"].startswith(LINK_PREFIX) for r in rows)
    assert all(r["expires"].endswith("+08:00") for r in rows)
    stored = {h for (h,) in _rows(tmp_path, "SELECT code_hash FROM invitation")}
    codes = {r["link"].removeprefix(LINK_PREFIX) for r in rows}
    assert stored == {hashlib.sha256(c.encode()).hexdigest() for c in codes}

    # The same file again: every business is already there, nothing changes.
    again = _run(["import", "umkm", str(source), "--out", str(tmp_path / "again.csv")], tmp_path)
    assert again.returncode == 1
    assert "line 2:" in again.stderr
    assert "line 3:" in again.stderr
    assert not (tmp_path / "again.csv").exists()
    assert _rows(tmp_path, "SELECT count(*) FROM business") == [(2,)]


def test_import_umkm_with_a_bad_row_applies_nothing_and_names_the_lines(tmp_path: Path) -> None:
    source = tmp_path / "umkm.csv"
    source.write_text(
        "business,owner,sector,phone\n"
        "Kue Mama,Ina Lado,kue,\n"
        "Tenun Ina,,tenun,\n"
        "Sasando Pah,Yakob,gitar,\n"
        "kue mama,Ina,kue,\n"
        "Tenun Sumba,Ana,tenun,bukan nomor\n",
        encoding="utf-8",
    )
    result = _run(["import", "umkm", str(source)], tmp_path)
    assert result.returncode == 1
    report = result.stderr
    assert "line 3: the owner name is empty." in report
    assert "line 4: the sector 'gitar' is unknown" in report
    assert "line 5: 'kue mama' repeats line 2" in report
    assert "line 6: the phone number may only hold digits" in report
    assert "nothing was imported" in report
    assert "Traceback" not in report
    assert not (tmp_path / "umkm-links.csv").exists()
    assert _rows(tmp_path, "SELECT count(*) FROM business") == [(0,)]
    assert _rows(tmp_path, "SELECT count(*) FROM invitation") == [(0,)]


def test_import_umkm_refuses_a_wrong_header(tmp_path: Path) -> None:
    source = tmp_path / "umkm.csv"
    source.write_text("nama,pemilik\nKue Mama,Ina\n", encoding="utf-8")
    result = _run(["import", "umkm", str(source)], tmp_path)
    assert result.returncode == 1
    assert "line 1: the header must be business,owner,sector,phone" in result.stderr
    missing = _run(["import", "umkm", str(tmp_path / "nowhere.csv")], tmp_path)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_invite_stores_how_the_invitee_is_addressed(tmp_path: Path) -> None:
    """--salutation ibu: the welcome says "Ibu Maria"; none (the default): the name alone."""
    for salutation, args in (
        ("ibu", ["--role", "umkm", "--business", "Tenun Ina", "--owner", "Maria"]),
        ("bapak", ["--role", "focal", "--agency", "RSUD S.K. Lerik", "--name", "Yohanes"]),
        ("none", ["--role", "mentor", "--name", "Ana"]),
    ):
        extra = ["--sector", "tenun"] if salutation == "ibu" else []
        result = _run(["invite", *args, *extra, "--salutation", salutation], tmp_path)
        assert result.returncode == 0, result.stderr
    assert _rows(tmp_path, "SELECT invitee_name, salutation FROM invitation ORDER BY id") == [
        ("Maria", "ibu"),
        ("Yohanes", "bapak"),
        ("Ana", None),
    ]
    # A new link for the same business may correct it.
    business = ["--business", "Tenun Ina", "--sector", "tenun"]
    again = _run(["invite", "--role", "umkm", *business, "--salutation", "bapak"], tmp_path)
    assert again.returncode == 0, again.stderr
    newest = _rows(tmp_path, "SELECT salutation FROM invitation ORDER BY id DESC LIMIT 1")
    assert newest == [("bapak",)]
    wrong = _run(["invite", "--role", "mentor", "--salutation", "saudara"], tmp_path)
    assert wrong.returncode == 2
    assert "--salutation" in wrong.stderr
