"""The ISO 18091 self-assessment: an agency rates 39 indicators per period, then submits.

`sheet` holds periods, the views the screens read and the way through the indicators;
`store` reads and writes an agency's sheets."""

from __future__ import annotations

from bot.services.assessment.sheet import (
    NOTE_LIMIT,
    PAGE_SIZE,
    AgencyRow,
    Incomplete,
    NoAgency,
    Position,
    QuadrantCount,
    Rating,
    Sheet,
    check_position,
    counts,
    fits,
    next_period,
    next_position,
    pages_in,
    parse_period,
    period_of,
    position_of,
    previous_period,
)
from bot.services.assessment.store import (
    agency_sheets,
    attach_evidence,
    check_editable,
    load,
    names,
    open_current,
    period_overview,
    rate,
    remember_position,
    set_note,
    submit,
)

__all__ = [
    "NOTE_LIMIT",
    "PAGE_SIZE",
    "AgencyRow",
    "Incomplete",
    "NoAgency",
    "Position",
    "QuadrantCount",
    "Rating",
    "Sheet",
    "agency_sheets",
    "attach_evidence",
    "check_editable",
    "check_position",
    "counts",
    "fits",
    "load",
    "names",
    "next_period",
    "next_position",
    "open_current",
    "pages_in",
    "parse_period",
    "period_of",
    "period_overview",
    "position_of",
    "previous_period",
    "rate",
    "remember_position",
    "set_note",
    "submit",
]
