"""What the coordinator who made an invitation link is told when someone joins with it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Deps
from bot.i18n import Translator
from bot.render import Reply
from bot.render import onboarding as render
from bot.services.invitations import Joined
from db.models import Agency, Business, Invitation, OutboxMessage, Person


async def compose_invitee_joined(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, payload: Joined
) -> Reply | None:
    """To the coordinator who made the link: who joined, as what."""
    invitation = await db.get(Invitation, payload.invitation_id)
    if invitation is None or invitation.used_by_id is None:
        return None
    joined = await db.get(Person, invitation.used_by_id)
    if joined is None:
        return None
    business = await db.get(Business, invitation.business_id) if invitation.business_id else None
    agency = await db.get(Agency, invitation.agency_id) if invitation.agency_id else None
    return render.invitee_joined(
        tr,
        name=joined.full_name,
        role=invitation.role,
        business=business.name if business is not None else None,
        agency=agency.name if agency is not None else None,
    )
