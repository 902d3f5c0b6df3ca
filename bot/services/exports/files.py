"""The export's shape and its files: kinds, sheets of cells, XLSX and CSV (CPU only)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.content import Content
from bot.i18n import N_, Translator
from db.models import Evidence


class Label(str):
    """A cell value that is a msgid: shown in the reader's language."""

    __slots__ = ()


Cell = str | int | None | datetime
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M"


class ExportKind(StrEnum):
    PEOPLE = "people"
    BUSINESSES = "businesses"
    CHECKLISTS = "checklists"
    DEADLINES = "deadlines"
    REMINDERS = "reminders"
    BROADCASTS = "broadcasts"
    QUESTIONS = "questions"
    ASSESSMENT = "assessment"
    ALL = "all"


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"  # one kind: a CSV file; every kind: a ZIP of CSV files


KINDS = tuple(k for k in ExportKind if k is not ExportKind.ALL)

# Sheet names (msgids): at most 31 characters in every language, as Excel allows.
TITLES: dict[ExportKind, str] = {
    ExportKind.PEOPLE: N_("People"),
    ExportKind.BUSINESSES: N_("Businesses"),
    ExportKind.CHECKLISTS: N_("Checklists"),
    ExportKind.DEADLINES: N_("Deadlines"),
    ExportKind.REMINDERS: N_("Reminders and messages"),
    ExportKind.BROADCASTS: N_("Broadcasts"),
    ExportKind.QUESTIONS: N_("Questions"),
    ExportKind.ASSESSMENT: N_("Self-assessment"),
}


@dataclass(frozen=True)
class Sheet:
    kind: ExportKind
    headers: tuple[str, ...]  # msgids
    rows: tuple[tuple[Cell, ...], ...]


def kinds_of(what: ExportKind) -> tuple[ExportKind, ...]:
    return KINDS if what is ExportKind.ALL else (what,)


def filename(fmt: ExportFormat, what: ExportKind, day: date) -> str:
    """`pendamping-people-20261207.xlsx`; every kind as CSV is a ZIP of CSV files."""
    stem = f"pendamping-{what.value}-{day:%Y%m%d}"
    if fmt is ExportFormat.XLSX:
        return f"{stem}.xlsx"
    return f"{stem}.zip" if what is ExportKind.ALL else f"{stem}.csv"


def write(sheets: Sequence[Sheet], fmt: ExportFormat, tr: Translator) -> bytes:
    """The file's bytes (CPU only, openpyxl is slow: run it in a thread)."""
    if fmt is ExportFormat.XLSX:
        return _xlsx(sheets, tr)
    if len(sheets) == 1:
        return _csv(sheets[0], tr)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            archive.writestr(f"{sheet.kind.value}.csv", _csv(sheet, tr))
    return buffer.getvalue()


def _csv(sheet: Sheet, tr: Translator) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([tr.gettext(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow(["" if v is None else _csv_cell(v, tr) for v in row])
    # A byte-order mark, so spreadsheets read the file as UTF-8.
    return text.getvalue().encode("utf-8-sig")


def _csv_cell(value: Cell, tr: Translator) -> str | int:
    if isinstance(value, datetime):
        return tr.local(value).strftime(CSV_TIME_FORMAT)
    if isinstance(value, Label):
        return tr.gettext(value)
    return value if isinstance(value, int) else str(value)


def _xlsx(sheets: Sequence[Sheet], tr: Translator) -> bytes:
    # Write-only: rows stream out as they are appended, about twice as fast as building
    # every cell first (a full programme's export is ~18,000 rows); widths, the frozen
    # header and formats are therefore set before the rows.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(_sheet_name(tr.gettext(TITLES[sheet.kind])))
        headers = [tr.gettext(h) for h in sheet.headers]
        widths = [len(h) for h in headers]
        for row in sheet.rows:
            for index, value in enumerate(row):
                shown = 16 if isinstance(value, datetime) else len(str(value or ""))
                widths[index] = max(widths[index], min(shown, 60))
        for index, width in enumerate(widths, start=1):
            page.column_dimensions[get_column_letter(index)].width = width + 2
        page.freeze_panes = "A2"

        header = []
        for text in headers:
            cell = WriteOnlyCell(page, value=text)
            cell.font = bold
            header.append(cell)
        page.append(header)
        for row in sheet.rows:
            values: list[object] = []
            for value in row:
                out = _xlsx_cell(value, tr)
                if isinstance(out, datetime):
                    cell = WriteOnlyCell(page, value=out)
                    cell.number_format = XLSX_TIME_FORMAT
                    values.append(cell)
                else:
                    values.append(out)
            page.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Cell, tr: Translator) -> str | int | datetime | None:
    if isinstance(value, datetime):  # Excel has no zones: the local time, without one
        return tr.local(value).replace(tzinfo=None)
    if isinstance(value, Label):
        return tr.gettext(value)
    return value


def _sheet_name(title: str) -> str:
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in title)
    return cleaned[:31]


def sector_name(content: Content | None, key: str) -> str:
    """The sector's name in the content (its key when the content is not loaded or lacks it)."""
    if content is None:
        return key
    try:
        return content.sector(key).name
    except KeyError:
        return key


def file_name(evidence: Evidence | None) -> str | None:
    """An evidence file's name as the sender gave it: the file itself never leaves the server."""
    if evidence is None:
        return None
    return evidence.filename or evidence.path.rsplit("/", 1)[-1]
