"""/rekap: the coordinators' progress overview, and its drill-down buttons."""

from __future__ import annotations

from bot.callbacks import CallbackDataError
from bot.i18n import N_
from bot.render import Reply, report_charts
from bot.render import reports as render
from bot.render.common import MenuKey
from bot.render.reports import ReportAction, ReportButton
from bot.services import reports
from bot.services.reports.charts import chart_data
from db.models import Role
from handlers.base import Turn
from handlers.router import Router

router = Router("reports", roles={Role.COORDINATOR})


def _sectors(t: Turn) -> dict[str, str]:
    return {sector.key: sector.name for sector in t.deps.content.sectors}


def _indicators(t: Turn) -> int:
    return len(t.deps.content.iso18091.indicators)


async def _summary(t: Turn) -> Reply:
    data = await reports.summary(t.db, t.clock, t.deps.settings.timezone, _indicators(t))
    return render.summary(t.tr, data, _sectors(t))


@router.command("rekap", N_("Progress overview"))
async def show_overview(t: Turn) -> None:
    """/rekap: the progress overview, as a new message."""
    t.reply(await _summary(t))


@router.menu(MenuKey.REPORT)
async def open_overview(t: Turn) -> None:
    """The overview in place of the menu."""
    t.edit(await _summary(t))


@router.action(ReportButton, ReportAction.SUMMARY)
async def back_to_overview(t: Turn, button: ReportButton) -> None:
    """The overview in place of the list it was opened from."""
    await open_overview(t)


@router.action(ReportButton, ReportAction.BUSINESSES)
async def list_businesses(t: Turn, button: ReportButton) -> None:
    page = await reports.business_page(t.db, button.page)
    t.edit(render.businesses(t.tr, page, _sectors(t), t.clock.now()))


@router.action(ReportButton, ReportAction.BUSINESS)
async def open_business(t: Turn, button: ReportButton) -> None:
    if button.business is None:
        raise CallbackDataError("a business button without a business")
    detail = await reports.business_detail(t.db, t.clock, t.deps.content, button.business)
    t.edit(render.business(t.tr, detail, _sectors(t), button.page))


@router.action(ReportButton, ReportAction.AGENCIES)
async def list_agencies(t: Turn, button: ReportButton) -> None:
    data = await reports.agency_overview(t.db, t.clock, t.deps.settings.timezone, _indicators(t))
    t.edit(render.agencies(t.tr, data))


@router.action(ReportButton, ReportAction.UNREACHABLE)
async def list_unreachable(t: Turn, button: ReportButton) -> None:
    people = await reports.unreachable_page(t.db, button.page)
    t.edit(render.unreachable(t.tr, people, t.clock.now()))


@router.action(ReportButton, ReportAction.CHARTS)
async def send_charts(t: Turn, button: ReportButton) -> None:
    """The four charts as photos, drawn off the event loop once the transaction is closed."""
    data = await chart_data(t.db, t.clock, t.deps.settings.timezone, _indicators(t))
    t.reply(report_charts.all_charts(t.tr, data, _sectors(t)))
