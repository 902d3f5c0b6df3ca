"""Screens of people and roles (/orang).

`labels`: its buttons and the pieces the others share; `screens`: the overview, lists,
search, one person and role changes; `invitations`: unused invitations; `notices`: what the
person concerned is told.
"""

from bot.render.people.invitations import (
    confirm_invitation,
    invitation,
    invitation_cancelled,
    invitation_reissued,
    invitations,
)
from bot.render.people.labels import (
    GROUP_LABELS,
    AskButton,
    ChangeAction,
    ConfirmButton,
    Group,
    PeopleAction,
    PeopleButton,
)
from bot.render.people.notices import access_notice, access_paused
from bot.render.people.screens import (
    ask_for_name,
    bad_query,
    changed_notice,
    choose_agency,
    confirm_change,
    found,
    overview,
    people_list,
    person,
    refused_notice,
)

__all__ = [
    "GROUP_LABELS",
    "AskButton",
    "ChangeAction",
    "ConfirmButton",
    "Group",
    "PeopleAction",
    "PeopleButton",
    "access_notice",
    "access_paused",
    "ask_for_name",
    "bad_query",
    "changed_notice",
    "choose_agency",
    "confirm_change",
    "confirm_invitation",
    "found",
    "invitation",
    "invitation_cancelled",
    "invitation_reissued",
    "invitations",
    "overview",
    "people_list",
    "person",
    "refused_notice",
]
