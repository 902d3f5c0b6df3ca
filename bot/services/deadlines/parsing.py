"""Reading what coordinators type: due dates, titles, reminder days and hours."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum

from bot.services.calendar import WorkCalendar
from bot.services.errors import Invalid

DEFAULT_OFFSETS = (7, 3, 1, 0)
DEFAULT_HOUR = 8
DEFAULT_DUE_HOUR = 16  # a date typed without a time: the end of the office day
MAX_TITLE = 200
MAX_TEXT = 1000
MAX_YEARS_AHEAD = 3
MAX_OFFSET_DAYS = 60
MAX_OFFSETS = 6
# A reminder hour a coordinator may choose: office hours, local time.
EARLIEST_HOUR, LATEST_HOUR = time(7, 0), time(17, 0)


class DueError(StrEnum):
    FORMAT = "format"
    PAST = "past"
    FAR = "far"


class BadDue(Invalid):
    """A typed date that does not parse, lies in the past, or too far ahead."""

    def __init__(self, code: DueError) -> None:
        super().__init__("")
        self.code = code


_DUE = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+(?:pukul\s+)?(\d{1,2})[.:](\d{2}))?\s*$",
    re.IGNORECASE,
)


def parse_due(text: str, now: datetime, cal: WorkCalendar) -> datetime:
    """`10-12-2026 16.00`, `10/12/2026` (16.00), local time; strictly in the future."""
    match = _DUE.match(text)
    if match is None:
        raise BadDue(DueError.FORMAT)
    day, month, year, hour, minute = match.groups()
    try:
        local_day = date(int(year), int(month), int(day))
        moment = cal.at_local(
            local_day,
            int(hour) if hour is not None else DEFAULT_DUE_HOUR,
            int(minute) if minute is not None else 0,
        )
    except ValueError:
        raise BadDue(DueError.FORMAT) from None
    if moment <= now:
        raise BadDue(DueError.PAST)
    if local_day.year > cal.local_date(now).year + MAX_YEARS_AHEAD:
        raise BadDue(DueError.FAR)
    return moment


def clean_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise Invalid("")
    return title[:MAX_TITLE]


def parse_offsets(text: str) -> tuple[int, ...]:
    """ "7,3,1,0" -> (7, 3, 1, 0): distinct days before, largest first."""
    days = sorted(
        {int(part) for part in text.split(",") if part.strip().isdecimal()}, reverse=True
    )
    return tuple(d for d in days if d <= MAX_OFFSET_DAYS) or DEFAULT_OFFSETS


class RuleError(StrEnum):
    OFFSETS = "offsets"
    HOUR = "hour"


class BadRule(Invalid):
    """Typed reminder days or hour that do not fit."""

    def __init__(self, code: RuleError) -> None:
        super().__init__(code.value)
        self.code = code


_OFFSET_SPLIT = re.compile(r"[,;\s]+")
_HOUR = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*$")


def read_offsets(text: str) -> tuple[int, ...]:
    """Typed days before the deadline, "7,3,1,0": whole days 0-60, at most six, largest first."""
    parts = [p for p in _OFFSET_SPLIT.split(text.strip()) if p]
    if not parts or not all(p.isdecimal() and len(p) <= 3 for p in parts):
        raise BadRule(RuleError.OFFSETS)
    days = sorted({int(p) for p in parts}, reverse=True)
    if len(days) > MAX_OFFSETS or days[0] > MAX_OFFSET_DAYS:
        raise BadRule(RuleError.OFFSETS)
    return tuple(days)


def read_hour(text: str) -> tuple[int, int]:
    """A typed local reminder time, "07.30" or "7:30", within office hours (07.00-17.00)."""
    match = _HOUR.match(text)
    if match is None:
        raise BadRule(RuleError.HOUR)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59 or not EARLIEST_HOUR <= time(hour, minute) <= LATEST_HOUR:
        raise BadRule(RuleError.HOUR)
    return hour, minute
