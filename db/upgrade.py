"""The schema brought to the newest migration before the bot starts, in a forked child.

Alembic and Mako take about 11 MB that a serving process never needs again, and the child
migrates while the parent goes on importing the bot (`start` returns at once; the returned
function waits). With other threads running (the simulator) forking is unsafe: the migration
then runs in this process, before `start` returns.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable

from db.storage import private_sqlite_file


class MigrationFailed(Exception):
    """The schema could not be brought to the newest migration (the child printed why)."""


def start(url: str) -> Callable[[], None]:
    """Create the SQLite file (owner only) if needed and begin the upgrade; call the result
    to wait for it (it raises MigrationFailed when the upgrade failed)."""
    private_sqlite_file(url)
    if not hasattr(os, "fork") or threading.active_count() > 1:
        from db import migrate

        migrate.upgrade_sync(url)
        return lambda: None
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
