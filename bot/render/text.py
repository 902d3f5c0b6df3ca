"""Telegram HTML built from parts that escape what is put into them.

`Html` is MarkupSafe's `Markup`: a string known to be safe HTML. Anything that is not `Html`
is escaped when it is combined with it, so a renderer cannot forget:

    tr.html("Hello <b>{name}</b>").format(name=person.name)   # the name is escaped
    Html("\\n").join([title, person.name])                    # so is every plain str here
    bold(business.name)                                         # <b>Tenun &amp; Co</b>

Catalog texts (`Translator.html`) and literals wrapped in `Html(...)` are trusted: they are
ours. `Reply` accepts only `Html`, so a plain string cannot reach Telegram as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup as Html
from markupsafe import escape

__all__ = ["Html", "bold", "code", "escape", "italic", "join", "lines", "link", "plain"]


def bold(value: object) -> Html:
    return Html("<b>{}</b>").format(value)


def italic(value: object) -> Html:
    return Html("<i>{}</i>").format(value)


def code(value: object) -> Html:
    return Html("<code>{}</code>").format(value)


def link(url: str, label: object) -> Html:
    return Html('<a href="{}">{}</a>').format(url, label)


def join(parts: Iterable[object], separator: str = "") -> Html:
    """Parts joined by a (trusted) separator; plain parts are escaped."""
    return Html(separator).join(escape(p) for p in parts)


def lines(*parts: object | None) -> Html:
    """Parts on lines of their own; None parts are left out, "" gives an empty line."""
    return join((p for p in parts if p is not None), "\n")


def plain(text: str) -> Html:
    """Untrusted text shown as it is (escaped)."""
    return escape(text)
