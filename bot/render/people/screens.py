"""People and roles (/orang): the overview, lists by role, search, one person, changes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.people.labels import (
    GROUP_LABELS,
    AskButton,
    ChangeAction,
    Group,
    PeopleAction,
    PeopleButton,
    nav,
    page_line,
    pager,
    person_label,
    role_name,
    yes_no,
)
from bot.render.text import Html, bold, lines
from bot.services.roles import GRANTABLE, Change, Overview, Page, PersonLine, PersonView
from db.models import Role, RoleSource


def overview(tr: Translator, counts: Overview, picked: int = 0) -> Reply:
    _ = tr.html
    text = lines(
        _("<b>People and roles</b>"),
        _("Choose a list, search by name, or invite someone new."),
        tr.nhtml(
            "Picked for a broadcast: %(n)d person (the audience “picked in /orang”).",
            "Picked for a broadcast: %(n)d people (the audience “picked in /orang”).",
            picked,
        )
        % {"n": picked}
        if picked
        else None,
    )
    picks = (
        (
            Button(tr.gettext("Send a broadcast"), MenuButton(MenuKey.BROADCAST).pack()),
            nav(tr.gettext("Clear the picks"), PeopleAction.UNPICK_ALL),
        )
        if picked
        else ()
    )
    by_group = {g: counts.by_role[r] for g in Group if (r := g.role) is not None}
    by_group[Group.PAUSED] = counts.paused
    groups = [
        nav(f"{tr.gettext(GROUP_LABELS[g])} ({n})", PeopleAction.LIST, group=g)
        for g, n in by_group.items()
    ]
    invites = nav(
        tr.gettext("Unused invitations ({n})").format(n=counts.invitations), PeopleAction.INVITES
    )
    return Reply(
        text,
        (
            *rows(*groups),
            (nav(tr.gettext("Search by name"), PeopleAction.SEARCH),),
            (invites,),
            (Button(tr.gettext("Invite someone"), MenuButton(MenuKey.INVITE).pack()),),
            picks,
            back_to_menu(tr),
        ),
    )


def people_list(tr: Translator, group: Group, page: Page[PersonLine]) -> Reply:
    _ = tr.html
    title = bold(tr.gettext(GROUP_LABELS[group]))
    body = _("Tap a name to see or change their roles.") if page.items else _("Nobody here yet.")
    people = tuple(
        (nav(person_label(tr, p), PeopleAction.OPEN, target=p.id, group=group, page=page.number),)
        for p in page.items
    )
    return Reply(
        lines(title, body, page_line(tr, page)),
        (
            *people,
            pager(tr, page, PeopleAction.LIST, group),
            (nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def ask_for_name(tr: Translator) -> Reply:
    return Reply(
        tr.html("Please type a name (or part of it) to search for a person or a business."),
        ((nav(tr.gettext("Cancel"), PeopleAction.HOME),),),
    )


def bad_query(tr: Translator, limit: int) -> Reply:
    return Reply(
        tr.html("Sorry, please type 1 to {limit} characters of a name.").format(limit=limit),
        ((nav(tr.gettext("Cancel"), PeopleAction.HOME),),),
    )


def found(tr: Translator, query: str, page: Page[PersonLine]) -> Reply:
    _ = tr.html
    head = (
        _("Found for “{query}”:").format(query=query)
        if page.items
        else _("Nobody found for “{query}”.").format(query=query)
    )
    people = tuple((nav(person_label(tr, p), PeopleAction.OPEN, target=p.id),) for p in page.items)
    return Reply(
        lines(head, page_line(tr, page), _("Type another name to search again.")),
        (
            *people,
            pager(tr, page, PeopleAction.FOUND),
            (nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def person(
    tr: Translator,
    view: PersonView,
    *,
    group: Group | None = None,
    page: int = 0,
    notice: Html | None = None,
    picked: bool = False,
) -> Reply:
    """One person: who they are, their roles, and what a coordinator can change; whether
    they are picked for the coordinator's broadcasts."""
    _ = tr.html
    role_lines = [
        Html("• {}{}").format(
            role_name(tr, held.role),
            tr.gettext(" (from BOT_COORDINATORS)") if held.source is RoleSource.SETTING else "",
        )
        for held in view.roles
    ]
    status = (
        _("⏸ Access paused since {date}.").format(date=tr.format_date(view.paused_since))
        if view.paused_since is not None
        else None
    )
    unreachable = (
        _("Telegram has not delivered our messages since {date} (the bot may be blocked).").format(
            date=tr.format_date(view.unreachable_since)
        )
        if view.unreachable_since is not None
        else None
    )
    text = lines(
        *((notice, "") if notice else ()),
        bold(view.name),
        _("Agency: {agency}").format(agency=view.agency) if view.agency else None,
        _("Business: {business}").format(business=view.business) if view.business else None,
        _("Known since {date}").format(date=tr.format_date(view.joined_at)),
        status,
        unreachable,
        "",
        _("Roles:") if view.roles else _("No role at the moment."),
        *role_lines,
    )
    held = view.role_set
    grants = [
        Button(
            tr.gettext("Make {role}").format(role=role_name(tr, role)),
            AskButton(ChangeAction.GRANT, view.id, role).pack(),
        )
        for role in GRANTABLE
        if role not in held
    ]
    revokes = [
        Button(
            tr.gettext("Remove role: {role}").format(role=role_name(tr, r.role)),
            AskButton(ChangeAction.REVOKE, view.id, r.role).pack(),
        )
        for r in view.roles
        if r.source is not RoleSource.SETTING
    ]
    access = (
        Button(tr.gettext("Give access again"), AskButton(ChangeAction.RESUME, view.id).pack())
        if view.paused_since is not None
        else Button(tr.gettext("Pause access"), AskButton(ChangeAction.PAUSE, view.id).pack())
    )
    back = (
        nav(tr.gettext("Back to the list"), PeopleAction.LIST, group=group, page=page)
        if group is not None
        else nav(tr.gettext("Back"), PeopleAction.HOME)
    )
    pick = nav(
        tr.gettext("✓ Picked for a broadcast (unpick)")
        if picked
        else tr.gettext("Pick for a broadcast"),
        PeopleAction.PICK,
        target=view.id,
        group=group,
        page=page,
    )
    return Reply(
        text,
        (*rows(*grants), *rows(*revokes, width=1), (access,), (pick,), (back,), back_to_menu(tr)),
    )


_QUESTIONS = {
    ChangeAction.GRANT: N_("Make <b>{name}</b> a {role}?"),
    ChangeAction.REVOKE: N_("Remove the role <b>{role}</b> from <b>{name}</b>?"),
    ChangeAction.PAUSE: N_(
        "Pause the access of <b>{name}</b>? They keep their data, but the bot answers only "
        "that their access is paused and sends them nothing until it is given again."
    ),
    ChangeAction.RESUME: N_("Give <b>{name}</b> access to the bot again?"),
}


def confirm_change(
    tr: Translator, ask: AskButton, view: PersonView, agency: str | None = None
) -> Reply:
    """Ask before a role or access change; the person will be told."""
    _ = tr.html
    role = role_name(tr, ask.role) if ask.role is not None else ""
    question = _(_QUESTIONS[ask.action]).format(name=view.name, role=role)
    text = lines(
        question,
        _("Agency: {agency}").format(agency=agency) if agency else None,
        _("We will tell them politely."),
    )
    return Reply(text, yes_no(tr, ask, PeopleButton(PeopleAction.OPEN, view.id)))


def choose_agency(tr: Translator, view: PersonView, agencies: Sequence[tuple[int, str]]) -> Reply:
    buttons = [
        Button(name, AskButton(ChangeAction.GRANT, view.id, Role.FOCAL, agency_id).pack())
        for agency_id, name in agencies
    ]
    return Reply(
        tr.html("Which <b>agency</b> will {name} be the focal point of?").format(name=view.name),
        (*rows(*buttons, width=1), (nav(tr.gettext("Back"), PeopleAction.OPEN, target=view.id),)),
    )


_DONE = {
    (Change.GRANTED, True): N_("✅ Done: {name} is now a {role}. We have told them."),
    (Change.GRANTED, False): N_("{name} already is a {role}."),
    (Change.REVOKED, True): N_("✅ Done: {name} is no longer a {role}. We have told them."),
    (Change.REVOKED, False): N_("{name} is not a {role}."),
    (Change.PAUSED, True): N_("✅ Done: the access of {name} is paused. We have told them."),
    (Change.PAUSED, False): N_("The access of {name} was already paused."),
    (Change.RESUMED, True): N_("✅ Done: {name} can use the bot again. We have told them."),
    (Change.RESUMED, False): N_("{name} already has access."),
}


def changed_notice(
    tr: Translator, change: Change, done: bool, name: str, role: Role | None
) -> Html:
    named = role_name(tr, role) if role is not None else ""
    return tr.html(_DONE[(change, done)]).format(name=name, role=named)


def refused_notice(tr: Translator, reason: str) -> Html:
    return tr.html("⚠️ Not changed: {reason}").format(reason=reason)
