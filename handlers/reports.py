"""/rekap: the coordinators' progress overview, and its drill-down buttons."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import REPORT, CallbackDataError
from bot.context import BotContext
from bot.render import Reply
from bot.render import reports as render
from bot.services import reports
from db.models import Role
from handlers.base import Turn, handler
from handlers.legacy import menu_action


def _sectors(t: Turn) -> dict[str, str]:
    return {sector.key: sector.name for sector in t.deps.content.sectors}


async def _summary(t: Turn) -> Reply:
    indicators = len(t.deps.content.iso18091.indicators)
    data = await reports.summary(t.db, t.clock, t.deps.settings.timezone, indicators)
    return render.summary(t.tr, data, _sectors(t))


def _number(text: str) -> int:
    if not text.isdigit():
        raise CallbackDataError(f"not a number: {text!r}")
    return int(text)


@handler(roles={Role.COORDINATOR})
async def cmd_rekap(update: Update, context: BotContext, t: Turn) -> None:
    """/rekap: the progress overview."""
    t.reply(await _summary(t))


@menu_action("report")
async def menu_report(update: Update, context: BotContext, t: Turn) -> None:
    """The "Rekap kemajuan" menu entry (the menu checked the role)."""
    t.edit(await _summary(t))


@handler(roles={Role.COORDINATOR})
async def btn_rk(update: Update, context: BotContext, t: Turn) -> None:
    """A drill-down button: summary, businesses, one business, agencies, unreachable."""
    ref = REPORT.unpack(t.data)
    view, arg = ref["view"], ref["arg"]
    if view == "s":
        t.edit(await _summary(t))
    elif view == "b":
        page = await reports.business_page(t.db, _number(arg))
        t.edit(render.businesses(t.tr, page, _sectors(t), t.clock.now()))
    elif view == "bd":
        business_id, _, list_page = arg.partition(".")
        detail = await reports.business_detail(t.db, t.clock, t.deps.content, _number(business_id))
        t.edit(render.business(t.tr, detail, _sectors(t), _number(list_page or "0")))
    elif view == "a":
        indicators = len(t.deps.content.iso18091.indicators)
        data = await reports.agency_overview(t.db, t.clock, t.deps.settings.timezone, indicators)
        t.edit(render.agencies(t.tr, data))
    elif view == "u":
        people = await reports.unreachable_page(t.db, _number(arg))
        t.edit(render.unreachable(t.tr, people, t.clock.now()))
    else:
        raise CallbackDataError(f"unknown report view {view!r}")
