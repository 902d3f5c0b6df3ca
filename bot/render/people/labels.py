"""The buttons of /orang and the small pieces its screens share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button
from bot.render.common import ROLE_NAMES
from bot.render.text import Html
from bot.services.roles import Page, PersonLine
from db.models import Role


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
    PICK = "b"  # pick a person for a broadcast, or unpick them
    UNPICK_ALL = "x"  # nobody picked any more


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


def nav(
    label: str,
    action: PeopleAction,
    target: int | None = None,
    group: Group | None = None,
    page: int = 0,
) -> Button:
    return Button(label, PeopleButton(action, target, group, page).pack())


def role_name(tr: Translator, role: Role) -> str:
    return tr.gettext(ROLE_NAMES[role])


def person_label(tr: Translator, person: PersonLine) -> str:
    """A person as a button label: name, and their agency or business."""
    where = person.agency or person.business
    label = f"{person.name} · {where}" if where else person.name
    return f"⏸ {label}" if person.paused else label


def pager(
    tr: Translator, page: Page[object], action: PeopleAction, group: Group | None = None
) -> tuple[Button, ...]:
    previous = nav("◀", action, group=group, page=page.number - 1) if page.number > 0 else None
    following = (
        nav("▶", action, group=group, page=page.number + 1)
        if page.number + 1 < page.pages
        else None
    )
    return tuple(b for b in (previous, following) if b is not None)


def page_line(tr: Translator, page: Page[object]) -> Html | None:
    if page.pages <= 1:
        return None
    return tr.html("Page {n} of {pages}").format(n=page.number + 1, pages=page.pages)


_YES = {
    ChangeAction.GRANT: N_("Yes, give the role"),
    ChangeAction.REVOKE: N_("Yes, remove the role"),
    ChangeAction.PAUSE: N_("Yes, pause access"),
    ChangeAction.RESUME: N_("Yes, give access"),
    ChangeAction.CANCEL: N_("Yes, cancel the link"),
    ChangeAction.REISSUE: N_("Yes, make a new link"),
}


def yes_no(tr: Translator, ask: AskButton, back: PeopleButton) -> tuple[tuple[Button, ...], ...]:
    confirm = ConfirmButton(ask.action, ask.target, ask.role, ask.agency)
    return (
        (Button(tr.gettext(_YES[ask.action]), confirm.pack()),),
        (Button(tr.gettext("No, go back"), back.pack()),),
    )
