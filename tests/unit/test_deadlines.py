"""Deadline rules as typed by a coordinator: due moments, offsets, hours, months."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services import deadlines
from bot.services.calendar import work_calendar
from tests.support.wita import WITA, wita


def test_parse_due_is_strict() -> None:
    cal = work_calendar(WITA)
    now = wita(2026, 12, 7, 9)
    assert deadlines.parse_due("10-12-2026 16.00", now, cal) == wita(2026, 12, 10, 16)
    assert deadlines.parse_due("10/12/2026", now, cal) == wita(2026, 12, 10, 16)
    assert deadlines.parse_due(" 7-12-2026 09:30 ", now, cal) == wita(2026, 12, 7, 9, 30)
    for text, code in [
        ("besok", "format"),
        ("32-12-2026", "format"),
        ("10-12-2026 25.00", "format"),
        ("2026-12-10", "format"),
        ("07-12-2026 08.00", "past"),
        ("01-01-2040", "far"),
    ]:
        with pytest.raises(deadlines.BadDue) as caught:
            deadlines.parse_due(text, now, cal)
        assert caught.value.code == code, text


def test_typed_offsets_and_hours() -> None:
    assert deadlines.read_offsets("7,3,1,0") == (7, 3, 1, 0)
    assert deadlines.read_offsets(" 0, 14 ,3,3 ") == (14, 3, 0)
    assert deadlines.read_offsets("60 30") == (60, 30)
    for text in ["", "7,,x", "61", "-1", "1,2,3,4,5,6,7", "7.5", "1000"]:
        with pytest.raises(deadlines.BadRule):
            deadlines.read_offsets(text)
    assert deadlines.read_hour("07.30") == (7, 30)
    assert deadlines.read_hour("7:30") == (7, 30)
    assert deadlines.read_hour("17.00") == (17, 0)
    for text in ["06.59", "17.01", "25.00", "08.60", "8", "jam 8", "20.00"]:
        with pytest.raises(deadlines.BadRule):
            deadlines.read_hour(text)


def test_months_keep_the_month_end() -> None:
    add = deadlines.add_months
    assert add(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add(date(2027, 4, 30), 1) == date(2027, 5, 31)  # a month end stays one
    assert add(date(2027, 1, 30), 1) == date(2027, 2, 28)
    assert add(date(2027, 1, 30), 2) == date(2027, 3, 30)
    assert add(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add(date(2028, 2, 29), 12) == date(2029, 2, 28)
