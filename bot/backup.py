"""`pendamping db backup FILE` and `db restore FILE` for SQLite (PostgreSQL: pg_dump).

A backup uses SQLite's online backup API: a consistent copy while the bot runs and writes.
A restore checks the file first (a SQLite database of this bot that passes its integrity
check), copies it over the database with the same API, then migrates it to this version.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from db.session import is_sqlite
from db.storage import private_sqlite_file, sqlite_file

PAGES_PER_STEP = 1024  # the bot keeps writing between steps


class BackupError(Exception):
    """Why a backup or restore cannot be done, as one line for the operator."""


def _database_file(database_url: str) -> Path:
    if not is_sqlite(database_url):
        raise BackupError(
            "DATABASE_URL is PostgreSQL: back it up with pg_dump -Fc and restore with "
            "pg_restore (see README)"
        )
    name = sqlite_file(database_url)
    if name is None:
        raise BackupError("DATABASE_URL names no SQLite file")
    return Path(name)


def backup(database_url: str, target: Path) -> int:
    """Copy the live database to `target` (which must not exist); its size in bytes."""
    source = _database_file(database_url)
    if not source.exists():
        raise BackupError(f"there is no database at {source} yet")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    private_sqlite_file(f"sqlite:///{target}")
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
    return target.stat().st_size


def restore(database_url: str, source: Path) -> None:
    """Replace the database with a backup (stop the bot first); migrate it afterwards."""
    target = _database_file(database_url)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_db:
            checked = backup_db.execute("PRAGMA integrity_check").fetchone()
            ours = backup_db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if checked is None or checked[0] != "ok":
                raise BackupError(f"{source} is damaged (integrity check: {checked})")
            if ours is None:
                raise BackupError(f"{source} is not a database of this bot")
            private_sqlite_file(database_url)
            with closing(sqlite3.connect(target)) as live:
                backup_db.backup(live)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite database ({exc})") from None
