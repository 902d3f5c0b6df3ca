"""/undang and the menu's "Undang peserta": a coordinator makes an invitation link in chat."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel

from bot.callbacks import CallbackDataError
from bot.i18n import N_
from bot.render import Reply
from bot.render import invite as render
from bot.render.common import MenuKey
from bot.render.invite import Draft, InviteAction, InviteButton, SalutationButton
from bot.services import agencies, businesses, invitations, people
from bot.services.errors import Invalid, Stale
from db.models import Role, Salutation
from handlers.base import Turn
from handlers.router import Dialogue, Flow, Router

router = Router("invite", roles={Role.COORDINATOR})


class InviteStep(StrEnum):
    ROLE = "role"
    BUSINESS = "business"
    OWNER = "owner"
    SALUTATION = "salutation"
    SECTOR = "sector"
    PHONE = "phone"
    AGENCY = "agency"
    NAME = "name"
    CONFIRM = "confirm"


class InviteData(BaseModel):
    """The answers so far (the keys of dialogues stored before typed flows)."""

    role: Role | None = None
    business_id: int | None = None  # an invited business whose owner has not joined yet
    business: str | None = None
    owner: str | None = None
    sector: str | None = None
    sector_name: str | None = None
    phone: str | None = None
    agency_id: int | None = None
    agency_name: str | None = None
    name: str | None = None
    salutation: Salutation | None = None


INVITE = Flow("invite", InviteStep, InviteData)
Inviting = Dialogue[InviteStep, InviteData]
# After the role: the first question for it.
FIRST_STEP = {Role.UMKM: InviteStep.BUSINESS, Role.FOCAL: InviteStep.AGENCY}


EVERYONE_KNOWN = frozenset(Role)


@router.command("sapaan", N_("How the bot addresses you"), roles=EVERYONE_KNOWN)
async def show_salutation(t: Turn) -> None:
    """The person corrects what the inviter chose: Bapak, Ibu, or the name alone."""
    t.reply(render.salutation_choice(t.tr, t.me.full_name, t.me.salutation))


@router.action(SalutationButton, roles=EVERYONE_KNOWN)
async def choose_own_salutation(t: Turn, button: SalutationButton) -> None:
    await people.set_salutation(t.db, t.me, button.salutation)
    t.edit(render.salutation_saved(t.tr, t.me.full_name, button.salutation))


@router.command("undang", N_("Invite a participant"))
@router.menu(MenuKey.INVITE)
async def start_invitation(t: Turn) -> None:
    """Start the invitation dialogue (any half-made invitation is dropped)."""
    await INVITE.begin(t, InviteStep.ROLE, InviteData())
    t.reply(render.choose_role(t.tr))


@router.action(InviteButton, InviteAction.NEW)
async def invite_another(t: Turn, button: InviteButton) -> None:
    await start_invitation(t)


@router.action(InviteButton, InviteAction.ROLE)
async def choose_role(t: Turn, button: InviteButton) -> None:
    current = await INVITE.expect(t, InviteStep.ROLE)
    if button.role is None:
        raise CallbackDataError("an invitation role button without a role")
    step = FIRST_STEP.get(button.role, InviteStep.NAME)
    await _go(t, current, step, {"role": button.role}, edit=True)


@router.action(InviteButton, InviteAction.SECTOR)
async def choose_sector(t: Turn, button: InviteButton) -> None:
    current = await INVITE.expect(t, InviteStep.SECTOR)
    key = button.sector
    if key is None or key not in t.deps.content.sector_keys:
        raise CallbackDataError(f"unknown sector {key!r}")
    sector = {"sector": key, "sector_name": _sector_name(t, key)}
    await _go(t, current, InviteStep.PHONE, sector, edit=True)


@router.action(InviteButton, InviteAction.SALUTATION)
async def choose_salutation(t: Turn, button: InviteButton) -> None:
    """Bapak, Ibu or the name alone; then the sector (a business) or the summary."""
    current = await INVITE.expect(t, InviteStep.SALUTATION)
    step = InviteStep.SECTOR if current.data.role is Role.UMKM else InviteStep.CONFIRM
    await _go(t, current, step, {"salutation": button.salutation}, edit=True)


@router.action(InviteButton, InviteAction.AGENCY)
async def choose_agency(t: Turn, button: InviteButton) -> None:
    current = await INVITE.expect(t, InviteStep.AGENCY)
    agency = await agencies.get(t.db, button.agency) if button.agency is not None else None
    if agency is None:
        raise Stale()
    chosen = {"agency_id": agency.id, "agency_name": agency.name}
    await _go(t, current, InviteStep.NAME, chosen, edit=True)


@router.action(InviteButton, InviteAction.SKIP)
async def skip_phone(t: Turn, button: InviteButton) -> None:
    current = await INVITE.expect(t, InviteStep.PHONE)
    await _go(t, current, InviteStep.CONFIRM, {"phone": None}, edit=True)


@router.action(InviteButton, InviteAction.OK)
async def make_link(t: Turn, button: InviteButton) -> None:
    """The coordinator checked the summary: the invitation and its link."""
    current = await INVITE.expect(t, InviteStep.CONFIRM)
    data, me = current.data, t.me.id
    if data.role is None:
        raise Stale()
    if data.role is Role.UMKM and data.business_id is not None:
        business = await businesses.get(t.db, data.business_id)
        if business.owner_id is not None:
            await INVITE.finish(t)
            t.edit(render.business_joined(t.tr, business.name))
            return
        invitation, code = await invitations.reinvite_business(
            t.db, t.clock, business.id, created_by_id=me
        )
    elif data.role is Role.UMKM:
        if data.business is None or data.owner is None or data.sector is None:
            raise Stale()
        _, invitation, code = await invitations.invite_business(
            t.db,
            t.clock,
            business_name=data.business,
            owner_name=data.owner,
            sector=data.sector,
            sectors=t.deps.content.sector_keys,
            phone=data.phone,
            created_by_id=me,
            salutation=data.salutation,
        )
    else:
        invitation, code = await invitations.create_invitation(
            t.db,
            t.clock,
            role=data.role,
            invitee_name=data.name or "",
            created_by_id=me,
            agency_id=data.agency_id,
            salutation=data.salutation,
        )
    await INVITE.finish(t)
    link = invitations.link(t.bot.username, code)
    t.edit(render.made(t.tr, data.role, invitation.invitee_name, link, invitation.expires_at))


@router.step(INVITE, InviteStep.BUSINESS)
async def name_business(t: Turn, dialogue: Inviting) -> None:
    """The business's name; one already invited whose owner has not joined gets a new link."""
    name = await _typed_name(t, dialogue)
    if name is None:
        return
    existing = await businesses.find_by_name(t.db, name)
    if existing is None:
        await _go(t, dialogue, InviteStep.OWNER, {"business": name})
        return
    if existing.owner_id is not None:
        t.reply(render.business_joined(t.tr, existing.name))
        return
    # The owner has not joined yet (a lost or expired link): offer a fresh one.
    known = {
        "business_id": existing.id,
        "business": existing.name,
        "owner": existing.owner_name,
        "sector": existing.sector,
        "sector_name": _sector_name(t, existing.sector),
        "phone": existing.phone,
    }
    await _go(t, dialogue, InviteStep.CONFIRM, known)


@router.step(INVITE, InviteStep.OWNER)
async def name_owner(t: Turn, dialogue: Inviting) -> None:
    name = await _typed_name(t, dialogue)
    if name is not None:
        await _go(t, dialogue, InviteStep.SALUTATION, {"owner": name})


@router.step(INVITE, InviteStep.NAME)
async def name_invitee(t: Turn, dialogue: Inviting) -> None:
    name = await _typed_name(t, dialogue)
    if name is not None:
        await _go(t, dialogue, InviteStep.SALUTATION, {"name": name})


@router.step(INVITE, InviteStep.PHONE)
async def take_phone(t: Turn, dialogue: Inviting) -> None:
    if not t.text:
        await point_to_buttons(t, dialogue)
        return
    try:
        phone = businesses.clean_phone(t.text)
    except Invalid:
        t.reply(render.bad_phone(t.tr))
        return
    await _go(t, dialogue, InviteStep.CONFIRM, {"phone": phone})


@router.step(
    INVITE,
    InviteStep.ROLE,
    InviteStep.SALUTATION,
    InviteStep.SECTOR,
    InviteStep.AGENCY,
    InviteStep.CONFIRM,
)
async def point_to_buttons(t: Turn, dialogue: Inviting) -> None:
    """A message where a tap is expected (or an empty one): the question again."""
    t.reply(render.use_buttons(t.tr, await _prompt(t, dialogue)))


async def _typed_name(t: Turn, dialogue: Inviting) -> str | None:
    """The name the coordinator typed; None when it was answered (empty, too long)."""
    if not t.text:
        await point_to_buttons(t, dialogue)
        return None
    try:
        return businesses.clean_name(t.text)
    except Invalid:
        t.reply(render.bad_name(t.tr, businesses.MAX_NAME))
        return None


async def _go(
    t: Turn,
    current: Inviting,
    step: InviteStep,
    answers: Mapping[str, object],
    *,
    edit: bool = False,
) -> None:
    """Keep the answers, move to `step` and ask its question."""
    data = current.data.model_copy(update=answers)
    moved = await INVITE.advance(t, current, step, data)
    prompt = await _prompt(t, moved)
    if edit:
        t.edit(prompt)
    else:
        t.reply(prompt)


async def _prompt(t: Turn, dialogue: Inviting) -> Reply:
    """The question of the step the dialogue is at (also what a resumed dialogue shows)."""
    step, data = dialogue.step, dialogue.data
    role = data.role
    if step is InviteStep.ROLE or role is None:
        return render.choose_role(t.tr)
    if step is InviteStep.BUSINESS:
        return render.ask_business(t.tr)
    if step is InviteStep.OWNER:
        return render.ask_owner(t.tr, data.business or "")
    if step is InviteStep.SALUTATION:
        return render.ask_salutation(t.tr, data.owner or data.name or "")
    if step is InviteStep.SECTOR:
        return render.ask_sector(t.tr, [(s.key, s.name) for s in t.deps.content.sectors])
    if step is InviteStep.PHONE:
        return render.ask_phone(t.tr)
    if step is InviteStep.AGENCY:
        found = [(a.id, a.name) for a in await agencies.all_agencies(t.db)]
        return render.ask_agency(t.tr, found) if found else render.no_agencies(t.tr)
    if step is InviteStep.NAME:
        return render.ask_name(t.tr, role)
    draft = Draft(
        role,
        business=data.business,
        owner=data.owner,
        sector=data.sector_name,
        phone=data.phone,
        agency=data.agency_name,
        name=data.name,
        salutation=data.salutation,
    )
    return render.confirm(t.tr, draft)


def _sector_name(t: Turn, key: str) -> str:
    try:
        return t.deps.content.sector(key).name
    except KeyError:
        return key
