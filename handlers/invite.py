"""/undang and the menu's "Undang peserta": a coordinator makes an invitation link in chat."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.callbacks import INVITE, CallbackDataError
from bot.context import BotContext
from bot.render import Reply
from bot.render import common as render_common
from bot.render import invite as render
from bot.services import agencies, businesses, dialogue, invitations
from bot.services.errors import Invalid, Stale
from db.models import Agency, DialogueState, Role
from handlers.base import Turn, handler
from handlers.legacy import flow, menu_action

FLOW = "invite"
COORDINATORS = {Role.COORDINATOR}


@handler(roles=COORDINATORS)
async def cmd_invite(update: Update, context: BotContext, t: Turn) -> None:
    """/undang: start the invitation dialogue."""
    await _begin(t)


@menu_action("invite")
async def menu_invite(update: Update, context: BotContext, t: Turn) -> None:
    """The menu entry "Undang peserta"."""
    await _begin(t)


async def _begin(t: Turn) -> None:
    await dialogue.begin(t.db, t.clock, t.me.id, FLOW, "role", {})
    t.reply(render.choose_role(t.tr))


@handler(roles=COORDINATORS)
async def btn_invite(update: Update, context: BotContext, t: Turn) -> None:
    """A button of the invitation dialogue; it must match the step the dialogue is at."""
    values = INVITE.unpack(t.data)
    action, arg = values["action"], values["arg"]
    if action == "new":
        await _begin(t)
        return
    state = await dialogue.current(t.db, t.me.id)
    if state is None or state.flow != FLOW:
        raise Stale()
    step = state.step
    if action == "role" and step == "role":
        try:
            role = Role(arg)
        except ValueError:
            raise CallbackDataError(f"unknown role {arg!r}") from None
        next_step = {Role.UMKM: "business", Role.FOCAL: "agency"}.get(role, "name")
        await dialogue.advance(t.db, t.clock, state, next_step, role=role.value)
    elif action == "sec" and step == "sector":
        if arg not in t.deps.content.sector_keys:
            raise CallbackDataError(f"unknown sector {arg!r}")
        await dialogue.advance(
            t.db, t.clock, state, "phone", sector=arg, sector_name=_sector_name(t, arg)
        )
    elif action == "ag" and step == "agency":
        agency = await t.db.get(Agency, INVITE.unpack_int(t.data, "arg"))
        if agency is None:
            raise Stale()
        await dialogue.advance(
            t.db, t.clock, state, "name", agency_id=agency.id, agency_name=agency.name
        )
    elif action == "skip" and step == "phone":
        await dialogue.advance(t.db, t.clock, state, "confirm", phone=None)
    elif action == "ok" and step == "confirm":
        await _make(context, t, state)
        return
    else:
        raise Stale()
    t.edit(await _prompt(t, state))


@flow(FLOW)
async def msg_invite(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    """What the coordinator types during the dialogue: names and the phone number."""
    if not t.me.has_role(Role.COORDINATOR):
        await dialogue.finish(t.db, t.me.id)
        t.reply(render_common.not_allowed(t.tr, t.person))
        return
    step = state.step
    if step not in {"business", "owner", "phone", "name"} or not t.text:
        t.reply(Reply(render.use_buttons(t.tr).text, extra=(await _prompt(t, state),)))
        return
    if step == "phone":
        try:
            phone = businesses.clean_phone(t.text)
        except Invalid:
            t.reply(render.bad_phone(t.tr))
            return
        await dialogue.advance(t.db, t.clock, state, "confirm", phone=phone)
        t.reply(await _prompt(t, state))
        return
    try:
        name = businesses.clean_name(t.text)
    except Invalid:
        t.reply(render.bad_name(t.tr, businesses.MAX_NAME))
        return
    if step == "business":
        existing = await businesses.find_by_name(t.db, name)
        if existing is not None:
            if existing.owner_id is not None:
                t.reply(render.business_joined(t.tr, existing.name))
                return
            # The owner has not joined yet (a lost or expired link): offer a fresh one.
            await dialogue.advance(
                t.db,
                t.clock,
                state,
                "confirm",
                business_id=existing.id,
                business=existing.name,
                owner=existing.owner_name,
                sector=existing.sector,
                sector_name=_sector_name(t, existing.sector),
                phone=existing.phone,
            )
        else:
            await dialogue.advance(t.db, t.clock, state, "owner", business=name)
    elif step == "owner":
        await dialogue.advance(t.db, t.clock, state, "sector", owner=name)
    else:
        await dialogue.advance(t.db, t.clock, state, "confirm", name=name)
    t.reply(await _prompt(t, state))


async def _prompt(t: Turn, state: DialogueState) -> Reply:
    """The question of the step the dialogue is at (also what a resumed dialogue shows)."""
    data: dict[str, Any] = state.data
    step = state.step
    if step == "role" or "role" not in data:
        return render.choose_role(t.tr)
    role = Role(data["role"])
    if step == "business":
        return render.ask_business(t.tr)
    if step == "owner":
        return render.ask_owner(t.tr, data.get("business", ""))
    if step == "sector":
        sectors = [(s.key, s.name) for s in t.deps.content.sectors]
        return render.ask_sector(t.tr, sectors)
    if step == "phone":
        return render.ask_phone(t.tr)
    if step == "agency":
        found = [(a.id, a.name) for a in await agencies.all_agencies(t.db)]
        return render.ask_agency(t.tr, found) if found else render.no_agencies(t.tr)
    if step == "name":
        return render.ask_name(t.tr, role)
    return render.confirm(t.tr, role, {k: v for k, v in data.items() if isinstance(v, str)})


async def _make(context: BotContext, t: Turn, state: DialogueState) -> None:
    data: dict[str, Any] = state.data
    role = Role(data["role"])
    me = t.me.id
    if role is Role.UMKM and data.get("business_id"):
        business = await businesses.get(t.db, int(data["business_id"]))
        if business.owner_id is not None:
            await dialogue.finish(t.db, me)
            t.edit(render.business_joined(t.tr, business.name))
            return
        invitation, code = await invitations.reinvite_business(
            t.db, t.clock, business.id, created_by_id=me
        )
    elif role is Role.UMKM:
        _, invitation, code = await invitations.invite_business(
            t.db,
            t.clock,
            business_name=data["business"],
            owner_name=data["owner"],
            sector=data["sector"],
            sectors=t.deps.content.sector_keys,
            phone=data.get("phone"),
            created_by_id=me,
        )
    else:
        invitation, code = await invitations.create_invitation(
            t.db,
            t.clock,
            role=role,
            invitee_name=data["name"],
            created_by_id=me,
            agency_id=data.get("agency_id"),
        )
    await dialogue.finish(t.db, me)
    username = context.bot.username
    t.edit(
        render.made(
            t.tr,
            role,
            invitation.invitee_name,
            invitations.link(username, code),
            invitation.expires_at,
        )
    )


def _sector_name(t: Turn, key: str) -> str:
    try:
        return t.deps.content.sector(key).name
    except KeyError:
        return key
