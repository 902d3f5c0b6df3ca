"""The schema brought to the newest migration before the bot starts, in a forked child.

A SQLite database already at the newest migration (every start but the first) is recognised
without Alembic: its `alembic_version` is read and compared with the revisions in the
migration files. Otherwise Alembic and Mako (about 11 MB that a serving process never needs
again) run in a child forked once the models are imported, so it shares them, and the child
migrates while the parent goes on importing the bot (`start` returns at once; the returned
function waits). With other threads running (the simulator) forking is unsafe: the migration
then runs in this process, before `start` returns.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from db.storage import private_sqlite_file

VERSIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"

# A module-level assignment as Alembic writes it: `revision: str = "0001"`.
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision|branch_labels|depends_on)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE
)


class MigrationFailed(Exception):
    """The schema could not be brought to the newest migration (the child printed why)."""


def start(url: str) -> Callable[[], None]:
    """Create the SQLite file (owner only) if needed and begin the upgrade; call the result
    to wait for it (it raises MigrationFailed when the upgrade failed)."""
    private_sqlite_file(url)
    if _at_newest(url):
        return lambda: None
    if not hasattr(os, "fork") or threading.active_count() > 1:
        from db import migrate

        migrate.upgrade_sync(url)
        return lambda: None
    # The parent imports the models next anyway; imported before the fork, the child shares them.
    import db.models  # noqa: F401

    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: migrate, then leave without running the parent's cleanup
        code = 1
        try:
            from db import migrate

            migrate.upgrade_sync(url)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)

    def wait() -> None:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise MigrationFailed("the database could not be migrated (see above)")

    return wait


def newest_revision(versions: Path = VERSIONS_DIR) -> str | None:
    """The one head of the migrations, read from their files; None when Alembic should
    decide (several heads, branch labels, dependencies, a file of another shape)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in versions.glob("*.py"):
        if file.name.startswith("_"):
            continue
        found: dict[str, object] = {}
        for name, value in _ASSIGNMENT.findall(file.read_text(encoding="utf-8")):
            try:
                found[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or revision in revisions:
            return None
        if found.get("branch_labels") is not None or found.get("depends_on") is not None:
            return None
        if isinstance(down, str):
            down = (down,)
        if down is not None and not (
            isinstance(down, tuple) and all(isinstance(d, str) for d in down)
        ):
            return None
        revisions.add(revision)
        parents.update(down or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_newest(url: str) -> bool:
    """Whether a SQLite database is at the newest migration already (False: Alembic decides)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or parsed.query or not database:
        return False
    if database == ":memory:":
        return False
    head = newest_revision()
    if head is None:
        return False
    try:  # no waiting: a database locked by a writer goes the long way
        with contextlib.closing(sqlite3.connect(database, timeout=0)) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # a new, empty file; or locked
        return False
    return rows == [(head,)]
