"""SQLite's WAL checkpoints on a worker thread, not inside a COMMIT on the event loop.

By default SQLite copies the write-ahead log back into the database file (and fsyncs both)
within the COMMIT that takes the log past 1,000 pages. Our statements run on the event
loop's thread (db.inline_sqlite), so every few hundred updates one COMMIT would hold the
loop for the length of a checkpoint: milliseconds on a fast disk, far longer on a slow one.
The bot's engine raises that threshold to `BACKSTOP_PAGES` (reached only if checkpoints
stop running) and a periodic job runs a PASSIVE checkpoint on a connection of its own in a
thread: it never waits for the loop's reads or writes, nor they for it (WAL mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import NamedTuple

# How often the job checkpoints (an up-to-date log costs a look at its header).
CHECKPOINT_INTERVAL_S = 1.0
# Pages of log after which a COMMIT checkpoints after all (~40 MB with 4 KiB pages).
BACKSTOP_PAGES = 10_000


class Checkpoint(NamedTuple):
    """What `PRAGMA wal_checkpoint` reports: whether it was cut short, the log's frames, how
    many of them are now in the database file."""

    busy: int
    log_frames: int
    checkpointed_frames: int


def checkpoint(database: str) -> Checkpoint:
    """A PASSIVE checkpoint of `database` on a new connection (blocking: run it in a thread)."""
    with contextlib.closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as conn:
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return Checkpoint(*row)


async def checkpoint_in_thread(database: str) -> Checkpoint:
    return await asyncio.to_thread(checkpoint, database)
