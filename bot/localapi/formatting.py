"""Message text as Telegram stores it: its HTML subset, entities, UTF-16 offsets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.localapi.errors import BadRequest


@dataclass
class ParsedText:
    """Visible text with Telegram entities, and a whitelisted tree for rendering."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    tree: list[Any] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
_ATTR_RE = re.compile(
    r"""\s*([A-Za-z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""", re.S
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,6});")


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    start: int  # utf-16 offset in visible text
    node: dict[str, Any]


def _decode_entity(raw: str, i: int) -> tuple[str, int] | None:
    """Decode an HTML entity at raw[i] == '&'; None keeps the '&' as text, like Telegram."""
    m = _ENTITY_RE.match(raw, i)
    if not m:
        return None
    body = m.group(1)
    if body.startswith("#"):
        try:
            code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
            return chr(code), m.end()
        except (ValueError, OverflowError):
            return None
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], m.end()
    return None


def parse_html(raw: str) -> ParsedText:
    """Parse Telegram's HTML subset; raise BadRequest worded as Telegram does."""

    def offset(i: int) -> int:
        return len(raw[:i].encode("utf-8"))

    out: list[str] = []
    out_len = 0
    root: list[Any] = []
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []

    def children() -> list[Any]:
        kids: list[Any] = stack[-1].node["children"] if stack else root
        return kids

    def add_text(piece: str) -> None:
        nonlocal out_len
        out.append(piece)
        out_len += utf16_len(piece)
        kids = children()
        if kids and isinstance(kids[-1], str):
            kids[-1] += piece
        else:
            kids.append(piece)

    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "&":
            dec = _decode_entity(raw, i)
            if dec is None:
                add_text("&")
                i += 1
            else:
                add_text(dec[0])
                i = dec[1]
            continue
        if ch != "<":
            j = i
            while j < n and raw[j] not in "<&":
                j += 1
            add_text(raw[i:j])
            i = j
            continue
        begin = i
        if i + 1 < n and raw[i + 1] == "/":
            m = _TAG_NAME_RE.match(raw, i + 2)
            assert m is not None
            name = m.group(0).lower()
            j = m.end()
            while j < n and raw[j].isspace():
                j += 1
            if j >= n or raw[j] != ">":
                raise BadRequest(
                    f"can't parse entities: Unclosed end tag at byte offset {offset(begin)}"
                )
            if not stack:
                raise BadRequest(
                    f"can't parse entities: Unexpected end tag at byte offset {offset(begin)}"
                )
            top = stack[-1]
            if name != top.tag:
                raise BadRequest(
                    f"can't parse entities: Unmatched end tag at byte offset {offset(begin)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            stack.pop()
            entity = _entity_for(top, out_len)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        m = _TAG_NAME_RE.match(raw, i + 1)
        assert m is not None
        name = m.group(0).lower()
        if name not in _ALL_TAGS:
            raise BadRequest(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                f"{offset(begin)}"
            )
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and raw[j].isspace():
                j += 1
            if j >= n:
                raise BadRequest(
                    f"can't parse entities: Unclosed start tag at byte offset {offset(begin)}"
                )
            if raw[j] == ">":
                break
            am = _ATTR_RE.match(raw, j)
            if not am or am.end() == j:
                raise BadRequest(
                    f"can't parse entities: Unclosed start tag at byte offset {offset(begin)}"
                )
            value = am.group(2) if am.group(2) is not None else am.group(3)
            if value is None:
                value = am.group(4) or ""
            attrs[am.group(1).lower()] = _unescape_attr(value)
            j = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise BadRequest('can\'t parse entities: Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise BadRequest(
                'can\'t parse entities: Tag "tg-emoji" must have attribute "emoji-id"'
            )
        if name == "blockquote" and any(o.tag == "blockquote" for o in stack):
            raise BadRequest("can't parse entities: Blockquote entities can't be nested")
        node: dict[str, Any] = {"tag": _render_tag(name, attrs), "children": []}
        if name == "a":
            node["href"] = attrs.get("href", "")
        if name == "blockquote" and "expandable" in attrs:
            node["expandable"] = True
        if name == "code" and stack and stack[-1].tag == "pre" and "class" in attrs:
            node["language"] = attrs["class"].removeprefix("language-")
        children().append(node)
        stack.append(_Open(name, attrs, out_len, node))
        i = j + 1
    if stack:
        raise BadRequest(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].tag}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities, root)


def _unescape_attr(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            dec = _decode_entity(value, i)
            if dec is not None:
                out.append(dec[0])
                i = dec[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def _render_tag(name: str, attrs: Mapping[str, str]) -> str:
    """The tag the web chat draws for a Telegram tag (a small fixed set)."""
    return {
        "strong": "b",
        "em": "i",
        "ins": "u",
        "strike": "s",
        "del": "s",
        "span": "tg-spoiler",
    }.get(name, name)


def _entity_for(top: _Open, end: int) -> dict[str, Any] | None:
    length = end - top.start
    if length <= 0:
        return None
    entity: dict[str, Any] = {"offset": top.start, "length": length}
    if top.tag in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[top.tag]
    elif top.tag == "span":
        entity["type"] = "spoiler"
    elif top.tag == "a":
        href = top.attrs.get("href", "")
        if not href:
            return None
        entity["type"] = "text_link"
        entity["url"] = href
    elif top.tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in top.attrs else "blockquote"
    elif top.tag == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = top.attrs["emoji-id"]
    else:
        return None
    return entity


def plain_tree(text: str) -> list[Any]:
    """A render tree holding plain text only."""
    return [text] if text else []


def parse_message_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Visible text and entities of a text or caption as Telegram would store it."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    if parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise BadRequest(f"unsupported parse_mode {parse_mode}")
    return ParsedText(text, list(entities or []), plain_tree(text))
