"""Exports for spreadsheets: the programme's data as XLSX (one sheet per kind) or CSV.

Reading (`collect`) runs in the caller's session; writing (`write`) is plain CPU work on
finished rows, so callers run it off the event loop (`asyncio.to_thread`). Headers and sheet
names are msgids shown in the reader's language; times are shown in the programme's zone.
Evidence files never leave the server: only their names and dates are exported.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.i18n import N_, Translator
from bot.services import broadcasts
from db.models import (
    Agency,
    AgencyMember,
    Assessment,
    AssessmentRating,
    Business,
    ChecklistAnswer,
    ChecklistRun,
    Deadline,
    DeadlineAck,
    DeadlineOverride,
    Evidence,
    ExtensionRequest,
    OutboxMessage,
    Person,
    Question,
    QuestionAnswer,
)


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


async def collect(db: AsyncSession, content: Content | None, what: ExportKind) -> list[Sheet]:
    """The rows of each kind asked for, read in the caller's transaction."""
    return [await _COLLECTORS[kind](db, content) for kind in kinds_of(what)]


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
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    if first is not None:  # the empty sheet every new workbook starts with
        book.remove(first)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(_sheet_name(tr.gettext(TITLES[sheet.kind])))
        headers = [tr.gettext(h) for h in sheet.headers]
        page.append(headers)
        for cell in page[1]:
            cell.font = bold
        widths = [len(h) for h in headers]
        for row in sheet.rows:
            page.append([_xlsx_cell(v, tr) for v in row])
            for index, value in enumerate(row):
                shown = 16 if isinstance(value, datetime) else len(str(value or ""))
                widths[index] = max(widths[index], min(shown, 60))
        for index, width in enumerate(widths, start=1):
            page.column_dimensions[get_column_letter(index)].width = width + 2
            if any(isinstance(row[index - 1], datetime) for row in sheet.rows):
                for (cell,) in page.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = XLSX_TIME_FORMAT
        page.freeze_panes = "A2"
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


# --- one collector per kind -----------------------------------------------------------------


async def _people(db: AsyncSession, content: Content | None) -> Sheet:
    persons = (await db.scalars(select(Person).order_by(Person.full_name, Person.id))).all()
    agency = await _agency_of_people(db)
    owned = select(Business.owner_id, Business.name).where(Business.owner_id.is_not(None))
    business = dict((await db.execute(owned)).all())
    rows = tuple(
        (
            p.id,
            p.full_name,
            p.telegram_id,
            ", ".join(r.role.value for r in sorted(p.roles, key=lambda r: r.role.value)),
            agency.get(p.id),
            business.get(p.id),
            Label(N_("paused")) if p.deactivated_at is not None else Label(N_("active")),
            p.deactivated_at,
            p.unreachable_since,
            p.consent_at,
            p.created_at,
            p.locale,
        )
        for p in persons
    )
    headers = (
        N_("ID"),
        N_("Name"),
        N_("Telegram ID"),
        N_("Roles"),
        N_("Agency"),
        N_("Business"),
        N_("Status"),
        N_("Paused since"),
        N_("Unreachable since"),
        N_("Consent given"),
        N_("Joined"),
        N_("Language"),
    )
    return Sheet(ExportKind.PEOPLE, headers, rows)


async def _agency_of_people(db: AsyncSession) -> dict[int, str]:
    rows = await db.execute(
        select(AgencyMember.person_id, Agency.name)
        .join(Agency, Agency.id == AgencyMember.agency_id)
        .order_by(AgencyMember.person_id, Agency.id)
    )
    names: dict[int, list[str]] = {}
    for person_id, name in rows.all():
        names.setdefault(person_id, []).append(name)
    return {person_id: ", ".join(found) for person_id, found in names.items()}


async def _businesses(db: AsyncSession, content: Content | None) -> Sheet:
    found = (await db.scalars(select(Business).order_by(Business.name, Business.id))).all()
    latest: dict[int, ChecklistRun] = {}
    for run in (
        await db.scalars(
            select(ChecklistRun)
            .where(ChecklistRun.submitted_at.is_not(None))
            .order_by(ChecklistRun.submitted_at, ChecklistRun.id)
        )
    ).all():
        latest[run.business_id] = run
    rows = tuple(
        (
            b.id,
            b.name,
            _sector_name(content, b.sector),
            b.owner_name,
            b.phone,
            Label(N_("yes")) if b.owner_id is not None else Label(N_("no")),
            b.profile_confirmed_at,
            b.last_active_at,
            latest[b.id].score if b.id in latest else None,
            latest[b.id].submitted_at if b.id in latest else None,
            b.created_at,
        )
        for b in found
    )
    headers = (
        N_("ID"),
        N_("Business"),
        N_("Sector"),
        N_("Owner"),
        N_("Phone"),
        N_("Owner joined"),
        N_("Profile confirmed"),
        N_("Last active"),
        N_("Latest readiness (%)"),
        N_("Latest checklist sent"),
        N_("Registered"),
    )
    return Sheet(ExportKind.BUSINESSES, headers, rows)


def _sector_name(content: Content | None, key: str) -> str:
    if content is None:
        return key
    try:
        return content.sector(key).name
    except KeyError:
        return key


async def _checklists(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(ChecklistRun, Business, ChecklistAnswer, Evidence)
        .join(Business, Business.id == ChecklistRun.business_id)
        .join(ChecklistAnswer, ChecklistAnswer.run_id == ChecklistRun.id)
        .outerjoin(Evidence, Evidence.id == ChecklistAnswer.evidence_id)
        .order_by(Business.name, ChecklistRun.id, ChecklistAnswer.item_id)
    )
    rows = tuple(
        (
            business.name,
            run.id,
            run.checklist_id,
            run.version,
            run.state.value,
            run.submitted_at,
            run.score,
            answer.item_id,
            _question(content, business.sector, answer.item_id),
            answer.value.value if answer.value is not None else None,
            answer.note,
            _file_name(evidence),
            evidence.created_at if evidence is not None else None,
            answer.answered_at,
        )
        for run, business, answer, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("Business"),
        N_("Run"),
        N_("Checklist"),
        N_("Version"),
        N_("Run status"),
        N_("Sent"),
        N_("Score (%)"),
        N_("Item"),
        N_("Question"),
        N_("Answer"),
        N_("Note"),
        N_("Evidence file"),
        N_("Evidence date"),
        N_("Answered"),
    )
    return Sheet(ExportKind.CHECKLISTS, headers, rows)


def _question(content: Content | None, sector: str, item_id: str) -> str | None:
    if content is None:
        return None
    try:
        return content.checklist_for(sector).item(item_id).question
    except KeyError:
        return None


def _file_name(evidence: Evidence | None) -> str | None:
    if evidence is None:
        return None
    return evidence.filename or evidence.path.rsplit("/", 1)[-1]


async def _deadlines(db: AsyncSession, content: Content | None) -> Sheet:
    deadlines = (await db.scalars(select(Deadline).order_by(Deadline.due_at, Deadline.id))).all()
    agencies = (await db.scalars(select(Agency).order_by(Agency.id))).all()
    overrides = {
        (o.deadline_id, o.agency_id): o.due_at
        for o in (await db.scalars(select(DeadlineOverride))).all()
    }
    # The newest answer and extension request of each agency (later rows overwrite).
    acks = {
        (a.deadline_id, a.agency_id): a
        for a in (await db.scalars(select(DeadlineAck).order_by(DeadlineAck.at))).all()
    }
    asked = {
        (r.deadline_id, r.agency_id): r
        for r in (
            await db.scalars(select(ExtensionRequest).order_by(ExtensionRequest.created_at))
        ).all()
    }
    rows: list[tuple[Cell, ...]] = []
    for deadline in deadlines:
        for agency in agencies:
            if deadline.agency_id is not None and deadline.agency_id != agency.id:
                continue
            key = (deadline.id, agency.id)
            ack, request = acks.get(key), asked.get(key)
            rows.append(
                (
                    deadline.id,
                    deadline.title,
                    deadline.kind.value,
                    agency.name,
                    deadline.due_at,
                    overrides.get(key),
                    deadline.recurrence.value,
                    ack.status.value if ack is not None else None,
                    ack.at if ack is not None else None,
                    request.status.value if request is not None else None,
                    deadline.cancelled_at,
                    deadline.created_at,
                )
            )
    headers = (
        N_("ID"),
        N_("Deadline"),
        N_("Kind"),
        N_("Agency"),
        N_("Due"),
        N_("Extended to"),
        N_("Repeats"),
        N_("Agency's answer"),
        N_("Answered"),
        N_("Extension request"),
        N_("Cancelled"),
        N_("Created"),
    )
    return Sheet(ExportKind.DEADLINES, headers, tuple(rows))


async def _reminders(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(OutboxMessage, Person.full_name)
        .join(Person, Person.id == OutboxMessage.recipient_id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    rows = tuple(
        (
            row.id,
            row.kind,
            name,
            row.due_at,
            row.state.value,
            row.sent_at,
            row.attempts,
            row.error,
        )
        for row, name in (await db.execute(stmt)).all()
    )
    headers = (
        N_("ID"),
        N_("Kind"),
        N_("Recipient"),
        N_("Due"),
        N_("Status"),
        N_("Sent"),
        N_("Attempts"),
        N_("Error"),
    )
    return Sheet(ExportKind.REMINDERS, headers, rows)


async def _broadcasts(db: AsyncSession, content: Content | None) -> Sheet:
    found = await broadcasts.all_for_export(db)
    rows = tuple(
        (
            view.id,
            Markup(view.content.text).striptags() or None,
            _audience(view.target, content),
            sender,
            view.created_at,
            view.counts.sent,
            view.counts.blocked + view.counts.failed + view.counts.unknown,
        )
        for view, sender in found
    )
    headers = (
        N_("ID"),
        N_("Message"),
        N_("Audience"),
        N_("Sent by"),
        N_("Created"),
        N_("Delivered"),
        N_("Not delivered"),
    )
    return Sheet(ExportKind.BROADCASTS, headers, rows)


def _audience(target: broadcasts.Target | None, content: Content | None) -> str | None:
    """The audience code, with its sector or agency (exports are read by the programme team)."""
    if target is None:
        return None
    if target.sector is not None:
        return f"{target.audience.value}: {_sector_name(content, target.sector)}"
    if target.agency_name is not None:
        return f"{target.audience.value}: {target.agency_name}"
    return target.audience.value


async def _questions(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(Question, Business.name, QuestionAnswer, Evidence)
        .join(Business, Business.id == Question.business_id)
        .outerjoin(QuestionAnswer, QuestionAnswer.question_id == Question.id)
        .outerjoin(Evidence, Evidence.id == Question.evidence_id)
        .order_by(Question.asked_at, Question.id)
    )
    rows = tuple(
        (
            question.id,
            business,
            question.topic_ref,
            question.text,
            _file_name(evidence),
            question.asked_at,
            question.status.value,
            question.escalated_at,
            answer.mentor_name if answer is not None else None,
            answer.text if answer is not None else None,
            answer.answered_at if answer is not None else None,
        )
        for question, business, answer, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("ID"),
        N_("Business"),
        N_("Topic"),
        N_("Question"),
        N_("Photo file"),
        N_("Asked"),
        N_("Status"),
        N_("Escalated"),
        N_("Mentor"),
        N_("Answer"),
        N_("Answered"),
    )
    return Sheet(ExportKind.QUESTIONS, headers, rows)


async def _assessment(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(Assessment, Agency.name, AssessmentRating, Evidence)
        .join(Agency, Agency.id == Assessment.agency_id)
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .outerjoin(Evidence, Evidence.id == AssessmentRating.evidence_id)
        .order_by(Agency.name, Assessment.period, AssessmentRating.indicator_id)
    )
    rows = tuple(
        (
            agency,
            assessment.period,
            assessment.state.value,
            assessment.submitted_at,
            rating.indicator_id,
            _indicator(content, rating.indicator_id),
            rating.light.value if rating.light is not None else None,
            rating.note,
            _file_name(evidence),
            evidence.created_at if evidence is not None else None,
            rating.rated_at,
        )
        for assessment, agency, rating, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("Agency"),
        N_("Period"),
        N_("Status"),
        N_("Sent"),
        N_("Indicator"),
        N_("Indicator name"),
        N_("Light"),
        N_("Note"),
        N_("Evidence file"),
        N_("Evidence date"),
        N_("Rated"),
    )
    return Sheet(ExportKind.ASSESSMENT, headers, rows)


def _indicator(content: Content | None, indicator_id: str) -> str | None:
    if content is None:
        return None
    try:
        return content.iso18091.indicator(indicator_id).title
    except KeyError:
        return None


_COLLECTORS = {
    ExportKind.PEOPLE: _people,
    ExportKind.BUSINESSES: _businesses,
    ExportKind.CHECKLISTS: _checklists,
    ExportKind.DEADLINES: _deadlines,
    ExportKind.REMINDERS: _reminders,
    ExportKind.BROADCASTS: _broadcasts,
    ExportKind.QUESTIONS: _questions,
    ExportKind.ASSESSMENT: _assessment,
}
