"""Exports for spreadsheets: the programme's data as XLSX (one sheet per kind) or CSV.

Reading (`collect`) runs in the caller's session; writing (`write`) is plain CPU work on
finished rows, so callers run it off the event loop (`asyncio.to_thread`). Headers and sheet
names are msgids shown in the reader's language; times are shown in the programme's zone.
Evidence files never leave the server: only their names and dates are exported.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.services.exports import people, programme
from bot.services.exports.files import (
    KINDS,
    TITLES,
    Cell,
    ExportFormat,
    ExportKind,
    Label,
    Sheet,
    filename,
    kinds_of,
    write,
)

__all__ = [
    "KINDS",
    "TITLES",
    "Cell",
    "ExportFormat",
    "ExportKind",
    "Label",
    "Sheet",
    "collect",
    "filename",
    "kinds_of",
    "write",
]


async def collect(db: AsyncSession, content: Content | None, what: ExportKind) -> list[Sheet]:
    """The rows of each kind asked for, read in the caller's transaction."""
    return [await _COLLECTORS[kind](db, content) for kind in kinds_of(what)]


_COLLECTORS = {
    ExportKind.PEOPLE: people.people,
    ExportKind.BUSINESSES: people.businesses,
    ExportKind.CHECKLISTS: people.checklists,
    ExportKind.DEADLINES: programme.deadlines,
    ExportKind.REMINDERS: programme.reminders,
    ExportKind.BROADCASTS: programme.broadcasts_sent,
    ExportKind.QUESTIONS: programme.questions,
    ExportKind.ASSESSMENT: programme.assessment,
}
