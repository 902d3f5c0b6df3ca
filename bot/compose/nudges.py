"""What the weekly nudge to a quiet business says when it goes out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import nudges as render_nudges
from bot.render.common import addressed
from bot.services import nudges
from bot.services.nudges import NudgeFor
from db.models import Business, OutboxMessage, Person


async def compose_nudge(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: NudgeFor
) -> Reply | None:
    """The weekly friendly word; skipped when the business was active meanwhile, or at night."""
    business = await db.get(Business, payload.business_id)
    if business is None or business.owner_id != row.recipient_id:
        return None
    now = deps.clock.now()
    if not nudges.is_inactive(business, now) or deps.calendar.is_quiet(now):
        # Active again: pointless. Late into the night (after downtime): the hourly planning
        # re-times this week's row to the next fit morning.
        return None
    owner = await db.get(Person, row.recipient_id)
    step = await nudges.next_step(db, deps.content, business)
    name = (
        addressed(tr, owner.full_name, owner.salutation)
        if owner is not None
        else business.owner_name
    )
    return render_nudges.nudge(tr, name, business.name, step)
