"""Importing many deadlines from a CSV file: every row checked, all created or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import agencies
from bot.services.businesses import drop_controls
from bot.services.calendar import WorkCalendar
from bot.services.deadlines.changes import NewDeadline, create
from bot.services.deadlines.parsing import (
    DEFAULT_HOUR,
    DEFAULT_OFFSETS,
    BadDue,
    BadRule,
    DueError,
    parse_due,
    read_hour,
    read_offsets,
)
from db.models import Deadline, Recurrence


class RowProblem(StrEnum):
    COLUMNS = "columns"
    AGENCY = "agency"
    TITLE = "title"
    DUE = "due"
    DUE_PAST = "due_past"
    DUE_FAR = "due_far"
    RECURRENCE = "recurrence"
    HOUR = "hour"
    OFFSETS = "offsets"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Rejected:
    line: int
    problem: RowProblem
    value: str = ""


@dataclass
class ImportResult:
    created: list[Deadline] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


CSV_COLUMNS = ("agency", "title", "due", "description", "recurrence", "hour", "offsets")
_RECURRENCE_WORDS = {
    "": Recurrence.NONE,
    "none": Recurrence.NONE,
    "tidak": Recurrence.NONE,
    "monthly": Recurrence.MONTHLY,
    "bulanan": Recurrence.MONTHLY,
    "quarterly": Recurrence.QUARTERLY,
    "triwulan": Recurrence.QUARTERLY,
    "triwulanan": Recurrence.QUARTERLY,
    "yearly": Recurrence.YEARLY,
    "tahunan": Recurrence.YEARLY,
}


async def import_csv(
    db: AsyncSession, clock: Clock, cal: WorkCalendar, text: str, by_id: int | None = None
) -> ImportResult:
    """Check every row first; create all of them, or none when any row is rejected."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(drop_controls(text).lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if not set(CSV_COLUMNS[:3]) <= set(header):
            result.rejected.append(Rejected(1, RowProblem.COLUMNS, ",".join(header)))
            return result
        reader.fieldnames = header
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB limit
        result.rejected.append(Rejected(max(reader.line_num, 1), RowProblem.UNREADABLE, str(exc)))
        return result
    planned: list[NewDeadline] = []
    for line, row in rows:
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        agency_id: int | None = None
        if values.get("agency"):
            agency = await agencies.find(db, values["agency"])
            if agency is None:
                result.rejected.append(Rejected(line, RowProblem.AGENCY, values["agency"]))
                continue
            agency_id = agency.id
        if not values.get("title"):
            result.rejected.append(Rejected(line, RowProblem.TITLE))
            continue
        try:
            due_at = parse_due(values.get("due", ""), clock.now(), cal)
        except BadDue as exc:
            problem = {DueError.PAST: RowProblem.DUE_PAST, DueError.FAR: RowProblem.DUE_FAR}.get(
                exc.code, RowProblem.DUE
            )
            result.rejected.append(Rejected(line, problem, values.get("due", "")))
            continue
        recurrence = _RECURRENCE_WORDS.get(values.get("recurrence", "").lower())
        if recurrence is None:
            result.rejected.append(Rejected(line, RowProblem.RECURRENCE, values["recurrence"]))
            continue
        hour, minute = DEFAULT_HOUR, 0
        offsets: tuple[int, ...] = DEFAULT_OFFSETS
        try:
            if values.get("hour"):
                hour, minute = read_hour(values["hour"])
        except BadRule:
            result.rejected.append(Rejected(line, RowProblem.HOUR, values["hour"]))
            continue
        try:
            if values.get("offsets"):
                offsets = read_offsets(values["offsets"])
        except BadRule:
            result.rejected.append(Rejected(line, RowProblem.OFFSETS, values["offsets"]))
            continue
        planned.append(
            NewDeadline(
                title=values["title"],
                due_at=due_at,
                agency_id=agency_id,
                description=values.get("description") or None,
                recurrence=recurrence,
                offsets=offsets,
                hour=hour,
                minute=minute,
            )
        )
    if result.rejected:
        return result
    for new in planned:
        result.created.append(await create(db, clock, cal, new, by_id))
    return result
