"""/panduan: the sector's guidance modules, read one step at a time, resumed where left off."""

from __future__ import annotations

from bot.i18n import N_
from bot.render import guidance as render
from bot.render.common import MenuKey
from bot.render.guidance import GuideButton
from bot.services import guidance
from bot.services.errors import NotFound, Stale
from db.models import Business, Role
from handlers.base import Turn
from handlers.router import Router

router = Router("guidance", roles={Role.UMKM})


async def business_or_reply(t: Turn) -> Business | None:
    """The person's business; None (and a polite answer queued) when they have none."""
    if t.business is not None and t.business.owner_id == t.me.id:
        return t.business  # loaded with the person in this transaction
    try:
        return await guidance.business_of(t.db, t.me.id)
    except NotFound:
        t.reply(render.no_business(t.tr))
        return None


@router.command("panduan", N_("SNI guidance"))
@router.menu(MenuKey.GUIDE)
async def list_modules(t: Turn) -> None:
    """The module list with progress marks."""
    business = await business_or_reply(t)
    if business is None:
        return
    marks = await guidance.module_menu(t.db, t.deps.content, business)
    t.edit(render.menu(t.tr, marks))


@router.action(GuideButton)
async def read_step(t: Turn, button: GuideButton) -> None:
    """A step of a module (no step: where the business left off); the list for a gone one."""
    business = await business_or_reply(t)
    if business is None:
        return
    content = t.deps.content
    try:
        view = await guidance.open_step(
            t.db, t.clock, content, business, button.module, button.step
        )
    except Stale:
        t.toast(t.tr.gettext("This button is no longer valid."))
        marks = await guidance.module_menu(t.db, content, business)
        t.reply(render.stale_module(t.tr, marks))
        return
    t.edit(render.step(t.tr, view))
