"""Periods, the sheet a screen reads, and the way through its indicators (no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import Iso18091
from bot.services.errors import DomainError, NotFound, Stale
from db.models import (
    AssessmentState,
    Light,
)

PAGE_SIZE = 1  # one indicator per screen: its criteria and one row of lights stay light
NOTE_LIMIT = 500
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


class NoAgency(NotFound):
    """A focal point who is not (yet) attached to any agency."""


class Incomplete(DomainError):
    """Submitting before every indicator has a light."""

    def __init__(self, missing: int) -> None:
        super().__init__(f"{missing} indicators not rated")
        self.missing = missing


# --- periods -------------------------------------------------------------------------------


def period_of(moment: datetime, zone: ZoneInfo) -> str:
    """The quarter a moment falls in, by the local calendar: "2026-Q4"."""
    local = moment.astimezone(zone)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def parse_period(text: str) -> tuple[int, int]:
    """(year, quarter) of "2026-Q4"; Stale for anything else (it comes from a button)."""
    match = _PERIOD.match(text)
    if match is None:
        raise Stale
    return int(match.group(1)), int(match.group(2))


def previous_period(period: str) -> str:
    year, quarter = parse_period(period)
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def next_period(period: str) -> str:
    year, quarter = parse_period(period)
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


# --- what the screens read ------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    indicator_id: str
    light: Light | None
    note: str | None
    evidence_id: int | None
    rated_by_id: int | None
    rated_at: datetime


@dataclass(frozen=True)
class Sheet:
    """One agency's assessment of one period, with last period's lights as hints."""

    id: int
    agency_id: int
    agency_name: str
    period: str
    state: AssessmentState
    submitted_at: datetime | None
    ratings: dict[str, Rating]
    hints: dict[str, Light]

    @property
    def rated(self) -> int:
        return sum(1 for r in self.ratings.values() if r.light is not None)

    def light(self, indicator_id: str) -> Light | None:
        rating = self.ratings.get(indicator_id)
        return rating.light if rating is not None else None

    def missing(self, iso: Iso18091) -> list[str]:
        """Indicator ids still without a light, in order."""
        return [ind.id for ind in iso.indicators if self.light(ind.id) is None]


@dataclass(frozen=True)
class Position:
    quadrant: int
    page: int


@dataclass(frozen=True)
class QuadrantCount:
    quadrant_id: str
    total: int
    red: int
    yellow: int
    green: int

    @property
    def rated(self) -> int:
        return self.red + self.yellow + self.green


@dataclass(frozen=True)
class AgencyRow:
    """One agency in the coordinators' overview of a period."""

    agency_id: int
    name: str
    short_name: str
    state: AssessmentState | None  # None: not started this period
    submitted_at: datetime | None
    lights: dict[str, Light]


def pages_in(iso: Iso18091, quadrant: int) -> int:
    count = len(iso.quadrants[quadrant].indicators)
    return max(1, -(-count // PAGE_SIZE))


def position_of(iso: Iso18091, indicator_id: str) -> Position:
    """The quadrant index and page showing an indicator; Stale when there is no such one."""
    for q_index, quadrant in enumerate(iso.quadrants):
        for i_index, indicator in enumerate(quadrant.indicators):
            if indicator.id == indicator_id:
                return Position(q_index, i_index // PAGE_SIZE)
    raise Stale


def fits(iso: Iso18091, position: Position) -> bool:
    """Whether a page exists (a kept position may outlive a change of the indicators)."""
    quadrant, page = position.quadrant, position.page
    return 0 <= quadrant < len(iso.quadrants) and 0 <= page < pages_in(iso, quadrant)


def next_position(iso: Iso18091, position: Position) -> Position | None:
    """The page after this one, running on across quadrants; None after the last."""
    if position.page + 1 < pages_in(iso, position.quadrant):
        return Position(position.quadrant, position.page + 1)
    if position.quadrant + 1 < len(iso.quadrants):
        return Position(position.quadrant + 1, 0)
    return None


def check_position(iso: Iso18091, quadrant: int, page: int) -> Position:
    position = Position(quadrant, page)
    if not fits(iso, position):
        raise Stale
    return position


def counts(
    sheet: Sheet | None, iso: Iso18091, lights: dict[str, Light] | None = None
) -> list[QuadrantCount]:
    """Per quadrant: how many indicators are red, yellow, green."""
    given = lights if lights is not None else {}
    if sheet is not None:
        given = {k: r.light for k, r in sheet.ratings.items() if r.light is not None}
    result = []
    for quadrant in iso.quadrants:
        found = [given.get(ind.id) for ind in quadrant.indicators]
        result.append(
            QuadrantCount(
                quadrant.id,
                len(quadrant.indicators),
                found.count(Light.RED),
                found.count(Light.YELLOW),
                found.count(Light.GREEN),
            )
        )
    return result
