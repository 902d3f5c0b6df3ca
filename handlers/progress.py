"""/kemajuan: the business's readiness, its change since last time, and the next steps."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.render import progress as render
from bot.services import checklists, guidance
from db.models import Role
from handlers.base import Turn, handler
from handlers.guidance import business_or_reply
from handlers.legacy import menu_action


async def _show(t: Turn) -> None:
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    data = await checklists.progress(t.db, content, business)
    done, total = await guidance.completed_count(t.db, content, business)
    t.edit(render.progress(t.tr, data, done, total))


@handler(roles={Role.UMKM})
async def cmd_kemajuan(update: Update, context: BotContext, t: Turn) -> None:
    """/kemajuan: readiness, per-section bars, modules read, next steps."""
    await _show(t)


@menu_action("progress")
async def menu_progress(update: Update, context: BotContext, t: Turn) -> None:
    """The "Kemajuan saya" menu entry."""
    await _show(t)
