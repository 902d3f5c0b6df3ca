"""The upgrade at start: a database at the newest migration skips Alembic, any other goes
through it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from db import migrate, upgrade
from tests.support.cli import imports_of


def _start(url: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`upgrade.start(url)()` in a new Python; its result and what it (or its child) imported."""
    return imports_of(["-c", f"from db import upgrade; upgrade.start({url!r})()"], cwd)


def _version(path: Path) -> list[tuple[str]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchall()


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert upgrade.newest_revision() == script.get_current_head()


def _migration(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(f'"""{name}\n\nRevision ID: {name}\n"""\n\n{body}\n')


def test_the_newest_revision_follows_parents_and_merges(tmp_path: Path) -> None:
    _migration(tmp_path, "a", 'revision: str = "a"\ndown_revision: str | None = None')
    _migration(tmp_path, "b", "revision = 'b'\ndown_revision = 'a'")
    _migration(tmp_path, "c", 'revision: str = "c"\ndown_revision = "a"')
    assert upgrade.newest_revision(tmp_path) is None  # two heads: Alembic refuses "head"
    _migration(tmp_path, "d", 'revision: str = "d"\ndown_revision = ("b", "c")')
    assert upgrade.newest_revision(tmp_path) == "d"


@pytest.mark.parametrize(
    "body",
    [
        'revision: str = "b"\ndown_revision = "a"\nbranch_labels = ("side",)',
        'revision: str = "b"\ndown_revision = "a"\ndepends_on = "x"',
        'revision: str = "b"\ndown_revision = PARENT',
        'down_revision = "a"',
        'revision: str = "a"\ndown_revision = None',  # the same revision twice
    ],
)
def test_a_migration_of_another_shape_leaves_the_decision_to_alembic(
    tmp_path: Path, body: str
) -> None:
    _migration(tmp_path, "a", 'revision: str = "a"\ndown_revision = None')
    _migration(tmp_path, "b", body)
    assert upgrade.newest_revision(tmp_path) is None


def test_a_database_at_the_newest_migration_starts_without_alembic(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    result, imported = _start(f"sqlite+aiosqlite:///{path}", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sqlalchemy" in imported
    assert "alembic" not in imported
    assert _version(path) == [(upgrade.newest_revision(),)]


def test_a_new_database_is_migrated_at_start(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.db"
    result, imported = _start(f"sqlite+aiosqlite:///{path}", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "alembic" in imported
    assert _version(path) == [(upgrade.newest_revision(),)]
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"person", "outbox_message", "inbox_update"} <= tables


def test_a_database_at_an_unknown_revision_is_left_to_alembic(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffffffff'")
    result, imported = _start(f"sqlite+aiosqlite:///{path}", tmp_path)
    assert result.returncode != 0
    assert "alembic" in imported
    assert "MigrationFailed" in result.stderr
    assert "ffffffff" in result.stderr
