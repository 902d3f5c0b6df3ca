"""Links not used yet: listed, cancelled, re-issued by a coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import people
from bot.services.errors import NotFound, Stale
from bot.services.invitations.links import (
    CODE_SHAPE,
    DEFAULT_VALID_DAYS,
    create_invitation,
    hash_code,
    places_of,
    reinvite_business,
)
from db.models import Invitation, Role


@dataclass(frozen=True)
class Unused:
    """An invitation nobody has used, as a coordinator sees it (no code: only its hash exists)."""

    id: int
    role: Role
    invitee_name: str
    business: str | None
    agency: str | None
    created_at: datetime
    expires_at: datetime
    expired: bool


def _unused_query() -> Select[Invitation]:
    return select(Invitation).where(
        Invitation.used_at.is_(None), Invitation.cancelled_at.is_(None)
    )


async def count_unused(db: AsyncSession) -> int:
    found = await db.scalar(select(func.count()).select_from(_unused_query().subquery()))
    return int(found or 0)


async def unused(
    db: AsyncSession, clock: Clock, *, offset: int = 0, limit: int | None = None
) -> list[Unused]:
    """Links not used nor cancelled, newest first (expired ones too: they can be re-issued)."""
    stmt = _unused_query().order_by(Invitation.created_at.desc(), Invitation.id.desc())
    found = (await db.scalars(stmt.offset(offset).limit(limit))).all()
    return [await _unused_view(db, clock, invitation) for invitation in found]


async def get_unused(db: AsyncSession, clock: Clock, invitation_id: int) -> Unused:
    """One unused invitation; Stale when it was used or cancelled meanwhile."""
    invitation = await db.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at is not None or invitation.cancelled_at:
        raise Stale()
    return await _unused_view(db, clock, invitation)


async def _unused_view(db: AsyncSession, clock: Clock, invitation: Invitation) -> Unused:
    business, agency = await places_of(db, invitation)
    return Unused(
        id=invitation.id,
        role=invitation.role,
        invitee_name=invitation.invitee_name,
        business=business,
        agency=agency,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        expired=invitation.expires_at <= clock.now(),
    )


async def cancel(
    db: AsyncSession, clock: Clock, invitation_id: int, *, by_id: int | None
) -> Unused:
    """Withdraw an unused link; Stale when it was used (or cancelled) meanwhile."""
    view = await get_unused(db, clock, invitation_id)
    result = await db.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
        )
        .values(cancelled_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        raise Stale()  # accepted a moment ago
    await people.audit(
        db, clock, by_id, "invitation.cancelled", invitation=invitation_id, role=view.role.value
    )
    return view


async def reissue(
    db: AsyncSession,
    clock: Clock,
    invitation_id: int,
    *,
    by_id: int | None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> tuple[Invitation, str]:
    """A new link for the same person and role; the old link stops working."""
    old = await get_unused(db, clock, invitation_id)
    invitation = await db.get(Invitation, invitation_id)
    assert invitation is not None
    if invitation.role is Role.UMKM and invitation.business_id is not None:
        made = await reinvite_business(
            db, clock, invitation.business_id, created_by_id=by_id, valid_days=valid_days
        )
    else:
        await cancel(db, clock, invitation_id, by_id=by_id)
        made = await create_invitation(
            db,
            clock,
            role=old.role,
            invitee_name=old.invitee_name,
            created_by_id=by_id,
            agency_id=invitation.agency_id,
            valid_days=valid_days,
            salutation=invitation.salutation,
        )
    await people.audit(
        db, clock, by_id, "invitation.reissued", invitation=made[0].id, replaces=invitation_id
    )
    return made


async def find_unused(db: AsyncSession, clock: Clock, ref: str) -> Unused:
    """An unused invitation by its id, its code or its whole link (the command line)."""
    ref = ref.strip()
    code = ref.rsplit("start=", 1)[-1]
    if ref.isdecimal():
        return await get_unused(db, clock, int(ref))
    if not CODE_SHAPE.match(code):
        raise NotFound()
    found = await db.scalar(select(Invitation.id).where(Invitation.code_hash == hash_code(code)))
    if found is None:
        raise NotFound()
    return await get_unused(db, clock, found)
