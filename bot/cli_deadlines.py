"""`pendamping import deadlines FILE.csv`: many deadlines at once, all or nothing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line imports SQLAlchemy only to run a command
    from bot.services.deadlines.importer import Rejected
    from bot.settings import Settings

EXIT_OK, EXIT_REJECTED = 0, 1

_PROBLEMS = {  # by RowProblem (a StrEnum: its members are these strings)
    "columns": "the first line must name the columns agency,title,due"
    " (and optionally description,recurrence,hour,offsets); found: {value}",
    "agency": "no agency is called {value!r} (leave it empty for all agencies)",
    "title": "the title is empty",
    "due": "{value!r} is not a date; write day-month-year, e.g. 10-12-2026 16.00",
    "due_past": "the date {value!r} has already passed",
    "due_far": "the date {value!r} is more than three years ahead; check the year",
    "recurrence": "repeat {value!r} is unknown; use none, monthly, quarterly or yearly",
    "hour": "reminder hour {value!r} is not a time between 07.00 and 17.00, e.g. 08.00",
    "offsets": "reminder days {value!r}: write 0 to 60 days before, at most 6,"
    ' e.g. "7,3,1,0" (quoted) or 7;3;1;0',
    "unreadable": "not a readable CSV ({value}); save the sheet as CSV UTF-8",
}


def add_parser(imports: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = imports.add_parser(
        "deadlines",
        help="deadlines from a CSV file (agency,title,due[,description,recurrence,hour,offsets])",
    )
    parser.add_argument("file", type=Path, help="CSV file, UTF-8, one deadline a line")


def describe(problem: Rejected) -> str:
    return f"line {problem.line}: " + _PROBLEMS[problem.problem].format(value=problem.value)


def main(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    logging.getLogger("alembic").setLevel(logging.WARNING)  # before alembic is imported
    from bot.runner import prepare_database

    prepare_database(settings)
    return asyncio.run(_import(text, settings))


async def _import(text: str, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.content import DEFAULT_CONTENT_ROOT, load_content
    from bot.services import agencies, deadlines
    from bot.services.calendar import work_calendar
    from db.session import create_engine, create_session_factory

    cal = work_calendar(settings.timezone, load_content(DEFAULT_CONTENT_ROOT).extra_leave_days)
    engine = create_engine(settings.database_url)
    clock = SystemClock()
    try:
        async with create_session_factory(engine)() as db, db.begin():
            await agencies.seed_pilot_agencies(db, clock)
            result = await deadlines.import_csv(db, clock, cal, text)
            if result.rejected:
                await db.rollback()
    finally:
        await engine.dispose()
    if result.rejected:
        for problem in result.rejected:
            print(describe(problem), file=sys.stderr)
        count = len(result.rejected)
        print(f"{count} line(s) rejected; nothing was imported", file=sys.stderr)
        return EXIT_REJECTED
    print(f"{len(result.created)} deadline(s) imported; reminders are planned")
    return EXIT_OK
