"""/panduan: the sector's guidance modules, read one step at a time, resumed where left off."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import GUIDE, CallbackDataError
from bot.context import BotContext
from bot.render import guidance as render
from bot.services import guidance
from bot.services.errors import NotFound, Stale
from db.models import Business, Role
from handlers.base import Turn, handler
from handlers.legacy import menu_action


async def business_or_reply(t: Turn) -> Business | None:
    """The person's business; None (and a polite answer queued) when they have none."""
    try:
        return await guidance.business_of(t.db, t.me.id)
    except NotFound:
        t.reply(render.no_business(t.tr))
        return None


async def _show_menu(t: Turn) -> None:
    business = await business_or_reply(t)
    if business is None:
        return
    marks = await guidance.module_menu(t.db, t.deps.content, business)
    t.edit(render.menu(t.tr, marks))


@handler(roles={Role.UMKM})
async def cmd_panduan(update: Update, context: BotContext, t: Turn) -> None:
    """/panduan: the module list with progress marks."""
    await _show_menu(t)


@menu_action("guide")
async def menu_guide(update: Update, context: BotContext, t: Turn) -> None:
    """The "Panduan SNI" menu entry."""
    await _show_menu(t)


@handler(roles={Role.UMKM})
async def btn_g(update: Update, context: BotContext, t: Turn) -> None:
    """A module step (`g:<module>:<step>`, or `r` for where the business left off)."""
    ref = GUIDE.unpack(t.data)
    if ref["step"] == "r":
        step: int | None = None
    elif ref["step"].isdigit():
        step = int(ref["step"])
    else:
        raise CallbackDataError("guidance step is not a number")
    business = await business_or_reply(t)
    if business is None:
        return
    try:
        view = await guidance.open_step(
            t.db, t.clock, t.deps.content, business, ref["module"], step
        )
    except Stale:
        t.toast(t.tr.gettext("This button is no longer valid."))
        marks = await guidance.module_menu(t.db, t.deps.content, business)
        t.reply(render.stale_module(t.tr, marks))
        return
    t.edit(render.step(t.tr, view))
