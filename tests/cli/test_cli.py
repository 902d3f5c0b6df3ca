"""The command line: plain help, a version, and one clear line for a bad setting."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot import __version__
from tests.support.cli import run_command


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_command(args, cwd, env, timeout=60)


def test_version_and_help(tmp_path: Path) -> None:
    version = _run(["--version"], {}, tmp_path)
    assert version.returncode == 0
    assert __version__ in version.stdout
    helptext = _run(["--help"], {}, tmp_path)
    assert helptext.returncode == 0
    assert "run" in helptext.stdout
    assert "db" in helptext.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"),
        ({"BOT_COORDINATORS": "12,abc"}, "BOT_COORDINATORS"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        (
            {
                "DATABASE_URL": "sqlite+aiosqlite:///a.db",
                "SIMULATOR_DATABASE_URL": "sqlite+aiosqlite:///a.db",
            },
            "SIMULATOR_DATABASE_URL",
        ),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = _run(["db", "upgrade"], env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_setting_in_dotenv_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TIMEZONE=Nowhere/Land\n")
    result = _run(["db", "upgrade"], {}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TIMEZONE" in result.stderr


def test_db_upgrade_creates_the_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/sub/dir/bot.db"
    result = _run(["db", "upgrade"], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sub" / "dir" / "bot.db").exists()


def test_webhook_without_secret_is_refused(tmp_path: Path) -> None:
    result = _run(
        ["webhook"],
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "WEBHOOK_URL": "https://example.org/telegram",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        },
        tmp_path,
    )
    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in result.stderr


def test_content_check_lists_open_questions_for_the_programme_team(tmp_path: Path) -> None:
    plain = _run(["content", "check"], {}, tmp_path)
    assert plain.returncode == 0
    assert "open_question" not in plain.stdout and "ditanyakan ke" not in plain.stdout
    listed = _run(["content", "check", "--open-questions"], {}, tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[-1] == "content OK"
    questions = lines[:-1]
    assert len(questions) >= 20
    assert any(
        line.startswith("content/tenun/modules/tenun-uji-warna.yaml:")
        and "(ditanyakan ke: Balai Besar Kerajinan dan Batik" in line
        for line in questions
    )
    assert f"{len(questions)} open question(s)" in listed.stderr
