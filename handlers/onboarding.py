"""`/start <code>`: welcome, consent, then the profile and nudge time of a business."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import CONSENT, ONBOARD, CallbackDataError
from bot.context import BotContext
from bot.render import Reply
from bot.render import onboarding as render
from bot.services import agencies, businesses, deadlines, dialogue, invitations, people
from bot.services.errors import Invalid, Stale
from bot.services.invitations import (
    Accepted,
    AlreadyOwner,
    InvitationError,
    InvitationExpired,
    InvitationUsed,
)
from db.models import Agency, Business, DialogueState, Invitation, Person, Role
from handlers.base import Turn, handler
from handlers.legacy import flow, start_payload

FLOW = "onboard"


@start_payload
async def start_with_code(update: Update, context: BotContext, t: Turn) -> None:
    """A tapped invitation link: check it, then welcome and ask for consent."""
    code = (context.args or [""])[0]
    try:
        invitation = await invitations.check(t.db, t.clock, code)
    except InvitationError as exc:
        t.reply(render.link_problem(t.tr, _problem(exc)))
        return
    person = t.person
    if person is not None and person.consent_at is not None:
        # Already with us (e.g. a coordinator invited as a mentor): add the role at once.
        await _accept(context, t, person, invitation.id)
        return
    person = await invitations.hold(t.db, t.clock, t.user.id, t.user.full_name)
    await dialogue.begin(
        t.db, t.clock, person.id, FLOW, "consent", {"invitation_id": invitation.id}
    )
    t.reply(await _welcome(t, invitation))


@handler()
async def btn_consent(update: Update, context: BotContext, t: Turn) -> None:
    """Setuju / Nanti saja under the consent notice."""
    choice = CONSENT.unpack(t.data)["choice"]
    if choice not in {"yes", "later"}:
        raise CallbackDataError(f"unknown consent choice {choice!r}")
    person = t.person
    state = await dialogue.current(t.db, person.id) if person is not None else None
    if person is None or state is None or (state.flow, state.step) != (FLOW, "consent"):
        raise Stale()
    invitation_id = int(state.data.get("invitation_id", 0))
    if choice == "later":
        invitation = await t.db.get(Invitation, invitation_id)
        await dialogue.finish(t.db, person.id)
        await invitations.release(t.db, person.id)
        expires = invitation.expires_at if invitation is not None else t.clock.now()
        t.edit(render.declined(t.tr, t.tr.format_datetime(expires)))
        return
    await people.record_consent(t.db, t.clock, person)
    await _accept(context, t, person, invitation_id)


async def _accept(context: BotContext, t: Turn, person: Person, invitation_id: int) -> None:
    try:
        accepted = await invitations.accept_by_id(t.db, t.clock, invitation_id, person)
    except InvitationError as exc:
        await dialogue.finish(t.db, person.id)
        await invitations.release(t.db, person.id)  # nothing kept about a stranger
        t.reply(render.link_problem(t.tr, _problem(exc)))
        return
    if t.data is not None:
        t.edit(render.consent_given(t.tr))  # the notice loses its buttons
    t.later(lambda: _sync_commands(context, person))
    if accepted.role_added and await invitations.tell_inviter(t.db, t.clock, accepted):
        _wake_later(t)
    if accepted.role is Role.FOCAL:
        await _plan_deadlines(t, accepted)
    if accepted.role is Role.UMKM and accepted.business_id is not None:
        business = await businesses.get(t.db, accepted.business_id)
        if business.nudge_hour is None or business.profile_confirmed_at is None:
            await dialogue.begin(t.db, t.clock, person.id, FLOW, "profile", {})
            t.reply(_profile(t, business))
            return
    await dialogue.finish(t.db, person.id)
    t.reply(render.joined(t.tr, person, accepted.role, agency=await _agency_name(t, accepted)))


async def _plan_deadlines(t: Turn, accepted: Accepted) -> None:
    """A new focal point gets the reminders of their agency's open deadlines."""
    if await deadlines.plan_for_person(t.db, t.clock, t.deps.calendar, accepted.person_id):
        _wake_later(t)


def _wake_later(t: Turn) -> None:
    """After the commit, let the dispatcher send what is now due."""
    deps = t.deps

    async def wake() -> None:
        deps.wake_dispatcher()

    t.later(wake)


@handler(roles={Role.UMKM})
async def btn_onboard(update: Update, context: BotContext, t: Turn) -> None:
    """The business's profile check and nudge time, right after joining."""
    values = ONBOARD.unpack(t.data)
    action, arg = values["action"], values["arg"]
    state = await dialogue.current(t.db, t.me.id)
    if state is None or state.flow != FLOW:
        raise Stale()
    step = state.step
    if action == "ok" and step == "profile":
        await businesses.confirm_profile(t.db, t.clock, t.me.id)
        await dialogue.advance(t.db, t.clock, state, "hour")
        t.edit(render.ask_hour(t.tr))
    elif action == "fix" and step == "profile":
        await dialogue.advance(t.db, t.clock, state, "field")
        t.edit(render.choose_field(t.tr))
    elif action == "fld" and step == "field":
        if arg not in businesses.PROFILE_FIELDS:
            raise CallbackDataError(f"unknown profile field {arg!r}")
        await dialogue.advance(t.db, t.clock, state, f"fix_{arg}")
        if arg == "sector":
            t.edit(render.ask_sector(t.tr, _sectors(t)))
        else:
            t.edit(render.ask_field(t.tr, arg))
    elif action == "sec" and step == "fix_sector":
        if arg not in t.deps.content.sector_keys:
            raise CallbackDataError(f"unknown sector {arg!r}")
        business = await businesses.update_profile(
            t.db, t.clock, t.me.id, "sector", arg, t.deps.content.sector_keys
        )
        await dialogue.advance(t.db, t.clock, state, "profile")
        t.edit(_profile(t, business, first=False))
    elif action == "hr" and step == "hour":
        hour = ONBOARD.unpack_int(t.data, "arg")
        if hour not in businesses.NUDGE_HOURS:
            raise CallbackDataError(f"unknown hour {hour}")
        await businesses.set_nudge_hour(t.db, t.clock, t.me.id, hour)
        await dialogue.finish(t.db, t.me.id)
        t.toast(render.hour_saved(t.tr, hour))
        t.edit(render.joined(t.tr, t.me, Role.UMKM))
    else:
        raise Stale()


@flow(FLOW)
async def msg_onboard(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    """A typed correction of the business name or the owner's name."""
    if state.step not in {"fix_name", "fix_owner"} or not t.text:
        t.reply(render.use_buttons(t.tr))
        return
    if not t.me.has_role(Role.UMKM):
        await dialogue.finish(t.db, t.me.id)
        t.reply(render.use_buttons(t.tr))
        return
    try:
        value = businesses.clean_name(t.text)
    except Invalid:
        t.reply(render.bad_name(t.tr, businesses.MAX_NAME))
        return
    field: businesses.ProfileField = "name" if state.step == "fix_name" else "owner"
    business = await businesses.update_profile(
        t.db, t.clock, t.me.id, field, value, t.deps.content.sector_keys
    )
    await dialogue.advance(t.db, t.clock, state, "profile")
    t.reply(_profile(t, business, first=False))


def _problem(exc: InvitationError) -> str:
    if isinstance(exc, InvitationUsed):
        return "used"
    if isinstance(exc, InvitationExpired):
        return "expired"
    if isinstance(exc, AlreadyOwner):
        return "owner"
    return "unknown"


async def _welcome(t: Turn, invitation: Invitation) -> Reply:
    business = agency = None
    if invitation.business_id is not None:
        found = await t.db.get(Business, invitation.business_id)
        business = found.name if found is not None else None
    if invitation.agency_id is not None:
        found_agency = await t.db.get(Agency, invitation.agency_id)
        agency = found_agency.name if found_agency is not None else None
    return render.welcome(
        t.tr,
        role=invitation.role,
        invitee=invitation.invitee_name or t.user.full_name,
        business=business,
        agency=agency,
    )


def _profile(t: Turn, business: Business, *, first: bool = True) -> Reply:
    return render.profile(
        t.tr,
        business=business.name,
        owner=business.owner_name,
        sector=_sector_name(t, business.sector),
        first=first,
    )


async def _agency_name(t: Turn, accepted: Accepted) -> str | None:
    if accepted.agency_id is None:
        agency = await agencies.agency_of(t.db, accepted.person_id)
        return agency.name if agency is not None else None
    found = await t.db.get(Agency, accepted.agency_id)
    return found.name if found is not None else None


def _sectors(t: Turn) -> list[tuple[str, str]]:
    return [(s.key, s.name) for s in t.deps.content.sectors]


def _sector_name(t: Turn, key: str) -> str:
    try:
        return t.deps.content.sector(key).name
    except KeyError:
        return key


async def _sync_commands(context: BotContext, person: Person) -> None:
    await context.commands.give(context.bot, person)
