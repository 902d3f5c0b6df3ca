"""What a broadcast row says: the coordinator's message, the same for every recipient."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import broadcasts as render
from bot.services import broadcasts
from bot.services.broadcasts import BroadcastRef
from db.models import OutboxMessage


async def compose_broadcast(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: BroadcastRef
) -> Reply | None:
    """The message as the coordinator wrote it; None once the broadcast was cancelled."""
    content = await broadcasts.content_of(db, payload.broadcast_id)
    if content is None:
        return None
    return render.message(content)
