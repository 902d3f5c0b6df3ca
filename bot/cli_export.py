"""`pendamping export`: the programme's data as a spreadsheet file (XLSX or CSV)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.content import Content
    from bot.i18n import Translator
    from bot.services.exports import ExportFormat, ExportKind
    from bot.settings import Settings

EXIT_OK, EXIT_USAGE = 0, 2
KINDS = (
    "people",
    "businesses",
    "checklists",
    "deadlines",
    "reminders",
    "broadcasts",
    "questions",
    "assessment",
    "all",
)  # bot.services.exports.ExportKind's values
FORMATS = ("xlsx", "csv")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="write data to a spreadsheet file (no evidence files, only their names)"
    )
    export.add_argument("--format", choices=FORMATS, default="xlsx", help="default: xlsx")
    export.add_argument(
        "--what",
        choices=KINDS,
        default="all",
        help="which data; all: one sheet per kind (CSV: a ZIP of CSV files); default: all",
    )
    export.add_argument("--out", type=Path, help="the file to write (default: a dated name here)")


def main(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content import ContentError, load_content
    from bot.i18n import I18n
    from bot.runner import prepare_database
    from bot.services.exports import ExportFormat, ExportKind, filename

    logging.getLogger("alembic").setLevel(logging.WARNING)
    fmt, what = ExportFormat(args.format), ExportKind(args.what)
    try:
        content = load_content()
    except ContentError:  # the data is still worth having, without question texts
        print("pendamping: content/ has problems; exporting without item texts", file=sys.stderr)
        content = None
    tr = I18n(settings.timezone).translator("id")  # Indonesian headers
    prepare_database(settings)
    data, rows, day = asyncio.run(_export(settings, content, what, fmt, tr))
    out: Path = args.out or Path(filename(fmt, what, day))
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"pendamping: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{rows} row(s) written to {out}")
    return EXIT_OK


async def _export(
    settings: Settings,
    content: Content | None,
    what: ExportKind,
    fmt: ExportFormat,
    tr: Translator,
) -> tuple[bytes, int, date]:
    from bot.clock import SystemClock
    from bot.services import exports
    from db.session import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            sheets = await exports.collect(db, content, what)
    finally:
        await engine.dispose()
    data = await asyncio.to_thread(exports.write, sheets, fmt, tr)
    day = tr.local(SystemClock().now()).date()
    return data, sum(len(sheet.rows) for sheet in sheets), day
