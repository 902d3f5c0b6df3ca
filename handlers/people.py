"""/orang: a coordinator sees people by role, searches them, and changes roles and access."""

from __future__ import annotations

from collections.abc import Awaitable
from enum import StrEnum

from pydantic import BaseModel

from bot.i18n import N_
from bot.render import people as render
from bot.render.common import MenuKey
from bot.render.people import (
    AskButton,
    ChangeAction,
    ConfirmButton,
    Group,
    PeopleAction,
    PeopleButton,
)
from bot.render.text import Html
from bot.services import agencies, broadcasts, invitations, people, roles
from bot.services.errors import Stale
from bot.services.roles import Changed, PersonView, Refused
from db.models import Role
from handlers.base import Turn
from handlers.router import Dialogue, Flow, Router

router = Router("people", roles={Role.COORDINATOR}, outbox_kinds=(roles.KIND_ACCESS,))

INVITES_PER_PAGE = 8


class SearchStep(StrEnum):
    NAME = "name"  # a name was asked for
    RESULTS = "results"  # results are shown; another name searches again


class Search(BaseModel):
    query: str = ""


SEARCH = Flow("people_search", SearchStep, Search)


@router.command("orang", N_("People and roles"))
@router.menu(MenuKey.PEOPLE)
async def show_people(t: Turn) -> None:
    """How many people hold each role; lists, search, invitations."""
    await SEARCH.finish(t)
    picked = await broadcasts.picked(t.db, t.me.id)
    t.edit(render.overview(t.tr, await roles.overview(t.db), len(picked)))


@router.action(PeopleButton, PeopleAction.HOME)
async def back_to_people(t: Turn, button: PeopleButton) -> None:
    await show_people(t)


@router.action(PeopleButton, PeopleAction.LIST)
async def list_people(t: Turn, button: PeopleButton) -> None:
    group = button.group or Group.COORDINATOR
    page = await roles.directory(
        t.db, role=group.role, paused=group is Group.PAUSED, page=button.page
    )
    t.edit(render.people_list(t.tr, group, page))


@router.action(PeopleButton, PeopleAction.SEARCH)
async def ask_for_name(t: Turn, button: PeopleButton) -> None:
    await SEARCH.begin(t, SearchStep.NAME, Search())
    t.edit(render.ask_for_name(t.tr))


@router.step(SEARCH)
async def search_people(t: Turn, dialogue: Dialogue[SearchStep, Search]) -> None:
    """A typed name: the people (or businesses' owners) whose name contains it."""
    query = " ".join(t.text.split())
    if not query or len(query) > roles.MAX_QUERY:
        t.reply(render.bad_query(t.tr, roles.MAX_QUERY))
        return
    await SEARCH.advance(t, dialogue, SearchStep.RESULTS, Search(query=query))
    t.reply(render.found(t.tr, query, await roles.directory(t.db, query=query)))


@router.action(PeopleButton, PeopleAction.FOUND)
async def page_through_results(t: Turn, button: PeopleButton) -> None:
    current = await SEARCH.expect(t, SearchStep.RESULTS)
    query = current.data.query
    page = await roles.directory(t.db, query=query, page=button.page)
    t.edit(render.found(t.tr, query, page))


@router.action(PeopleButton, PeopleAction.OPEN)
async def open_person(t: Turn, button: PeopleButton) -> None:
    if button.target is None:
        await show_people(t)
        return
    view = await roles.view(t.db, button.target)
    await _show_person(t, view, group=button.group, page=button.page)


async def _show_person(
    t: Turn,
    view: PersonView,
    *,
    group: Group | None = None,
    page: int = 0,
    notice: Html | None = None,
) -> None:
    picked = await broadcasts.is_picked(t.db, t.me.id, view.id)
    t.edit(render.person(t.tr, view, group=group, page=page, notice=notice, picked=picked))


@router.action(PeopleButton, PeopleAction.PICK)
async def pick_for_broadcast(t: Turn, button: PeopleButton) -> None:
    """Add the person to (or take them out of) the audience "picked in /orang"."""
    if button.target is None:
        raise Stale()
    view = await roles.view(t.db, button.target)
    await broadcasts.toggle_pick(t.db, t.clock, t.me.id, view.id)
    await _show_person(t, view, group=button.group, page=button.page)


@router.action(PeopleButton, PeopleAction.UNPICK_ALL)
async def clear_picks(t: Turn, button: PeopleButton) -> None:
    await broadcasts.clear_picks(t.db, t.me.id)
    await show_people(t)


@router.action(AskButton, ChangeAction.GRANT)
async def ask_to_grant(t: Turn, button: AskButton) -> None:
    """A focal point needs an agency first; then the confirmation."""
    view = await roles.view(t.db, button.target)
    if button.role is Role.FOCAL and button.agency is None:
        found = [(a.id, a.name) for a in await agencies.all_agencies(t.db)]
        t.edit(render.choose_agency(t.tr, view, found))
        return
    agency = None
    if button.agency is not None:
        agency = next(
            (a.name for a in await agencies.all_agencies(t.db) if a.id == button.agency), None
        )
    t.edit(render.confirm_change(t.tr, button, view, agency))


@router.action(AskButton, ChangeAction.REVOKE)
@router.action(AskButton, ChangeAction.PAUSE)
@router.action(AskButton, ChangeAction.RESUME)
async def ask_to_change(t: Turn, button: AskButton) -> None:
    view = await roles.view(t.db, button.target)
    t.edit(render.confirm_change(t.tr, button, view))


async def _after(t: Turn, changed: Changed) -> None:
    """Show the person again with what happened; their command menu follows their roles."""
    notice = render.changed_notice(
        t.tr, changed.change, changed.done, changed.person.name, changed.role
    )
    await _show_person(t, changed.person, notice=notice)
    if not changed.done:
        return
    t.wake_dispatcher()
    person = await people.get(t.db, changed.person.id)
    if person is not None and changed.role is not None:
        menus, bot = t.context.commands, t.bot

        async def give_menu() -> None:
            await menus.give(bot, person)

        t.later(give_menu)


async def _apply(t: Turn, person_id: int, change: Awaitable[Changed]) -> None:
    """Make the change, or show the person with the rule that refused it."""
    try:
        changed = await change
    except Refused as refused:
        view = await roles.view(t.db, person_id)
        notice = render.refused_notice(t.tr, refused.explain(t.tr.gettext))
        await _show_person(t, view, notice=notice)
        return
    await _after(t, changed)


def _role(button: ConfirmButton) -> Role:
    if button.role is None:
        raise Stale()
    return button.role


@router.action(ConfirmButton, ChangeAction.GRANT)
async def grant_role(t: Turn, button: ConfirmButton) -> None:
    change = roles.grant(
        t.db, t.clock, button.target, _role(button), by_id=t.me.id, agency_id=button.agency
    )
    await _apply(t, button.target, change)


@router.action(ConfirmButton, ChangeAction.REVOKE)
async def revoke_role(t: Turn, button: ConfirmButton) -> None:
    change = roles.revoke(t.db, t.clock, button.target, _role(button), by_id=t.me.id)
    await _apply(t, button.target, change)


@router.action(ConfirmButton, ChangeAction.PAUSE)
async def pause_access(t: Turn, button: ConfirmButton) -> None:
    await _apply(t, button.target, roles.deactivate(t.db, t.clock, button.target, by_id=t.me.id))


@router.action(ConfirmButton, ChangeAction.RESUME)
async def resume_access(t: Turn, button: ConfirmButton) -> None:
    await _apply(t, button.target, roles.reactivate(t.db, t.clock, button.target, by_id=t.me.id))


# --- invitations not used yet ---------------------------------------------------------------


@router.action(PeopleButton, PeopleAction.INVITES)
async def list_invitations(t: Turn, button: PeopleButton) -> None:
    total = await invitations.count_unused(t.db)
    pages = max(1, -(-total // INVITES_PER_PAGE))
    number = min(max(button.page, 0), pages - 1)
    found = await invitations.unused(
        t.db, t.clock, offset=number * INVITES_PER_PAGE, limit=INVITES_PER_PAGE
    )
    t.edit(render.invitations(t.tr, roles.Page(tuple(found), number, pages, total)))


@router.action(PeopleButton, PeopleAction.INVITATION)
async def open_invitation(t: Turn, button: PeopleButton) -> None:
    if button.target is None:
        await list_invitations(t, button)
        return
    found = await invitations.get_unused(t.db, t.clock, button.target)
    t.edit(render.invitation(t.tr, found, page=button.page))


@router.action(AskButton, ChangeAction.CANCEL)
@router.action(AskButton, ChangeAction.REISSUE)
async def ask_about_invitation(t: Turn, button: AskButton) -> None:
    found = await invitations.get_unused(t.db, t.clock, button.target)
    t.edit(render.confirm_invitation(t.tr, button, found))


@router.action(ConfirmButton, ChangeAction.CANCEL)
async def cancel_invitation(t: Turn, button: ConfirmButton) -> None:
    found = await invitations.cancel(t.db, t.clock, button.target, by_id=t.me.id)
    t.edit(render.invitation_cancelled(t.tr, found))


@router.action(ConfirmButton, ChangeAction.REISSUE)
async def reissue_invitation(t: Turn, button: ConfirmButton) -> None:
    old = await invitations.get_unused(t.db, t.clock, button.target)
    made, code = await invitations.reissue(t.db, t.clock, button.target, by_id=t.me.id)
    link = invitations.link(t.bot.username, code)
    t.edit(render.invitation_reissued(t.tr, old, link, t.tr.format_datetime(made.expires_at)))
