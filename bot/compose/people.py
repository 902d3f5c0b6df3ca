"""What a person is told when a coordinator changes their roles or access."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import people as render
from bot.render.common import addressed
from bot.services import people
from bot.services.roles import AccessChanged
from db.models import OutboxMessage


async def compose_access(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: AccessChanged
) -> Reply | None:
    """A role given or taken, access paused or given again, in the person's language."""
    person = await people.get(db, row.recipient_id)
    if person is None:
        return None
    name = addressed(tr, person.full_name, person.salutation)
    return render.access_notice(tr, name, payload.change, payload.role)
