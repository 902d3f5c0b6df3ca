"""The audit trail (/audit): the latest events, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button, Reply
from bot.render.common import ROLE_NAMES, back_to_menu
from bot.render.text import Html, lines
from bot.services.audit import AuditLine
from bot.services.roles import Page
from db.models import Role


@dataclass(frozen=True)
class AuditButton(CallbackData, prefix="au"):
    """A page of the audit trail (0: the newest)."""

    page: int


# What each recorded action is called; an action not listed here shows its code.
ACTIONS = {
    "person.registered": N_("joined"),
    "person.deactivated": N_("access paused"),
    "person.reactivated": N_("access given again"),
    "person.forgotten": N_("personal data deleted"),
    "person.unreachable": N_("unreachable (blocked the bot)"),
    "person.reachable": N_("reachable again"),
    "person.locale": N_("language changed"),
    "role.granted": N_("role given"),
    "role.revoked": N_("role removed"),
    "consent.given": N_("consent given"),
    "consent.withdrawn": N_("consent withdrawn"),
    "invitation.created": N_("invitation made"),
    "invitation.accepted": N_("invitation accepted"),
    "invitation.cancelled": N_("invitation cancelled"),
    "invitation.reissued": N_("invitation made again"),
    "deadline.created": N_("deadline created"),
    "deadline.moved": N_("deadline moved"),
    "deadline.renamed": N_("deadline renamed"),
    "deadline.cancelled": N_("deadline cancelled"),
    "deadline.recurred": N_("next deadline of a series"),
    "deadline.answered": N_("deadline answered"),
    "deadline.extension_asked": N_("extension asked"),
    "deadline.extension_decided": N_("extension decided"),
    "question.asked": N_("question asked"),
    "question.answered": N_("question answered"),
    "business.profile_changed": N_("business profile changed"),
}


def _action(tr: Translator, action: str) -> str:
    known = ACTIONS.get(action)
    return tr.gettext(known) if known is not None else action


def _detail(tr: Translator, line: AuditLine) -> str:
    """Codes worth showing: a role by its name, ids as #n; nothing anyone wrote."""
    shown = []
    for key, value in line.detail:
        if key == "role" and value in {r.value for r in Role}:
            shown.append(tr.gettext(ROLE_NAMES[Role(value)]))
        elif key in {"status", "field", "locale"}:
            shown.append(value)
        elif key.endswith("_id") or key in {"invitation", "replaces"}:
            shown.append(f"#{value}")
    return ", ".join(shown)


def _who(tr: Translator, name: str | None, person_id: int | None) -> str:
    if person_id is None:
        return tr.gettext("system")
    return name if name is not None else tr.gettext("a deleted person")


def entry(tr: Translator, line: AuditLine) -> Html:
    _ = tr.html
    when = f"{tr.format_short_date(line.at)} {tr.format_time(line.at)}"
    detail = _detail(tr, line)
    what = _action(tr, line.action) + (f" ({detail})" if detail else "")
    about = (
        _("about {name}").format(name=_who(tr, line.subject, line.subject_id))
        if line.subject_id is not None or line.subject is not None
        else None
    )
    return lines(
        Html("<b>{}</b> · {}").format(when, what),
        Html("   {}{}").format(
            _who(tr, line.actor, line.actor_id), Html(" · {}").format(about) if about else ""
        ),
    )


def trail(tr: Translator, page: Page[AuditLine]) -> Reply:
    _ = tr.html
    head = _("<b>Activity log</b>")
    if not page.items:
        return Reply(lines(head, _("Nothing recorded yet.")), (back_to_menu(tr),))
    position = _("Page {n} of {pages}, newest first.").format(n=page.number + 1, pages=page.pages)
    text = lines(head, position, "", *(entry(tr, line) for line in page.items))
    older = (
        Button(tr.gettext("Older ▶"), AuditButton(page.number + 1).pack())
        if page.number + 1 < page.pages
        else None
    )
    newer = (
        Button(tr.gettext("◀ Newer"), AuditButton(page.number - 1).pack())
        if page.number > 0
        else None
    )
    nav = tuple(b for b in (newer, older) if b is not None)
    return Reply(text, (nav, back_to_menu(tr)))
