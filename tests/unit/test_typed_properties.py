"""Properties of what coordinators type and upload: due dates, reminder rules, the UMKM CSV.

Whatever the text, the readers answer with a value inside the documented bounds or with their
own refusal (BadDue, BadRule, a problem naming the line), never with another exception.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli_invite import IMPORT_COLUMNS, read_umkm_csv
from bot.services import deadlines
from bot.services.calendar import work_calendar
from bot.services.deadlines.parsing import (
    EARLIEST_HOUR,
    LATEST_HOUR,
    MAX_OFFSET_DAYS,
    MAX_OFFSETS,
    MAX_YEARS_AHEAD,
)
from tests.support.wita import WITA

CAL = work_calendar(WITA)
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 09.00 WITA
SECTORS = ("kue", "tenun", "sasando")

# Text that looks like what people type: digits and separators most of all.
typed = (
    st.text(alphabet=st.sampled_from("0123456789-/.: ,;pukulPUKUL\t\n٣x"), max_size=30) | st.text()
)


@given(typed)
def test_parse_due_answers_a_future_moment_or_bad_due(text: str) -> None:
    try:
        due = deadlines.parse_due(text, NOW, CAL)
    except deadlines.BadDue:
        return
    assert due.tzinfo is not None
    assert due > NOW
    assert CAL.local_date(due).year <= CAL.local_date(NOW).year + MAX_YEARS_AHEAD


@given(
    st.dates(min_value=date(2026, 12, 8), max_value=date(2029, 12, 31)),
    st.none() | st.tuples(st.integers(0, 23), st.integers(0, 59)),
    st.sampled_from("-/."),
    st.sampled_from(("{h}.{m:02}", "{h}:{m:02}", "pukul {h:02}.{m:02}", "PUKUL {h}:{m:02}")),
    st.booleans(),
)
def test_parse_due_reads_back_every_way_of_writing_a_date(
    day: date, at: tuple[int, int] | None, sep: str, clock: str, padded: bool
) -> None:
    dd, mm = (f"{day.day:02}", f"{day.month:02}") if padded else (str(day.day), str(day.month))
    text = f"{dd}{sep}{mm}{sep}{day.year}"
    if at is not None:
        text += " " + clock.format(h=at[0], m=at[1])
    due = deadlines.parse_due(f"  {text} ", NOW, CAL)
    hour, minute = at if at is not None else (deadlines.DEFAULT_DUE_HOUR, 0)
    assert due == CAL.at_local(day, hour, minute)


@given(typed)
def test_reminder_days_are_within_bounds_or_refused(text: str) -> None:
    try:
        days = deadlines.read_offsets(text)
    except deadlines.BadRule:
        return
    assert 1 <= len(days) <= MAX_OFFSETS
    assert list(days) == sorted(set(days), reverse=True)
    assert all(0 <= d <= MAX_OFFSET_DAYS for d in days)


@given(st.lists(st.integers(0, MAX_OFFSET_DAYS), min_size=1, max_size=MAX_OFFSETS, unique=True))
def test_reminder_days_read_back(days: list[int]) -> None:
    assert deadlines.read_offsets(", ".join(map(str, days))) == tuple(sorted(days, reverse=True))


@given(typed)
def test_reminder_hour_is_in_office_hours_or_refused(text: str) -> None:
    try:
        hour, minute = deadlines.read_hour(text)
    except deadlines.BadRule:
        return
    assert EARLIEST_HOUR.hour <= hour <= LATEST_HOUR.hour and 0 <= minute <= 59
    assert (hour, minute) <= (LATEST_HOUR.hour, LATEST_HOUR.minute)


# --- the UMKM CSV of `pendamping invite --import` ------------------------------------------

names = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=140)
cells = st.one_of(
    names,
    st.sampled_from((*SECTORS, "KUE", " tenun ", "hotel", "")),
    st.from_regex(r"\+?[0-9][0-9 \-]{0,20}", fullmatch=True),
    st.just("x" * 140_000),  # past the csv module's field limit
)
rows = st.lists(st.lists(cells, min_size=0, max_size=6), max_size=8)


def _sheet(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _read(content: bytes) -> tuple[list[object], list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "umkm.csv"
        path.write_bytes(content)
        found, problems = read_umkm_csv(path, SECTORS)
    return list(found), problems


_LINE = re.compile(r"^line (\d+): ")


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from([list(IMPORT_COLUMNS), [*IMPORT_COLUMNS, "catatan"], ["Business", "owner"]]),
    rows,
    st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
)
def test_umkm_csv_gives_rows_or_problems_by_line(
    header: list[str], body: list[list[str]], encoding: str
) -> None:
    text = _sheet(header, body)
    found, problems = _read(text.encode(encoding, errors="replace"))
    last_line = text.count("\n") + 1
    for problem in problems:
        match = _LINE.match(problem)
        if match is not None:
            assert 1 <= int(match.group(1)) <= last_line, problem
        else:  # about the whole file: it is named
            assert "umkm.csv" in problem, problem
    lines = [row.line for row in found]  # type: ignore[attr-defined]  # ImportRow
    assert lines == sorted(set(lines))
    assert found or problems


@given(st.binary(max_size=400))
def test_umkm_csv_of_any_bytes_is_answered_with_problems_not_a_crash(content: bytes) -> None:
    found, problems = _read(content)
    assert problems, found


@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,30}", fullmatch=True),
            st.from_regex(r"[A-Za-z][A-Za-z ]{0,30}", fullmatch=True),
            st.sampled_from(SECTORS),
            st.none() | st.from_regex(r"\+?[0-9]{6,14}", fullmatch=True),
        ),
        min_size=1,
        max_size=10,
        unique_by=lambda r: " ".join(r[0].split()).lower(),
    )
)
def test_umkm_csv_of_good_rows_reads_every_row(
    good: list[tuple[str, str, str, str | None]],
) -> None:
    body = [[b, o, s, p or ""] for b, o, s, p in good]
    found, problems = _read(_sheet(list(IMPORT_COLUMNS), body).encode())
    assert problems == []
    assert [(r.business, r.sector) for r in found] == [  # type: ignore[attr-defined]
        (" ".join(b.split()), s) for b, _, s, _ in good
    ]
