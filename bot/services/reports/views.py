"""What the /rekap screens read: frozen rows and pages, built by the other modules here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from bot.services import assessment, checklists, questions, scoring
from bot.services.nudges import INACTIVE_AFTER
from db.models import AssessmentState, Role

PAGE_SIZE = 10  # rows per drill-down page: short enough for a phone, far below 4096
ATTENTION = 3  # businesses named on the summary as needing attention
SUMMARY_UNREACHABLE = 5  # unreachable people named on the summary (the rest: drill down)
UPCOMING = timedelta(days=14)


@dataclass(frozen=True)
class BusinessRow:
    id: int
    name: str
    sector: str
    joined: bool  # the owner accepted the invitation
    readiness: int | None  # latest submitted checklist, whole percent; None: none submitted
    submitted_at: datetime | None
    active_at: datetime  # last sign of life (activity, else confirmation, else creation)

    def inactive(self, now: datetime) -> bool:
        return now - self.active_at >= INACTIVE_AFTER


@dataclass(frozen=True)
class BusinessTotals:
    invited: int
    joined: int
    submitted: int
    average: int | None  # average latest readiness of those who submitted
    attention: tuple[BusinessRow, ...]


@dataclass(frozen=True)
class DeadlineRow:
    """One open deadline due in the window or overdue, across the agencies it concerns."""

    id: int
    title: str
    due_at: datetime
    agencies: int
    answered: int  # agencies whose focal points gave any answer
    done: int
    late: int  # agencies past their (possibly extended) due moment and not done


@dataclass(frozen=True)
class IsoRow:
    agency_id: int
    short_name: str
    rated: int
    submitted: bool


@dataclass(frozen=True)
class Questions:
    open: int
    oldest_at: datetime | None


@dataclass(frozen=True)
class UnreachableRow:
    person_id: int
    name: str
    roles: frozenset[Role]
    since: datetime
    business: str | None
    phone: str | None
    agency: str | None


@dataclass(frozen=True)
class Summary:
    now: datetime
    businesses: BusinessTotals
    deadlines: tuple[DeadlineRow, ...]
    period: str
    indicators: int
    iso: tuple[IsoRow, ...]
    questions: Questions
    unreachable: tuple[UnreachableRow, ...]
    unreachable_total: int


T = TypeVar("T")


class Outcome(StrEnum):
    KEPT = "kept"
    LATE = "late"
    MISSED = "missed"
    OPEN = "open"


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    page: int  # 0-based, clamped to the pages there are
    pages: int
    total: int


@dataclass(frozen=True)
class AgencyRow:
    id: int
    name: str
    short_name: str
    late: int  # deadlines past due and not done
    upcoming: int  # deadlines due in the window and not done yet
    next_title: str | None
    next_due: datetime | None
    iso_rated: int
    iso_submitted: bool


@dataclass(frozen=True)
class Agencies:
    now: datetime
    period: str
    indicators: int
    rows: tuple[AgencyRow, ...]


@dataclass(frozen=True)
class BusinessDetail:
    now: datetime
    row: BusinessRow
    progress: checklists.Progress


# --- the desk's wider views: every row at once, with history ----------------------------------


@dataclass(frozen=True)
class TableRow:
    """One business in the desk's table: its /rekap row and its open questions."""

    business: BusinessRow
    owner_name: str
    open_questions: int


@dataclass(frozen=True)
class VersionHead:
    """A column of a business's answer history: a submitted version, or the draft."""

    run_id: int | None  # None: the run being filled in
    submitted_at: datetime | None
    percent: int


@dataclass(frozen=True)
class HistoryItem:
    """One checklist item with its answer in each version, newest first."""

    id: str
    section: str
    question: str
    answers: tuple[scoring.Answer | None, ...]


@dataclass(frozen=True)
class BusinessHistory:
    """One business's page: its row, its answers over time, next steps and questions."""

    now: datetime
    row: TableRow
    phone: str | None
    checklist: str
    versions: tuple[VersionHead, ...]
    items: tuple[HistoryItem, ...]
    steps: tuple[str, ...]
    questions: tuple[questions.Thread, ...]


@dataclass(frozen=True)
class Quarter:
    """An agency's ISO 18091 lights in one period."""

    period: str
    state: AssessmentState | None  # None: not started
    red: int
    yellow: int
    green: int


@dataclass(frozen=True)
class FocalReach:
    """Whether a focal point can be reached: blocked the bot, paused, last answer."""

    person_id: int
    name: str
    unreachable_since: datetime | None
    paused_since: datetime | None
    last_answer_at: datetime | None


@dataclass(frozen=True)
class DeadlineOutcome:
    """One deadline as one agency has it, and how it went."""

    deadline_id: int
    title: str
    due_at: datetime  # the agency's own (after an extension)
    done_at: datetime | None
    outcome: Outcome


@dataclass(frozen=True)
class AgencyRecord:
    id: int
    name: str
    short_name: str
    kept: int  # done by the due moment
    late: int  # done after it
    missed: int  # past due, not done
    open: int  # not due yet, not done
    quarters: tuple[Quarter, ...]  # newest first
    focal_points: tuple[FocalReach, ...]


@dataclass(frozen=True)
class AgencyRecords:
    now: datetime
    indicators: int
    periods: tuple[str, ...]  # newest first
    rows: tuple[AgencyRecord, ...]


@dataclass(frozen=True)
class AgencyPage:
    now: datetime
    indicators: int
    record: AgencyRecord
    deadlines: tuple[DeadlineOutcome, ...]
    sheets: tuple[assessment.Sheet, ...]  # newest first, with notes
