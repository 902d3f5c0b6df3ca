"""Screens every role shares: welcome, menus, help, privacy, and the polite error answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button, Reply
from bot.render.text import Html, bold, join, lines
from bot.services.errors import DomainError, Invalid, NotAllowed, NotFound, Stale
from db.models import Role, Salutation


class Someone(Protocol):
    """Whom a screen is for: a person row, or a view of one."""

    @property
    def full_name(self) -> str: ...

    @property
    def salutation(self) -> Salutation | None: ...

    @property
    def role_set(self) -> frozenset[Role]: ...


def addressed(tr: Translator, name: str, salutation: Salutation | None) -> str:
    """ "Ibu Maria", "Bapak Yohanes", or the name alone: never "Bapak/Ibu Maria"."""
    if salutation is Salutation.BAPAK:
        # Translators: a man addressed by name: "Bapak {name}"
        return tr.pgettext("salutation", "Mr {name}").format(name=name)
    if salutation is Salutation.IBU:
        # Translators: a woman addressed by name: "Ibu {name}"
        return tr.pgettext("salutation", "Ms {name}").format(name=name)
    return name


def salutation_label(tr: Translator, salutation: Salutation | None) -> str:
    """The button or summary word for a salutation choice."""
    if salutation is Salutation.BAPAK:
        return tr.pgettext("salutation", "Mr")
    if salutation is Salutation.IBU:
        return tr.pgettext("salutation", "Ms")
    return tr.pgettext("salutation", "Name only")


class MenuKey(StrEnum):
    HOME = "home"
    GUIDE = "guide"
    CHECKLIST = "checklist"
    PROGRESS = "progress"
    ASK = "ask"
    DEADLINES = "deadlines"
    SELF_ASSESS = "selfassess"
    QUESTIONS = "questions"
    INVITE = "invite"
    DEADLINES_ADMIN = "deadlines_admin"
    REPORT = "report"
    BROADCAST = "broadcast"
    EXPORT = "export"
    PEOPLE = "people"
    AUDIT = "audit"
    HELP = "help"
    PRIVACY = "privacy"


@dataclass(frozen=True)
class MenuButton(CallbackData, prefix="m"):
    """A main-menu entry."""

    key: MenuKey


class Language(StrEnum):
    ID = "id"
    EN = "en"


@dataclass(frozen=True)
class LanguageButton(CallbackData, prefix="lg"):
    """The language a person reads the bot in."""

    code: Language


@dataclass(frozen=True)
class MenuEntry:
    key: MenuKey
    label: str  # msgid, translated when shown
    roles: frozenset[Role]


_ALL = frozenset(Role)
MENU_ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry(MenuKey.GUIDE, N_("SNI guidance"), frozenset({Role.UMKM})),
    MenuEntry(MenuKey.CHECKLIST, N_("Readiness check"), frozenset({Role.UMKM})),
    MenuEntry(MenuKey.PROGRESS, N_("My progress"), frozenset({Role.UMKM})),
    MenuEntry(MenuKey.ASK, N_("Ask a mentor"), frozenset({Role.UMKM})),
    MenuEntry(MenuKey.DEADLINES, N_("My deadlines"), frozenset({Role.FOCAL})),
    MenuEntry(
        MenuKey.SELF_ASSESS,
        N_("ISO 18091 self-assessment"),
        frozenset({Role.FOCAL, Role.COORDINATOR}),
    ),
    MenuEntry(MenuKey.QUESTIONS, N_("Mentoring questions"), frozenset({Role.MENTOR})),
    MenuEntry(MenuKey.INVITE, N_("Invite people"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.DEADLINES_ADMIN, N_("Manage deadlines"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.REPORT, N_("Progress overview"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.BROADCAST, N_("Send a broadcast"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.EXPORT, N_("Export data"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.PEOPLE, N_("People and roles"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.AUDIT, N_("Activity log"), frozenset({Role.COORDINATOR})),
    MenuEntry(MenuKey.HELP, N_("Help"), _ALL),
    MenuEntry(MenuKey.PRIVACY, N_("Privacy"), _ALL),
)
MENU_BY_KEY = {entry.key: entry for entry in MENU_ENTRIES}
MENU_ROLE_ORDER = (Role.COORDINATOR, Role.UMKM, Role.FOCAL, Role.MENTOR)

ROLE_NAMES = {
    Role.COORDINATOR: N_("programme coordinator"),
    Role.MENTOR: N_("mentor"),
    Role.FOCAL: N_("agency focal point"),
    Role.UMKM: N_("mentored business"),
}


def _has_roles(person: Someone | None) -> bool:
    return person is not None and bool(person.role_set)


def welcome_stranger(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Welcome to <b>Pendamping UMKM</b> of Kota Kupang 👋\n"
            "This bot mentors the programme's businesses towards SNI and reminds the "
            "agencies of the standardization programme's deadlines.\n\n"
            "To join, please use the invitation link from the programme coordinator."
        ),
        ((Button(tr.gettext("About privacy"), MenuButton(MenuKey.PRIVACY).pack()),),),
    )


def main_menu(
    tr: Translator,
    person: Someone,
    *,
    greeting: bool = True,
    notice: Html | None = None,
    desk_url: str | None = None,
) -> Reply:
    """The menu of the person's roles; `notice` (a line of news) goes above it.

    A coordinator gets the desk (a Mini App) first when there is one (`desk_url`).
    """
    _ = tr.html
    roles = person.role_set
    entries = [e for e in MENU_ENTRIES if e.roles & roles and e.key not in {"help", "privacy"}]
    # A person's main role first: a coordinator who also mentors sees the programme tools on top.
    entries.sort(key=lambda e: min(MENU_ROLE_ORDER.index(r) for r in e.roles & roles))
    buttons = [Button(tr.gettext(e.label), MenuButton(e.key).pack()) for e in entries]
    buttons += [
        Button(tr.gettext("Help"), MenuButton(MenuKey.HELP).pack()),
        Button(tr.gettext("Privacy"), MenuButton(MenuKey.PRIVACY).pack()),
    ]
    role_list = ", ".join(tr.gettext(ROLE_NAMES[r]) for r in Role if r in roles)
    name = addressed(tr, person.full_name, person.salutation)
    head = _("Hello, {name}!").format(name=name) if greeting else _("Main menu")
    text = lines(
        *((notice, "") if notice is not None else ()),
        bold(head),
        _("You are registered as: {roles}.\nPlease choose what to do:").format(roles=role_list),
    )
    layout = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    if desk_url and Role.COORDINATOR in roles:
        layout = ((Button(tr.gettext("Open the desk"), web_app=desk_url),), *layout)
    return Reply(text, layout)


def back_to_menu(tr: Translator) -> tuple[Button, ...]:
    return (Button(tr.gettext("Main menu"), MenuButton(MenuKey.HOME).pack()),)


def help_text(tr: Translator, person: Someone | None) -> Reply:
    _ = tr.html
    roles = person.role_set if person is not None else frozenset()
    parts: list[Html] = [bold(tr.gettext("Help"))]
    if not roles:
        parts.append(
            _(
                "This bot is for the businesses and agencies of the Kota Kupang "
                "standardization programme. To join, open the invitation link you received "
                "from the coordinator. Without one, please contact the programme team."
            )
        )
    if Role.UMKM in roles:
        parts.append(
            _(
                "<b>For businesses</b>\n/panduan: step-by-step SNI guidance\n"
                "/cek: the readiness checklist\n/kemajuan: your progress\n"
                "/tanya: ask a mentor a question"
            )
        )
    if Role.FOCAL in roles:
        parts.append(
            _(
                "<b>For focal points</b>\n/tenggat: your agency's deadlines\n"
                "/penilaian: the ISO 18091 self-assessment\n"
                "Reminders come with buttons: tap one to answer."
            )
        )
    if Role.MENTOR in roles:
        parts.append(_("<b>For mentors</b>\n/pertanyaan: open questions from businesses"))
    if Role.COORDINATOR in roles:
        parts.append(
            _(
                "<b>For coordinators</b>\n/undang: invite a business, focal point or mentor\n"
                "/tenggat: every agency's deadlines\n/rekap: progress overview"
            )
        )
    parts.append(
        _(
            "/menu: main menu · /privasi: how we look after your data · /batal: stop a step "
            "· /bahasa: language"
        )
    )
    buttons = (back_to_menu(tr),) if roles else ()
    return Reply(join(parts, "\n\n"), buttons)


def not_allowed(tr: Translator, person: Someone | None) -> Reply:
    if not _has_roles(person):
        return welcome_stranger(tr)
    return Reply(
        tr.html("Sorry, this feature is not available for your role."),
        (back_to_menu(tr),),
    )


def stale_toast(tr: Translator) -> str:
    return tr.gettext("This button is no longer valid.")


def stale_dialogue(tr: Translator, person: Someone | None) -> Reply:
    """The step a person was at no longer exists (the bot changed, or the data did)."""
    return Reply(
        tr.html("Sorry, that step is no longer open. Please start again from the menu."),
        (back_to_menu(tr),),
    )


def stale_button(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, this button is no longer valid. Please use the latest menu."),
        (back_to_menu(tr),),
    )


def domain_error(tr: Translator, error: DomainError) -> Reply:
    _ = tr.html
    if isinstance(error, Invalid) and error.reason:
        text = _("Sorry, {reason}").format(reason=error.explain(tr.gettext))
    elif isinstance(error, NotAllowed):
        text = _("Sorry, this feature is not available for your role.")
    elif isinstance(error, NotFound):
        text = _("Sorry, we could not find that. It may have been removed.")
    elif isinstance(error, Stale):
        text = _("Sorry, this button is no longer valid. Please use the latest menu.")
    else:
        text = _("Sorry, that cannot be done right now.")
    return Reply(text, (back_to_menu(tr),))


def trouble(tr: Translator, incident: str) -> Reply:
    return Reply(
        tr.html(
            "Sorry, something went wrong on our side. Please try again in a moment. "
            "If it happens again, tell the coordinator this code: {code}"
        ).format(code=incident),
    )


def unexpected_text(tr: Translator, person: Someone | None) -> Reply:
    if not _has_roles(person):
        return welcome_stranger(tr)
    assert person is not None
    # A business owner who types a question most likely meant it for a mentor.
    ask = (
        (Button(tr.gettext("Ask a mentor"), MenuButton(MenuKey.ASK).pack()),)
        if Role.UMKM in person.role_set
        else ()
    )
    return Reply(
        tr.html(
            "Sorry, we did not understand that message. Please choose one of the buttons, "
            "or type /menu to go back to the main menu."
        ),
        ((*ask, *back_to_menu(tr)),),
    )


def unknown_command(tr: Translator, person: Someone | None) -> Reply:
    return Reply(
        tr.html("Sorry, we do not know that command. Type /bantuan to see what this bot can do."),
        (back_to_menu(tr),) if _has_roles(person) else (),
    )


def coming_soon(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "📌 This feature is being prepared by the programme team and will be available "
            "soon. Thank you for your patience."
        ),
        (back_to_menu(tr),),
    )


def group_notice(tr: Translator) -> Reply:
    return Reply(
        tr.html("This bot only serves private conversations. Please message the bot directly.")
    )


def slow_down(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "You are sending messages faster than we can answer them. Please wait a few "
            "seconds, then send your message again."
        )
    )


def cancelled(tr: Translator) -> Reply:
    return Reply(tr.html("Done, that step has been stopped."), (back_to_menu(tr),))


def language_choice(tr: Translator) -> Reply:
    # Each language is named in itself, so a person who cannot read this one finds theirs.
    return Reply(
        tr.html("Which language should the bot use?"),
        (
            (
                Button("Bahasa Indonesia", LanguageButton(Language.ID).pack()),
                Button("English", LanguageButton(Language.EN).pack()),
            ),
        ),
    )


def language_set(tr: Translator) -> Reply:
    return Reply(tr.html("Done: the bot now speaks this language."), (back_to_menu(tr),))
