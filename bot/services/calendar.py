"""Working days and polite hours in the bot's zone: weekends, holidays, collective leave.

Indonesian public holidays and cuti bersama come from the `holidays` package (the "government"
category holds cuti bersama); `content/calendar/cuti_bersama.yaml` adds days it does not know.
Quiet hours (20.00-07.00 local) are never used for messages sent later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from holidays import HolidayBase

QUIET_FROM = time(20, 0)  # quiet from 20.00 ...
QUIET_UNTIL = time(7, 0)  # ... until 07.00
# A moment moved earlier out of the evening quiet hours lands at this local time.
LATEST_EVENING = time(19, 0)
_MAX_SEARCH_DAYS = 366  # a year without one working day means a broken calendar


class WorkCalendar:
    """Which local days are working days, and which moments are fit to message people."""

    def __init__(self, zone: ZoneInfo, extra_days: Mapping[date, str] | None = None) -> None:
        self.zone = zone
        self.extra_days = dict(extra_days or {})

    @cached_property
    def _holidays(self) -> HolidayBase:
        """Indonesia's holidays; the package (7 MB) is loaded when a day is first looked up."""
        import holidays

        return holidays.country_holidays("ID", categories=("public", "government"), language="id")

    # -- days ----------------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The name of the holiday or leave day, None on an ordinary day (weekends included)."""
        if day in self.extra_days:
            return self.extra_days[day]
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def local(self, moment: datetime) -> datetime:
        return _aware(moment).astimezone(self.zone)

    def local_date(self, moment: datetime) -> date:
        return self.local(moment).date()

    def at_local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """That local wall-clock time on that day, as an aware UTC datetime."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    # -- moments -------------------------------------------------------------------------------

    def is_quiet(self, moment: datetime) -> bool:
        """Between 20.00 and 07.00 local time."""
        clock = self.local(moment).time()
        return clock >= QUIET_FROM or clock < QUIET_UNTIL

    def is_working_moment(self, moment: datetime) -> bool:
        return self.is_working_day(self.local_date(moment)) and not self.is_quiet(moment)

    def previous_working_moment(self, moment: datetime) -> datetime:
        """The moment itself if fit, else the latest earlier fit moment (same time of day).

        An evening in quiet hours becomes 19.00 that day; an early morning becomes 19.00 of
        the day before; a weekend or holiday moves to the last working day before it.
        """
        local = self.local(moment)
        day, clock = local.date(), local.timetz().replace(tzinfo=None)
        if clock >= QUIET_FROM:
            clock = LATEST_EVENING
        elif clock < QUIET_UNTIL:
            day, clock = day - timedelta(days=1), LATEST_EVENING
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)
            day -= timedelta(days=1)
        raise ValueError(f"no working day in the year before {moment.isoformat()}")

    def next_working_moment(self, moment: datetime) -> datetime:
        """The moment itself if fit, else the earliest later fit moment (same time of day).

        Early morning becomes 07.00; an evening in quiet hours becomes 07.00 the next day; a
        weekend or holiday moves to the first working day after it.
        """
        local = self.local(moment)
        day, clock = local.date(), local.timetz().replace(tzinfo=None)
        if clock >= QUIET_FROM:
            day, clock = day + timedelta(days=1), QUIET_UNTIL
        elif clock < QUIET_UNTIL:
            clock = QUIET_UNTIL
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)
            day += timedelta(days=1)
        raise ValueError(f"no working day in the year after {moment.isoformat()}")

    def add_working_days(self, moment: datetime, n: int) -> datetime:
        """`n` working days after (or before, when negative) a moment, same time of day.

        The count starts from the moment's nearest fit moment, so a question asked on a
        Saturday counts from Monday morning-time, and one asked at 22.00 from 07.00.
        """
        if n >= 0:
            start = self.local(self.next_working_moment(moment))
            step = timedelta(days=1)
        else:
            start = self.local(self.previous_working_moment(moment))
            step = timedelta(days=-1)
        day, clock = start.date(), start.timetz().replace(tzinfo=None)
        for _ in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days from start until end (0 when end is not later)."""
        count = 0
        while count < _MAX_SEARCH_DAYS * 10 and self.add_working_days(start, count + 1) <= end:
            count += 1
        return count


_CACHE: dict[tuple[str, tuple[tuple[date, str], ...]], WorkCalendar] = {}


def work_calendar(zone: ZoneInfo, extra_days: Mapping[date, str] | None = None) -> WorkCalendar:
    """A shared calendar for this zone and these extra days (built once per process)."""
    key = (zone.key, tuple(sorted((extra_days or {}).items())))
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = WorkCalendar(zone, extra_days)
    return found


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the calendar needs aware datetimes")
    return moment
