"""Properties of the deadlines CSV import on a real database (SQLite and PostgreSQL).

Whatever the sheet, the import creates every row or none, names each rejected row by a line
the file has, and never fails with anything but its own answer. Each example runs in a
transaction that is rolled back, so all examples meet the same database.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.services import agencies, deadlines
from bot.services.calendar import work_calendar
from bot.services.deadlines.importer import CSV_COLUMNS, ImportResult
from db.session import create_engine, create_session_factory
from tests.support.wita import WITA

CAL = work_calendar(WITA)
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

future_days = st.dates(min_value=date(2026, 12, 8), max_value=date(2029, 12, 31))
good = {
    "agency": st.sampled_from(["", "Setda", "rsud s.k. lerik", " BKD "]),
    "title": st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,40}", fullmatch=True),
    "due": future_days.map(lambda d: f"{d.day}-{d.month}-{d.year}"),
    "description": st.text(max_size=50),
    "recurrence": st.sampled_from(["", "none", "Bulanan", "triwulan", "yearly", "tahunan"]),
    "hour": st.sampled_from(["", "07.00", "8:30", "17.00"]),
    "offsets": st.sampled_from(["", "7,3,1,0", "14", "60 30"]),
}
anything = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["01-01-2000", "31-02-2027", "1-1-2040", "25.00", "61", "-1", "tidak ada"]),
    st.just("x" * 140_000),  # past the csv module's field limit
)


def _cell(column: str) -> st.SearchStrategy[str]:
    return good[column] | anything if column in good else anything


@st.composite
def sheets(draw: st.DrawFn, valid: bool) -> tuple[str, int]:
    """A CSV text and how many data rows a reader finds in it."""
    columns = list(CSV_COLUMNS[:3]) + draw(st.lists(st.sampled_from(CSV_COLUMNS[3:]), unique=True))
    if not valid:
        columns = draw(st.permutations(columns + draw(st.lists(st.text(max_size=8), max_size=2))))
    body = [
        [draw(good[c] if valid else _cell(c)) for c in columns]
        for _ in range(draw(st.integers(0 if not valid else 1, 6)))
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.upper() if draw(st.booleans()) else c for c in columns])
    writer.writerows(body)
    text = out.getvalue()
    if not valid and draw(st.booleans()):
        text = draw(st.text(max_size=300))  # not a sheet at all
    try:
        count = sum(1 for _ in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error:
        count = -1
    return text, count


def _import(url: str, text: str) -> ImportResult:
    async def go() -> ImportResult:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as db, db.begin():
                clock = FakeClock(NOW)
                await agencies.seed_pilot_agencies(db, clock)
                result = await deadlines.import_csv(db, clock, CAL, text)
                await db.rollback()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())


@EXAMPLES
@given(sheets(valid=False))
@example(sheet=("agency,title,due\n" + "x" * 140_000 + ",Laporan,1-1-2027\n", -1))
def test_any_sheet_imports_all_rows_or_none(database_url: str, sheet: tuple[str, int]) -> None:
    text, count = sheet
    result = _import(database_url, text)
    assert not (result.created and result.rejected)
    lines = text.count("\n") + 1
    assert all(1 <= r.line <= lines for r in result.rejected), result.rejected
    if not result.rejected:
        assert len(result.created) == count


@EXAMPLES
@given(sheets(valid=True))
def test_a_sheet_of_good_rows_creates_every_row(database_url: str, sheet: tuple[str, int]) -> None:
    text, count = sheet
    result = _import(database_url, text)
    assert result.rejected == []
    assert len(result.created) == count
    assert all(d.due_at > NOW and d.title for d in result.created)
