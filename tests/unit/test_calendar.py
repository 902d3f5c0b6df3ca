"""The working calendar: weekends, holidays, collective leave and quiet hours in WITA."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.calendar import WorkCalendar, work_calendar
from tests.support.wita import WITA, wita


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(WITA, {date(2026, 12, 28): "Libur daerah (uji)"})


def test_at_local_is_aware_utc(cal: WorkCalendar) -> None:
    moment = cal.at_local(date(2026, 12, 10), 16, 0)
    assert moment == datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    assert moment.tzinfo is UTC


def test_working_day_weekend_holiday_and_leave(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 12, 7))  # Monday
    assert not cal.is_working_day(date(2026, 12, 12))  # Saturday
    assert not cal.is_working_day(date(2026, 12, 13))  # Sunday
    assert not cal.is_working_day(date(2026, 12, 25))  # Christmas
    assert cal.holiday_name(date(2026, 12, 25)) == "Hari Raya Natal"
    assert not cal.is_working_day(date(2026, 12, 24))  # cuti bersama ("government")
    assert not cal.is_working_day(date(2026, 12, 28))  # the extra day from content
    assert cal.is_working_day(date(2026, 12, 29))


def test_quiet_hours_in_wita(cal: WorkCalendar) -> None:
    assert cal.is_quiet(wita(2026, 12, 8, 21))
    assert cal.is_quiet(wita(2026, 12, 8, 20))
    assert cal.is_quiet(wita(2026, 12, 8, 6, 59))
    assert not cal.is_quiet(wita(2026, 12, 8, 7))
    assert not cal.is_quiet(wita(2026, 12, 8, 19, 59))
    # 21.00 WITA is 13.00 UTC: a naive UTC reading would call it working time.
    assert not cal.is_working_moment(datetime(2026, 12, 8, 13, 0, tzinfo=UTC))


def test_saturday_moves_to_friday_before_and_monday_after(cal: WorkCalendar) -> None:
    saturday = wita(2026, 12, 12, 8)
    assert cal.previous_working_moment(saturday) == wita(2026, 12, 11, 8)
    assert cal.next_working_moment(saturday) == wita(2026, 12, 14, 8)


def test_working_moment_stays(cal: WorkCalendar) -> None:
    tuesday = wita(2026, 12, 8, 10, 30)
    assert cal.previous_working_moment(tuesday) == tuesday
    assert cal.next_working_moment(tuesday) == tuesday


def test_quiet_hour_shifts(cal: WorkCalendar) -> None:
    assert cal.previous_working_moment(wita(2026, 12, 8, 21)) == wita(2026, 12, 8, 19)
    assert cal.previous_working_moment(wita(2026, 12, 8, 5)) == wita(2026, 12, 7, 19)
    assert cal.next_working_moment(wita(2026, 12, 8, 21)) == wita(2026, 12, 9, 7)
    assert cal.next_working_moment(wita(2026, 12, 8, 5)) == wita(2026, 12, 8, 7)
    # Friday evening goes to Monday morning.
    assert cal.next_working_moment(wita(2026, 12, 11, 22)) == wita(2026, 12, 14, 7)


def test_christmas_run_of_holidays(cal: WorkCalendar) -> None:
    # 24 (leave), 25 (Christmas), 26-27 weekend, 28 (extra day): back on Tuesday 29.
    assert cal.next_working_moment(wita(2026, 12, 24, 9)) == wita(2026, 12, 29, 9)
    assert cal.previous_working_moment(wita(2026, 12, 28, 9)) == wita(2026, 12, 23, 9)


def test_add_working_days(cal: WorkCalendar) -> None:
    friday = wita(2026, 12, 11, 15)
    assert cal.add_working_days(friday, 2) == wita(2026, 12, 15, 15)  # Tuesday
    assert cal.add_working_days(friday, 0) == friday
    assert cal.add_working_days(friday, -5) == wita(2026, 12, 4, 15)
    # Asked on Saturday: counted from Monday, same time of day.
    assert cal.add_working_days(wita(2026, 12, 12, 10), 2) == wita(2026, 12, 16, 10)
    # Asked at 22.00: counted from 07.00 the next working day.
    assert cal.add_working_days(wita(2026, 12, 8, 22), 2) == wita(2026, 12, 11, 7)
    # Across Christmas.
    assert cal.add_working_days(wita(2026, 12, 23, 9), 1) == wita(2026, 12, 29, 9)


def test_working_days_between(cal: WorkCalendar) -> None:
    assert cal.working_days_between(wita(2026, 12, 11, 15), wita(2026, 12, 15, 15)) == 2
    assert cal.working_days_between(wita(2026, 12, 11, 15), wita(2026, 12, 15, 14)) == 1
    assert cal.working_days_between(wita(2026, 12, 15, 15), wita(2026, 12, 11, 15)) == 0


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        cal.is_quiet(datetime(2026, 12, 8, 9))  # noqa: DTZ001  # naive on purpose


def test_shared_calendar_is_built_once() -> None:
    assert work_calendar(WITA, {}) is work_calendar(WITA, None)
    assert work_calendar(WITA, {date(2027, 1, 4): "x"}) is not work_calendar(WITA)
