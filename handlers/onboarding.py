"""`/start <code>`: welcome, consent, then the profile and nudge time of a business."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.callbacks import CallbackDataError
from bot.render import Reply
from bot.render import onboarding as render
from bot.render.onboarding import ConsentAction, ConsentButton, OnboardAction, OnboardButton
from bot.render.onboarding import ProfileField as Field
from bot.services import agencies, businesses, deadlines, invitations, people
from bot.services.errors import Invalid, Stale
from bot.services.invitations import Accepted, InvitationError
from db.models import Business, Person, Role
from handlers.base import Turn
from handlers.router import ANYONE, Dialogue, Flow, Router

router = Router("onboarding", roles={Role.UMKM})


class JoinStep(StrEnum):
    CONSENT = "consent"  # the notice is shown; nothing is kept until Setuju
    PROFILE = "profile"
    FIELD = "field"
    FIX_NAME = "fix_name"
    FIX_OWNER = "fix_owner"
    FIX_SECTOR = "fix_sector"
    HOUR = "hour"


class JoinData(BaseModel):
    invitation_id: int | None = None  # while consent is asked; never the code itself


ONBOARD = Flow("onboard", JoinStep, JoinData)
Joining = Dialogue[JoinStep, JoinData]
FIX_STEPS = {
    Field.NAME: JoinStep.FIX_NAME,
    Field.OWNER: JoinStep.FIX_OWNER,
    Field.SECTOR: JoinStep.FIX_SECTOR,
}


@router.start(roles=ANYONE)
async def open_invitation(t: Turn) -> None:
    """A tapped invitation link: check it, then welcome and ask for consent."""
    try:
        invitee = await invitations.open_link(t.db, t.clock, t.args[0])
    except InvitationError as exc:
        t.reply(render.link_problem(t.tr, exc))
        return
    person = t.person
    if person is not None and person.consent_at is not None:
        # Already with us (e.g. a coordinator invited as a mentor): add the role at once.
        await _join(t, person, invitee.invitation_id)
        return
    t.person = await invitations.hold(t.db, t.clock, t.user.id, t.user.full_name)
    await ONBOARD.begin(t, JoinStep.CONSENT, JoinData(invitation_id=invitee.invitation_id))
    t.reply(render.welcome(t.tr, invitee, t.user.full_name))


async def _asking_consent(t: Turn) -> tuple[Person, int]:
    """The person shown the consent notice and their invitation; Stale when not (any more)."""
    person = t.person
    if person is None:  # declined before: nothing was kept
        raise Stale()
    invitation_id = (await ONBOARD.expect(t, JoinStep.CONSENT)).data.invitation_id
    if invitation_id is None:
        raise Stale()
    return person, invitation_id


@router.action(ConsentButton, ConsentAction.AGREE, roles=ANYONE)
async def agree(t: Turn, button: ConsentButton) -> None:
    person, invitation_id = await _asking_consent(t)
    await people.record_consent(t.db, t.clock, person)
    await _join(t, person, invitation_id, from_notice=True)


@router.action(ConsentButton, ConsentAction.LATER, roles=ANYONE)
async def decline(t: Turn, button: ConsentButton) -> None:
    """Nanti saja: forget the person; the link stays usable."""
    person, invitation_id = await _asking_consent(t)
    expires = await invitations.expires_at(t.db, invitation_id) or t.clock.now()
    await ONBOARD.finish(t)
    await invitations.release(t.db, person.id)
    t.edit(render.declined(t.tr, t.tr.format_datetime(expires)))


async def _join(t: Turn, person: Person, invitation_id: int, *, from_notice: bool = False) -> None:
    """Use the invitation: the role, then the profile check (businesses) or the menu."""
    try:
        accepted = await invitations.accept_by_id(t.db, t.clock, invitation_id, person)
    except InvitationError as exc:
        await ONBOARD.finish(t)
        await invitations.release(t.db, person.id)  # nothing kept about a stranger
        t.reply(render.link_problem(t.tr, exc))
        return
    if from_notice:
        t.edit(render.consent_given(t.tr))  # the notice loses its buttons
    commands, bot = t.context.commands, t.bot
    t.later(lambda: commands.give(bot, person))
    if accepted.role_added and await invitations.tell_inviter(t.db, t.clock, accepted):
        t.wake_dispatcher()
    if accepted.role is Role.FOCAL:
        await _plan_deadlines(t, accepted)
    if accepted.role is Role.UMKM and accepted.business_id is not None:
        business = await businesses.get(t.db, accepted.business_id)
        if business.nudge_hour is None or business.profile_confirmed_at is None:
            await ONBOARD.begin(t, JoinStep.PROFILE, JoinData())
            t.reply(_profile(t, business))
            return
    await ONBOARD.finish(t)
    agency = await _agency_name(t, accepted)
    t.reply(render.joined(t.tr, person, accepted.role, agency=agency, welcomed=from_notice))


async def _plan_deadlines(t: Turn, accepted: Accepted) -> None:
    """A new focal point gets the reminders of their agency's open deadlines."""
    if await deadlines.plan_for_person(t.db, t.clock, t.deps.calendar, accepted.person_id):
        t.wake_dispatcher()


@router.action(OnboardButton, OnboardAction.CORRECT)
async def confirm_profile(t: Turn, button: OnboardButton) -> None:
    current = await ONBOARD.expect(t, JoinStep.PROFILE)
    await businesses.confirm_profile(t.db, t.clock, t.me.id)
    await ONBOARD.advance(t, current, JoinStep.HOUR, current.data)
    t.edit(render.ask_hour(t.tr))


@router.action(OnboardButton, OnboardAction.FIX)
async def fix_profile(t: Turn, button: OnboardButton) -> None:
    current = await ONBOARD.expect(t, JoinStep.PROFILE)
    await ONBOARD.advance(t, current, JoinStep.FIELD, current.data)
    t.edit(render.choose_field(t.tr))


@router.action(OnboardButton, OnboardAction.FIELD)
async def choose_field(t: Turn, button: OnboardButton) -> None:
    """Which field to correct: the sector by buttons, the names typed."""
    current = await ONBOARD.expect(t, JoinStep.FIELD)
    if button.field is None:
        raise CallbackDataError("a profile field button without a field")
    await ONBOARD.advance(t, current, FIX_STEPS[button.field], current.data)
    if button.field is Field.SECTOR:
        t.edit(render.ask_sector(t.tr, [(s.key, s.name) for s in t.deps.content.sectors]))
    else:
        t.edit(render.ask_name(t.tr, button.field))


@router.action(OnboardButton, OnboardAction.SECTOR)
async def correct_sector(t: Turn, button: OnboardButton) -> None:
    current = await ONBOARD.expect(t, JoinStep.FIX_SECTOR)
    sectors = t.deps.content.sector_keys
    if button.sector is None or button.sector not in sectors:
        raise CallbackDataError(f"unknown sector {button.sector!r}")
    business = await businesses.update_profile(
        t.db, t.clock, t.me.id, "sector", button.sector, sectors
    )
    await ONBOARD.advance(t, current, JoinStep.PROFILE, current.data)
    t.edit(_profile(t, business, first=False))


@router.action(OnboardButton, OnboardAction.HOUR)
async def choose_hour(t: Turn, button: OnboardButton) -> None:
    """The nudge hour, the last question: then the business's menu."""
    await ONBOARD.expect(t, JoinStep.HOUR)
    hour = button.hour
    if hour is None or hour not in businesses.NUDGE_HOURS:
        raise CallbackDataError(f"unknown hour {hour}")
    await businesses.set_nudge_hour(t.db, t.clock, t.me.id, hour)
    await ONBOARD.finish(t)
    t.toast(render.hour_saved(t.tr, hour))
    t.edit(render.joined(t.tr, t.me, Role.UMKM))


@router.step(ONBOARD, JoinStep.FIX_NAME, JoinStep.FIX_OWNER)
async def correct_name(t: Turn, dialogue: Joining) -> None:
    """A typed correction of the business name or the owner's name."""
    if not t.text:
        t.reply(render.use_buttons(t.tr))
        return
    try:
        value = businesses.clean_name(t.text)
    except Invalid:
        t.reply(render.bad_name(t.tr, businesses.MAX_NAME))
        return
    field: businesses.ProfileField = "name" if dialogue.step is JoinStep.FIX_NAME else "owner"
    business = await businesses.update_profile(
        t.db, t.clock, t.me.id, field, value, t.deps.content.sector_keys
    )
    await ONBOARD.advance(t, dialogue, JoinStep.PROFILE, dialogue.data)
    t.reply(_profile(t, business, first=False))


@router.step(ONBOARD, JoinStep.CONSENT, roles=ANYONE)
@router.step(ONBOARD, JoinStep.PROFILE, JoinStep.FIELD, JoinStep.FIX_SECTOR, JoinStep.HOUR)
async def point_to_buttons(t: Turn, dialogue: Joining) -> None:
    """A message where a tap is expected."""
    t.reply(render.use_buttons(t.tr))


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
    else:
        agency = await agencies.get(t.db, accepted.agency_id)
    return agency.name if agency is not None else None


def _sector_name(t: Turn, key: str) -> str:
    try:
        return t.deps.content.sector(key).name
    except KeyError:
        return key
