"""The coordinators' progress overview (/rekap): one aggregate query per block, no text.

Blocks: businesses (invited, joined, submitted, average readiness, who needs attention),
deadlines due soon or overdue per agency, ISO 18091 progress this quarter, open mentoring
questions, and the people Telegram no longer delivers to (they blocked the bot).
`views` holds what the screens read; `businesses`, `agencies` and `rekap` build it.
"""

from bot.services.reports.agencies import agency_overview, deadlines_due, iso_progress
from bot.services.reports.businesses import business_detail, business_page, business_totals
from bot.services.reports.rekap import open_questions, summary, unreachable_page
from bot.services.reports.views import (
    ATTENTION,
    PAGE_SIZE,
    SUMMARY_UNREACHABLE,
    UPCOMING,
    Agencies,
    AgencyRow,
    BusinessDetail,
    BusinessRow,
    BusinessTotals,
    DeadlineRow,
    IsoRow,
    Page,
    Questions,
    Summary,
    UnreachableRow,
)

__all__ = [
    "ATTENTION",
    "PAGE_SIZE",
    "SUMMARY_UNREACHABLE",
    "UPCOMING",
    "Agencies",
    "AgencyRow",
    "BusinessDetail",
    "BusinessRow",
    "BusinessTotals",
    "DeadlineRow",
    "IsoRow",
    "Page",
    "Questions",
    "Summary",
    "UnreachableRow",
    "agency_overview",
    "business_detail",
    "business_page",
    "business_totals",
    "deadlines_due",
    "iso_progress",
    "open_questions",
    "summary",
    "unreachable_page",
]
