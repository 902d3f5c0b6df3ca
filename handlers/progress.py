"""/kemajuan: the business's readiness, its change since last time, and the next steps."""

from __future__ import annotations

from bot.i18n import N_
from bot.render import progress as render
from bot.render.common import MenuKey
from bot.services import checklists, guidance
from db.models import Role
from handlers.base import Turn
from handlers.guidance import business_or_reply
from handlers.router import Router

router = Router("progress", roles={Role.UMKM})


@router.command("kemajuan", N_("My progress"))
@router.menu(MenuKey.PROGRESS)
async def show_progress(t: Turn) -> None:
    """Readiness, per-section bars, modules read, next steps."""
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    data = await checklists.progress(t.db, content, business)
    done, total = await guidance.completed_count(t.db, content, business)
    t.edit(render.progress(t.tr, data, done, total))
