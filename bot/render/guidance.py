"""Guidance screens: the module list with marks, and one step of a module at a time."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from dataclasses import replace

from bot.callbacks import ASK, GUIDE, MENU
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import back_to_menu
from bot.services.guidance import ModuleMark, StepView

DONE_MARK = "✅"
STARTED_MARK = "▶"


def menu(tr: Translator, marks: Sequence[ModuleMark], *, notice: str | None = None) -> Reply:
    """The sector's modules in reading order, marked done or in progress."""
    _ = tr.gettext
    done = sum(1 for m in marks if m.done)
    head = "<b>{}</b>".format(_("SNI guidance"))
    body = _("Modules read: {done} of {total}.").format(done=done, total=len(marks))
    legend = _("Please choose a module. ✅ read, ▶ started.")
    text = "\n".join(part for part in (notice, head, body, legend) if part)
    buttons: list[tuple[Button, ...]] = []
    for mark in marks:
        prefix = f"{DONE_MARK} " if mark.done else f"{STARTED_MARK} " if mark.started else ""
        buttons.append((Button(prefix + mark.module.title, GUIDE.pack(mark.module.id, "r")),))
    buttons.append(back_to_menu(tr))
    return Reply(text, tuple(buttons))


def step(tr: Translator, view: StepView) -> Reply:
    """One step: "<b>Title (2/5)</b>", the text, and the way on."""
    _ = tr.gettext
    module, index = view.module, view.index
    current = module.steps[index]
    lines = [f"<b>{html.escape(module.title)} ({index + 1}/{view.total})</b>"]
    if current.title:
        lines.append(f"<i>{html.escape(current.title)}</i>")
    # Step texts are checked Telegram HTML from content/ (bot/content/html.py), shown as written.
    lines.append(current.text)
    back = Button(_("◀ Back"), GUIDE.pack(module.id, index - 1)) if index > 0 else None
    ask = Button(_("Ask a mentor"), ASK.pack(module.id))
    modules = Button(_("Module list"), MENU.pack("guide"))
    if not view.is_last:
        forward = Button(_("Next ▶"), GUIDE.pack(module.id, index + 1))
        return _with_picture(view, Reply("\n".join(lines), rows(back, forward, ask, modules)))
    lines.append("")
    lines.append(_("✅ You have finished this module."))
    suggestion = view.suggestion
    if suggestion is not None:
        lines.append(
            _(
                "Next: check your readiness with the checklist, or read the module <i>{title}</i>."
            ).format(title=html.escape(suggestion.title))
        )
    else:
        lines.append(_("Next: check your readiness with the checklist."))
    sources = ", ".join(
        f'<a href="{html.escape(source.url, quote=True)}">{html.escape(source.title)}</a>'
        for source in module.sources
    )
    lines.append(_("Sources: {sources}").format(sources=sources))
    checklist = Button(_("Readiness check"), MENU.pack("checklist"))
    following = (
        Button(suggestion.title, GUIDE.pack(suggestion.id, "r"))
        if suggestion is not None
        else None
    )
    buttons = (*rows(back, checklist), *rows(following, width=1), *rows(ask, modules))
    return _with_picture(view, Reply("\n".join(lines), buttons))


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
        tr.gettext(
            "Sorry, we cannot find your business yet. Please contact the programme "
            "coordinator so that your business can be registered."
        ),
        (back_to_menu(tr),),
    )


def stale_module(tr: Translator, marks: Sequence[ModuleMark]) -> Reply:
    """An old button for a module or step that is gone: the list again."""
    return menu(
        tr,
        marks,
        notice=tr.gettext("Sorry, that guidance page has changed. Please choose again.") + "\n",
    )
