"""Kupang's time zone, where every date a person reads is meant."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def wita(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    """A WITA wall-clock moment, as the aware UTC datetime the code stores."""
    return datetime(y, m, d, hh, mm, tzinfo=WITA).astimezone(UTC)
