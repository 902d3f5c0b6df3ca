"""/audit: coordinators read who did what and when (invitations, roles, deadlines, ...)."""

from __future__ import annotations

from bot.i18n import N_
from bot.render import audit as render
from bot.render.audit import AuditButton
from bot.render.common import MenuKey
from bot.services import audit
from db.models import Role
from handlers.base import Turn
from handlers.router import Router

router = Router("audit", roles={Role.COORDINATOR})


@router.command("audit", N_("Activity log"))
@router.menu(MenuKey.AUDIT)
async def show_trail(t: Turn) -> None:
    """The newest page of the audit trail."""
    t.edit(render.trail(t.tr, await audit.latest(t.db)))


@router.action(AuditButton)
async def turn_page(t: Turn, button: AuditButton) -> None:
    t.edit(render.trail(t.tr, await audit.latest(t.db, button.page)))
