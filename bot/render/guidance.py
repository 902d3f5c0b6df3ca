"""Guidance screens: the module list with marks, and one step of a module at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.callbacks import CallbackData
from bot.content import Contact
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.questions import ask_button
from bot.render.text import Html, bold, italic, join, lines, link
from bot.services.guidance import ModuleMark, StepView

DONE_MARK = "✅"
STARTED_MARK = "▶"


@dataclass(frozen=True)
class GuideButton(CallbackData, prefix="g"):
    """A step of a guidance module; no step: where the business left off."""

    module: str
    step: int | None = None


def guide_button(label: str, module: str, step: int | None = None) -> Button:
    return Button(label, GuideButton(module, step).pack())


def menu(tr: Translator, marks: Sequence[ModuleMark], *, notice: Html | None = None) -> Reply:
    """The sector's modules in reading order, marked done or in progress."""
    _ = tr.html
    done = sum(1 for m in marks if m.done)
    text = lines(
        notice,
        bold(_("SNI guidance")),
        _("Modules read: {done} of {total}.").format(done=done, total=len(marks)),
        _("Please choose a module. ✅ read, ▶ started."),
    )
    buttons: list[tuple[Button, ...]] = []
    for mark in marks:
        prefix = f"{DONE_MARK} " if mark.done else f"{STARTED_MARK} " if mark.started else ""
        buttons.append((guide_button(prefix + mark.module.title, mark.module.id),))
    buttons.append(back_to_menu(tr))
    return Reply(text, tuple(buttons))


def step(tr: Translator, view: StepView) -> Reply:
    """One step: "<b>Title (2/5)</b>", the text, and the way on."""
    _ = tr.html
    module, index = view.module, view.index
    current = module.steps[index]
    head = lines(
        bold(f"{module.title} ({index + 1}/{view.total})"),
        italic(current.title) if current.title else None,
        # Step texts are Telegram HTML from content/, checked when loaded (bot/content.py).
        Html(current.text),
        *(("", contact_card(tr, view.contact)) if view.contact is not None else ()),
    )
    back = guide_button(tr.gettext("◀ Back"), module.id, index - 1) if index > 0 else None
    ask = ask_button(tr, module.id)
    modules = Button(tr.gettext("Module list"), MenuButton(MenuKey.GUIDE).pack())
    if not view.is_last:
        forward = guide_button(tr.gettext("Next ▶"), module.id, index + 1)
        return _with_picture(view, Reply(head, rows(back, forward, ask, modules)))
    suggestion = view.suggestion
    sources = join((link(source.url, source.title) for source in module.sources), ", ")
    text = lines(
        head,
        "",
        _("✅ You have finished this module."),
        _(
            "Next: check your readiness with the checklist, or read the module <i>{title}</i>."
        ).format(title=suggestion.title)
        if suggestion is not None
        else _("Next: check your readiness with the checklist."),
        _("Sources: {sources}").format(sources=sources),
    )
    checklist = Button(tr.gettext("Readiness check"), MenuButton(MenuKey.CHECKLIST).pack())
    following = guide_button(suggestion.title, suggestion.id) if suggestion is not None else None
    buttons = (*rows(back, checklist), *rows(following, width=1), *rows(ask, modules))
    return _with_picture(view, Reply(text, buttons))


def contact_card(tr: Translator, contact: Contact) -> Html:
    """Whom to ask, from content/contacts.yaml; what is not known yet is said once."""
    _ = tr.html
    known = (
        (_("Address: {value}"), contact.address),
        (_("Phone: {value}"), contact.phone),
        (_("WhatsApp: {value}"), contact.whatsapp),
        (_("Hours: {value}"), contact.hours),
    )
    return lines(
        _("📌 Where to ask: <b>{office}</b>").format(office=contact.office),
        italic(contact.helps_with),
        *(label.format(value=value) for label, value in known if value is not None),
        _("Website: {link}").format(link=link(contact.web, contact.web))
        if contact.web is not None
        else None,
        _(
            "We are still completing this office's details. Meanwhile, tap <i>Ask a mentor</i> "
            "and we will help."
        )
        if contact.missing
        else None,
    )


def _with_picture(view: StepView, reply: Reply) -> Reply:
    """A step with a picture: the photo, with the step as its caption."""
    path = view.image
    if path is None:
        return reply

    async def read() -> bytes:  # after the commit, off the event loop
        return await asyncio.to_thread(path.read_bytes)

    return replace(reply, attachment=Attachment(b"", path.name, make=read))


def no_business(tr: Translator) -> Reply:
    """A person with the business role whose business is not linked yet."""
    return Reply(
        tr.html(
            "Sorry, we cannot find your business yet. Please contact the programme "
            "coordinator so that your business can be registered."
        ),
        (back_to_menu(tr),),
    )


def stale_module(tr: Translator, marks: Sequence[ModuleMark]) -> Reply:
    """An old button for a module or step that is gone: the list again."""
    notice = tr.html("Sorry, that guidance page has changed. Please choose again.")
    return menu(tr, marks, notice=lines(notice, ""))
