"""Files the bot keeps on disk (the SQLite database, evidence): readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_dir(path: Path) -> None:
    """Create path and any missing parents for the owner only (0700); existing ones are kept."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask


def write_private(target: Path, data: bytes) -> None:
    """Write data to target (0600) atomically: a reader never sees half a file."""
    private_dir(target.parent)
    partial = target.with_name(target.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(partial, PRIVATE_FILE)  # a leftover .part from before keeps its old mode
    os.replace(partial, target)


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite database URL; None for another database or one in memory."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return database


def private_sqlite_file(url: str) -> None:
    """Create the SQLite database file (and its folder) for the owner only, before SQLite does.

    SQLite gives the -wal and -shm files the mode of the database file, so all three end up
    0600; an existing database (and what it left beside it) is narrowed to 0600 too.
    """
    database = sqlite_file(url)
    if database is None:
        return
    path = Path(database)
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            os.chmod(file, PRIVATE_FILE)
