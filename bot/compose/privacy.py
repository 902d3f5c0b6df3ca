"""What the coordinators are told when someone deletes their own data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import privacy as render
from bot.render.common import ROLE_NAMES
from bot.services.privacy import ForgottenNotice
from db.models import OutboxMessage


async def compose_forgotten(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: ForgottenNotice
) -> Reply | None:
    """To the coordinators: someone withdrew (their former roles, nothing else)."""
    roles = ", ".join(tr.gettext(ROLE_NAMES[role]) for role in payload.roles)
    return render.forgotten_notice(tr, roles)
