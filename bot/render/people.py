"""People and roles (/orang): lists by role, search, one person, confirmations, notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button, Reply, rows
from bot.render.common import ROLE_NAMES, MenuButton, MenuKey, back_to_menu
from bot.render.text import Html, bold, code, lines
from bot.services.invitations import Unused
from bot.services.roles import GRANTABLE, Change, Overview, Page, PersonLine, PersonView
from db.models import Role, RoleSource


class Group(StrEnum):
    """A list of people: by role, or those whose access is paused."""

    COORDINATOR = "c"
    MENTOR = "m"
    FOCAL = "f"
    UMKM = "u"
    PAUSED = "p"

    @property
    def role(self) -> Role | None:
        return _GROUP_ROLES.get(self)


_GROUP_ROLES = {
    Group.COORDINATOR: Role.COORDINATOR,
    Group.MENTOR: Role.MENTOR,
    Group.FOCAL: Role.FOCAL,
    Group.UMKM: Role.UMKM,
}
GROUP_LABELS = {
    Group.COORDINATOR: N_("Coordinators"),
    Group.MENTOR: N_("Mentors"),
    Group.FOCAL: N_("Focal points"),
    Group.UMKM: N_("Business owners"),
    Group.PAUSED: N_("Paused access"),
}


class PeopleAction(StrEnum):
    HOME = "h"  # the overview
    LIST = "l"  # a page of a group
    SEARCH = "q"  # ask for a name
    FOUND = "s"  # a page of the search results
    OPEN = "o"  # one person
    INVITES = "i"  # a page of unused invitations
    INVITATION = "v"  # one invitation


@dataclass(frozen=True)
class PeopleButton(CallbackData, prefix="pp"):
    """Moving around /orang; `target` is a person or invitation, `group`/`page` the list."""

    action: PeopleAction
    target: int | None = None
    group: Group | None = None
    page: int = 0


class ChangeAction(StrEnum):
    GRANT = "g"
    REVOKE = "r"
    PAUSE = "p"
    RESUME = "u"
    CANCEL = "c"  # an invitation
    REISSUE = "n"  # an invitation


@dataclass(frozen=True)
class AskButton(CallbackData, prefix="ppa"):
    """A change, before it is confirmed (`target`: a person, or an invitation)."""

    action: ChangeAction
    target: int
    role: Role | None = None
    agency: int | None = None


@dataclass(frozen=True)
class ConfirmButton(CallbackData, prefix="ppy"):
    """The same change, confirmed."""

    action: ChangeAction
    target: int
    role: Role | None = None
    agency: int | None = None


def _nav(
    label: str,
    action: PeopleAction,
    target: int | None = None,
    group: Group | None = None,
    page: int = 0,
) -> Button:
    return Button(label, PeopleButton(action, target, group, page).pack())


def _role_name(tr: Translator, role: Role) -> str:
    return tr.gettext(ROLE_NAMES[role])


def _line(tr: Translator, person: PersonLine) -> str:
    """A person as a button label: name, and their agency or business."""
    where = person.agency or person.business
    label = f"{person.name} · {where}" if where else person.name
    return f"⏸ {label}" if person.paused else label


def overview(tr: Translator, counts: Overview) -> Reply:
    _ = tr.html
    text = lines(
        _("<b>People and roles</b>"),
        _("Choose a list, search by name, or invite someone new."),
    )
    by_group = {g: counts.by_role[r] for g, r in _GROUP_ROLES.items()}
    by_group[Group.PAUSED] = counts.paused
    groups = [
        _nav(f"{tr.gettext(GROUP_LABELS[g])} ({n})", PeopleAction.LIST, group=g)
        for g, n in by_group.items()
    ]
    invites = _nav(
        tr.gettext("Unused invitations ({n})").format(n=counts.invitations), PeopleAction.INVITES
    )
    return Reply(
        text,
        (
            *rows(*groups),
            (_nav(tr.gettext("Search by name"), PeopleAction.SEARCH),),
            (invites,),
            (Button(tr.gettext("Invite someone"), MenuButton(MenuKey.INVITE).pack()),),
            back_to_menu(tr),
        ),
    )


def _pager(
    tr: Translator, page: Page[object], action: PeopleAction, group: Group | None = None
) -> tuple[Button, ...]:
    previous = _nav("◀", action, group=group, page=page.number - 1) if page.number > 0 else None
    following = (
        _nav("▶", action, group=group, page=page.number + 1)
        if page.number + 1 < page.pages
        else None
    )
    return tuple(b for b in (previous, following) if b is not None)


def _page_line(tr: Translator, page: Page[object]) -> Html | None:
    if page.pages <= 1:
        return None
    return tr.html("Page {n} of {pages}").format(n=page.number + 1, pages=page.pages)


def people_list(tr: Translator, group: Group, page: Page[PersonLine]) -> Reply:
    _ = tr.html
    title = bold(tr.gettext(GROUP_LABELS[group]))
    body = _("Tap a name to see or change their roles.") if page.items else _("Nobody here yet.")
    people = tuple(
        (_nav(_line(tr, p), PeopleAction.OPEN, target=p.id, group=group, page=page.number),)
        for p in page.items
    )
    return Reply(
        lines(title, body, _page_line(tr, page)),
        (
            *people,
            _pager(tr, page, PeopleAction.LIST, group),
            (_nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def ask_for_name(tr: Translator) -> Reply:
    return Reply(
        tr.html("Please type a name (or part of it) to search for a person or a business."),
        ((_nav(tr.gettext("Cancel"), PeopleAction.HOME),),),
    )


def bad_query(tr: Translator, limit: int) -> Reply:
    return Reply(
        tr.html("Sorry, please type 1 to {limit} characters of a name.").format(limit=limit),
        ((_nav(tr.gettext("Cancel"), PeopleAction.HOME),),),
    )


def found(tr: Translator, query: str, page: Page[PersonLine]) -> Reply:
    _ = tr.html
    head = (
        _("Found for “{query}”:").format(query=query)
        if page.items
        else _("Nobody found for “{query}”.").format(query=query)
    )
    people = tuple((_nav(_line(tr, p), PeopleAction.OPEN, target=p.id),) for p in page.items)
    return Reply(
        lines(head, _page_line(tr, page), _("Type another name to search again.")),
        (
            *people,
            _pager(tr, page, PeopleAction.FOUND),
            (_nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def person(
    tr: Translator,
    view: PersonView,
    *,
    group: Group | None = None,
    page: int = 0,
    notice: Html | None = None,
) -> Reply:
    """One person: who they are, their roles, and what a coordinator can change."""
    _ = tr.html
    role_lines = [
        Html("• {}{}").format(
            _role_name(tr, held.role),
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
            tr.gettext("Make {role}").format(role=_role_name(tr, role)),
            AskButton(ChangeAction.GRANT, view.id, role).pack(),
        )
        for role in GRANTABLE
        if role not in held
    ]
    revokes = [
        Button(
            tr.gettext("Remove role: {role}").format(role=_role_name(tr, r.role)),
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
        _nav(tr.gettext("Back to the list"), PeopleAction.LIST, group=group, page=page)
        if group is not None
        else _nav(tr.gettext("Back"), PeopleAction.HOME)
    )
    return Reply(
        text,
        (*rows(*grants), *rows(*revokes, width=1), (access,), (back,), back_to_menu(tr)),
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
_YES = {
    ChangeAction.GRANT: N_("Yes, give the role"),
    ChangeAction.REVOKE: N_("Yes, remove the role"),
    ChangeAction.PAUSE: N_("Yes, pause access"),
    ChangeAction.RESUME: N_("Yes, give access"),
    ChangeAction.CANCEL: N_("Yes, cancel the link"),
    ChangeAction.REISSUE: N_("Yes, make a new link"),
}


def confirm_change(
    tr: Translator, ask: AskButton, view: PersonView, agency: str | None = None
) -> Reply:
    """Ask before a role or access change; the person will be told."""
    _ = tr.html
    role = _role_name(tr, ask.role) if ask.role is not None else ""
    question = _(_QUESTIONS[ask.action]).format(name=view.name, role=role)
    text = lines(
        question,
        _("Agency: {agency}").format(agency=agency) if agency else None,
        _("We will tell them politely."),
    )
    return Reply(text, _yes_no(tr, ask, PeopleButton(PeopleAction.OPEN, view.id)))


def _yes_no(tr: Translator, ask: AskButton, back: PeopleButton) -> tuple[tuple[Button, ...], ...]:
    confirm = ConfirmButton(ask.action, ask.target, ask.role, ask.agency)
    return (
        (Button(tr.gettext(_YES[ask.action]), confirm.pack()),),
        (Button(tr.gettext("No, go back"), back.pack()),),
    )


def choose_agency(tr: Translator, view: PersonView, agencies: Sequence[tuple[int, str]]) -> Reply:
    buttons = [
        Button(name, AskButton(ChangeAction.GRANT, view.id, Role.FOCAL, agency_id).pack())
        for agency_id, name in agencies
    ]
    return Reply(
        tr.html("Which <b>agency</b> will {name} be the focal point of?").format(name=view.name),
        (*rows(*buttons, width=1), (_nav(tr.gettext("Back"), PeopleAction.OPEN, target=view.id),)),
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
    role_name = _role_name(tr, role) if role is not None else ""
    return tr.html(_DONE[(change, done)]).format(name=name, role=role_name)


def refused_notice(tr: Translator, reason: str) -> Html:
    return tr.html("⚠️ Not changed: {reason}").format(reason=reason)


# --- invitations ------------------------------------------------------------------------------


def _invitation_label(tr: Translator, found: Unused) -> str:
    who = found.business or found.invitee_name or "-"
    state = tr.gettext("expired") if found.expired else tr.gettext("open")
    return f"{who} · {_role_name(tr, found.role)} · {state}"


def invitations(tr: Translator, page: Page[Unused]) -> Reply:
    _ = tr.html
    body = (
        _("Links that nobody has used yet. Tap one to make a new link or cancel it.")
        if page.items
        else _("Every invitation has been used or cancelled.")
    )
    found = tuple(
        (_nav(_invitation_label(tr, i), PeopleAction.INVITATION, target=i.id, page=page.number),)
        for i in page.items
    )
    return Reply(
        lines(_("<b>Unused invitations</b>"), body, _page_line(tr, page)),
        (
            *found,
            _pager(tr, page, PeopleAction.INVITES),
            (_nav(tr.gettext("Back"), PeopleAction.HOME),),
        ),
    )


def _invitation_text(tr: Translator, found: Unused) -> Html:
    _ = tr.html
    expiry = (_("Expired on {date}.") if found.expired else _("Valid until {date}.")).format(
        date=tr.format_datetime(found.expires_at)
    )
    return lines(
        _("<b>Invitation</b> for {name}").format(name=found.invitee_name or "-"),
        _("Role: {role}").format(role=_role_name(tr, found.role)),
        _("Business: {business}").format(business=found.business) if found.business else None,
        _("Agency: {agency}").format(agency=found.agency) if found.agency else None,
        _("Made on {date}.").format(date=tr.format_date(found.created_at)),
        expiry,
    )


def invitation(tr: Translator, found: Unused, *, page: int = 0) -> Reply:
    return Reply(
        _invitation_text(tr, found),
        (
            (
                Button(
                    tr.gettext("Make a new link"),
                    AskButton(ChangeAction.REISSUE, found.id).pack(),
                ),
                Button(
                    tr.gettext("Cancel the link"), AskButton(ChangeAction.CANCEL, found.id).pack()
                ),
            ),
            (_nav(tr.gettext("Back"), PeopleAction.INVITES, page=page),),
        ),
    )


def confirm_invitation(tr: Translator, ask: AskButton, found: Unused) -> Reply:
    _ = tr.html
    question = (
        _("Cancel this link? Nobody will be able to join with it.")
        if ask.action is ChangeAction.CANCEL
        else _("Make a new link? The old link stops working.")
    )
    return Reply(
        lines(_invitation_text(tr, found), "", question),
        _yes_no(tr, ask, PeopleButton(PeopleAction.INVITATION, found.id)),
    )


def invitation_cancelled(tr: Translator, found: Unused) -> Reply:
    return Reply(
        tr.html("✅ The invitation for {name} is cancelled: the link no longer works.").format(
            name=found.invitee_name or found.business or "-"
        ),
        ((_nav(tr.gettext("Unused invitations"), PeopleAction.INVITES),), back_to_menu(tr)),
    )


def invitation_reissued(tr: Translator, found: Unused, link: str, expires: str) -> Reply:
    text = lines(
        tr.html(
            "✅ A new invitation link for <b>{name}</b> is ready; the old one no longer works."
        ).format(name=found.invitee_name or found.business or "-"),
        "",
        tr.html("Please forward this link to them (tap it to copy):"),
        code(link),
        "",
        tr.html("The link works once and is valid until {expires}.").format(expires=expires),
    )
    return Reply(
        text, ((_nav(tr.gettext("Unused invitations"), PeopleAction.INVITES),), back_to_menu(tr))
    )


# --- what the person concerned is told ----------------------------------------------------------

_TOLD = {
    Change.GRANTED: N_(
        "{name}, the programme coordinator has made you a <b>{role}</b> of "
        "Pendamping UMKM. Type /menu to see what you can do now."
    ),
    Change.REVOKED: N_(
        "{name}, your role as <b>{role}</b> in Pendamping UMKM has ended. Thank you "
        "for your work. If you think this is a mistake, please contact the programme "
        "coordinator."
    ),
    Change.PAUSED: N_(
        "{name}, your access to Pendamping UMKM has been paused by the programme "
        "coordinator. Your data is kept. If you have questions, please contact the programme "
        "coordinator."
    ),
    Change.RESUMED: N_(
        "{name}, your access to Pendamping UMKM is open again. Welcome back! "
        "Type /menu to continue."
    ),
}


def access_notice(tr: Translator, name: str, change: Change, role: Role | None) -> Reply:
    role_name = _role_name(tr, role) if role is not None else ""
    return Reply(tr.html(_TOLD[change]).format(name=name, role=role_name))


def access_paused(tr: Translator) -> Reply:
    """The answer to everything a paused person sends."""
    return Reply(
        tr.html(
            "🙏 Sorry, your access to Pendamping UMKM is paused at the moment. Your data is "
            "kept. For questions, or to have your data deleted, please contact the programme "
            "coordinator."
        )
    )
