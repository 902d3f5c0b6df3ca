"""Telegram's HTML, as a broadcast typed on the desk must be: checked tag by tag, made canonical.

In the chat the HTML comes from Telegram itself (the entities of the coordinator's message);
on the desk the coordinator types it, so it is checked here with the rules of the Bot API's
"HTML style" and stored in one canonical form (the tags Telegram itself writes, every `<`,
`>` and `&` of the text escaped), which is what each recipient is sent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.i18n import N_
from bot.services.errors import Invalid

# A text message's limit in UTF-16 code units (telegram.constants.MessageLimit.MAX_TEXT_LENGTH).
MAX_LENGTH = 4096
# Synonyms Telegram accepts, written as Telegram itself writes them.
SAME_AS = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s"}
SIMPLE = frozenset({"b", "i", "u", "s", "tg-spoiler", "code", "pre", "blockquote"})
# No formatting inside these (except a <code class="language-x"> directly in <pre>).
VERBATIM = frozenset({"code", "pre"})
LINK = re.compile(r"^(https?://[^\s\"<>]+|tg://user\?id=\d+)$")
LANGUAGE = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,32}$")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR = re.compile(
    r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")

ALLOWED = "<b>, <i>, <u>, <s>, <tg-spoiler>, <a href>, <code>, <pre>, <blockquote>"


class BadText(Invalid):
    """Text Telegram would refuse, or that is empty or too long."""


@dataclass(frozen=True)
class Tag:
    """A tag as Telegram writes it, with its attributes and what it holds."""

    name: str
    attrs: tuple[tuple[str, str | None], ...]
    children: tuple[Node, ...]


Node = str | Tag


@dataclass
class _Open:
    name: str
    attrs: tuple[tuple[str, str | None], ...]
    children: list[Node]


def parse(text: str) -> tuple[Node, ...]:
    """The text's tree; BadText says, in words a coordinator follows, what Telegram refuses."""
    stack = [_Open("", (), [])]
    at = 0
    while at < len(text):
        start = text.find("<", at)
        if start < 0:
            start = len(text)
        if start > at:
            stack[-1].children.append(_unescape(text[at:start]))
        if start == len(text):
            break
        found = _TAG.match(text, start)
        if found is None:  # "< 5", "a<b": a lone sign, kept as text
            stack[-1].children.append("<")
            at = start + 1
            continue
        closing, raw_name, raw_attrs, self_closing = found.groups()
        name = SAME_AS.get(raw_name.lower(), raw_name.lower())
        if closing:
            _close(stack, name, raw_name)
        else:
            if self_closing:
                raise BadText(
                    N_("<{tag}/> is not Telegram formatting; start a new line with Enter."),
                    tag=raw_name,
                )
            _open(stack, name, raw_name, _attributes(raw_attrs))
        at = found.end()
    if len(stack) > 1:
        raise BadText(N_("<{tag}> is opened but never closed."), tag=stack[-1].name)
    nodes = tuple(stack[0].children)
    length = visible_length(nodes)
    if not plain_text(nodes).strip():
        raise BadText(N_("the message is empty."))
    if length > MAX_LENGTH:
        raise BadText(
            N_("the message is too long: {length} characters, at most {limit}."),
            length=length,
            limit=MAX_LENGTH,
        )
    return nodes


def _unescape(raw: str) -> str:
    """Entities Telegram reads become characters; an `&` that starts none stays itself."""
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), raw)


def _attributes(raw: str) -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for match in _ATTR.finditer(raw):
        name, double, single, bare = match.groups()
        value = next((v for v in (double, single, bare) if v is not None), None)
        found.append((name.lower(), _unescape(value) if value is not None else None))
    return tuple(found)


def _open(
    stack: list[_Open], name: str, raw_name: str, attrs: tuple[tuple[str, str | None], ...]
) -> None:
    parent = stack[-1].name
    if parent in VERBATIM and not (parent == "pre" and name == "code"):
        raise BadText(
            N_("<{outer}> shows text as it is: it cannot hold <{tag}>."),
            outer=parent,
            tag=raw_name,
        )
    if name == "span" and attrs == (("class", "tg-spoiler"),):
        name, attrs = "tg-spoiler", ()
    if name == "a":
        href = dict(attrs).get("href")
        if [n for n, _ in attrs] != ["href"] or href is None or not LINK.match(href):
            raise BadText(N_('a link is written <a href="https://...">text</a>.'))
        if any(o.name == "a" for o in stack):
            raise BadText(N_("a link cannot hold another link."))
    elif name == "code" and parent == "pre" and attrs:
        language = dict(attrs).get("class") or ""
        if len(attrs) != 1 or not LANGUAGE.match(language):
            raise BadText(N_('code in <pre> takes only class="language-..."'))
    elif name == "blockquote":
        if any(o.name == "blockquote" for o in stack):
            raise BadText(N_("a quotation cannot hold another quotation."))
        if attrs not in ((), (("expandable", None),)):
            raise BadText(N_("<{tag}> takes no attributes here."), tag=raw_name)
    elif name in SIMPLE:
        if attrs:
            raise BadText(N_("<{tag}> takes no attributes here."), tag=raw_name)
    else:
        raise BadText(
            N_("<{tag}> is not Telegram formatting (allowed: {allowed})."),
            tag=raw_name,
            allowed=ALLOWED,
        )
    stack.append(_Open(name, attrs, []))


def _close(stack: list[_Open], name: str, raw_name: str) -> None:
    if name == "span" and stack[-1].name == "tg-spoiler":
        name = "tg-spoiler"
    if len(stack) == 1 or not any(o.name == name for o in stack[1:]):
        raise BadText(N_("</{tag}> closes something never opened."), tag=raw_name)
    if stack[-1].name != name:
        raise BadText(
            N_("</{tag}> comes before </{inner}>: close the inner one first."),
            tag=raw_name,
            inner=stack[-1].name,
        )
    done = stack.pop()
    stack[-1].children.append(Tag(done.name, done.attrs, tuple(done.children)))


def plain_text(nodes: tuple[Node, ...]) -> str:
    """What the reader sees, without formatting."""
    return "".join(n if isinstance(n, str) else plain_text(n.children) for n in nodes)


def visible_length(nodes: tuple[Node, ...]) -> int:
    """As Telegram counts: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(plain_text(nodes).encode("utf-16-le")) // 2


def telegram_html(nodes: tuple[Node, ...]) -> str:
    """The canonical HTML sent to recipients: Telegram's tags, the text escaped."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(html.escape(node, quote=False))
            continue
        attrs = "".join(
            f' {k}="{html.escape(v)}"' if v is not None else f" {k}" for k, v in node.attrs
        )
        parts.append(f"<{node.name}{attrs}>{telegram_html(node.children)}</{node.name}>")
    return "".join(parts)


def check(text: str) -> str:
    """The text in canonical form, or BadText."""
    return telegram_html(parse(text))
