"""Checks a Bot API call the way Telegram would: method, parameters, types, limits, HTML."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Limits Telegram states only in prose (core.telegram.org/bots/api).
MAX_TEXT_LENGTH = 4096  # sendMessage/editMessageText text, after entity parsing
MIN_TEXT_LENGTH = 1
MAX_CAPTION_LENGTH = 1024  # media captions, after entity parsing
MIN_CALLBACK_DATA_BYTES = 1
MAX_CALLBACK_DATA_BYTES = 64  # InlineKeyboardButton.callback_data, UTF-8 bytes
MAX_CALLBACK_ANSWER_LENGTH = 200  # answerCallbackQuery text
MAX_START_PARAMETER_LENGTH = 64  # deep-link ?start=
START_PARAMETER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_COMMAND_LENGTH = 32  # BotCommand.command
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMAND_DESCRIPTION_LENGTH = 256  # BotCommand.description

SPEC_PATH = Path(__file__).parent / "bot-api.json"

# Fields whose value is message text or a caption, by method.
_TEXT_FIELDS = {"sendMessage": "text", "editMessageText": "text"}
_CAPTION_METHODS_FIELD = "caption"
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class ApiError(Exception):
    """An error answer of the Bot API: error_code, description, optional parameters."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class BadRequest(ApiError):
    """A 400 answer; the text after "Bad Request: " is given."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


@dataclass
class ParsedText:
    """Visible text with Telegram entities, and a whitelisted tree for rendering."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    tree: list[Any] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def is_valid_start_parameter(value: str) -> bool:
    """Whether a deep-link start parameter is one Telegram would pass on."""
    return START_PARAMETER_RE.fullmatch(value) is not None


# ---------------------------------------------------------------------------------------------
# Telegram's HTML subset

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


# ---------------------------------------------------------------------------------------------
# The method/type description


class Spec:
    """The Bot API description (methods, parameters, types) with a call validator."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Index the description by method name (Telegram matches names case-insensitively)."""
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, Any] = dict(data["methods"])
        self.types: dict[str, Any] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}

    def method_name(self, name: str) -> str | None:
        """The canonical name of a method, or None when it does not exist."""
        return self._by_lower.get(name.lower())

    def returns(self, method: str) -> list[str]:
        """The declared return types of a method."""
        return list(self.methods[method].get("returns", []))

    def validate(
        self, method: str, params: Mapping[str, Any], uploads: Mapping[str, Upload]
    ) -> dict[str, Any]:
        """Check and coerce one call's parameters; raise BadRequest on the first problem."""
        spec = self.methods[method]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for name in params:
            if name not in fields:
                raise BadRequest(f'unknown parameter "{name}" for method {method}')
        out: dict[str, Any] = {}
        for name, fdef in fields.items():
            if name not in params or params[name] is None:
                if fdef.get("required"):
                    if name == "text":
                        raise BadRequest("message text is empty")
                    raise BadRequest(f"{name} is empty")
                continue
            out[name] = self._coerce_param(name, fdef["types"], params[name], uploads)
        self._check_limits(method, out)
        return out

    # -- types ------------------------------------------------------------------------------

    def _coerce_param(
        self, path: str, types: list[str], value: Any, uploads: Mapping[str, Upload]
    ) -> Any:
        errors: list[str] = []
        for tname in types:
            try:
                return self._coerce(path, tname, value, uploads, top=True)
            except BadRequest as exc:
                errors.append(exc.description.removeprefix("Bad Request: "))
        if len(types) == 1:
            raise BadRequest(errors[0])
        raise BadRequest(f"{path}: expected {' or '.join(types)} ({errors[0]})")

    def _coerce(
        self, path: str, tname: str, value: Any, uploads: Mapping[str, Upload], *, top: bool
    ) -> Any:
        if tname.startswith("Array of "):
            inner = tname.removeprefix("Array of ")
            if isinstance(value, str):
                value = _json_or_fail(path, value, tname)
            if not isinstance(value, list):
                raise BadRequest(f"{path}: expected {tname}")
            return [
                self._coerce(f"{path}[{k}]", inner, item, uploads, top=False)
                for k, item in enumerate(value)
            ]
        if tname == "Integer":
            if isinstance(value, bool):
                raise BadRequest(f"{path}: expected Integer")
            if isinstance(value, int):
                return value
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value.strip()):
                return int(value)
            raise BadRequest(f"{path}: expected Integer")
        if tname == "Float":
            if isinstance(value, bool):
                raise BadRequest(f"{path}: expected Float")
            if isinstance(value, int | float):
                return float(value)
            try:
                return float(str(value))
            except ValueError:
                raise BadRequest(f"{path}: expected Float") from None
        if tname == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
                return value.lower() in ("true", "1")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise BadRequest(f"{path}: expected Boolean")
        if tname == "String":
            if isinstance(value, str):
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            raise BadRequest(f"{path}: expected String")
        if tname == "InputFile":
            if isinstance(value, Upload):
                return value
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name in uploads:
                    return uploads[name]
            raise BadRequest(f"{path}: expected an uploaded file")
        tdef = self.types.get(tname)
        if tdef is None:
            raise BadRequest(f"{path}: unsupported type {tname}")
        if top and isinstance(value, str):
            value = _json_or_fail(path, value, tname)
        if tdef.get("subtypes"):
            errors: list[str] = []
            for sub in tdef["subtypes"]:
                try:
                    return self._coerce(path, sub, value, uploads, top=False)
                except BadRequest as exc:
                    errors.append(exc.description.removeprefix("Bad Request: "))
            raise BadRequest(f"{path}: no kind of {tname} fits ({errors[0]})")
        if not isinstance(value, dict):
            raise BadRequest(f"{path}: expected a JSON object {tname}")
        fields = {f["name"]: f for f in tdef.get("fields", [])}
        for key in value:
            if key not in fields:
                raise BadRequest(f'{path}: unknown field "{key}" in {tname}')
        out: dict[str, Any] = {}
        for key, fdef in fields.items():
            if key not in value or value[key] is None:
                if fdef.get("required"):
                    raise BadRequest(f'{path}: field "{key}" of {tname} is required')
                continue
            sub_errors: list[str] = []
            for sub_t in fdef["types"]:
                try:
                    out[key] = self._coerce(f"{path}.{key}", sub_t, value[key], uploads, top=False)
                    break
                except BadRequest as exc:
                    sub_errors.append(exc.description.removeprefix("Bad Request: "))
            else:
                raise BadRequest(sub_errors[0])
        _check_discriminator(path, tname, fdef_list=tdef.get("fields", []), value=out)
        return out

    # -- limits -----------------------------------------------------------------------------

    def _check_limits(self, method: str, params: dict[str, Any]) -> None:
        text_field = _TEXT_FIELDS.get(method)
        if text_field and text_field in params:
            parsed = parse_message_text(params[text_field], params.get("parse_mode"))
            if not parsed.text.strip():
                raise BadRequest("message text is empty")
            if len(parsed.text) > MAX_TEXT_LENGTH:
                raise BadRequest("message is too long")
        if _CAPTION_METHODS_FIELD in params and isinstance(params["caption"], str):
            parsed = parse_message_text(params["caption"], params.get("parse_mode"))
            if len(parsed.text) > MAX_CAPTION_LENGTH:
                raise BadRequest("message caption is too long")
        if method == "answerCallbackQuery":
            toast = params.get("text", "")
            if len(toast) > MAX_CALLBACK_ANSWER_LENGTH:
                raise BadRequest("MESSAGE_TOO_LONG")
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            check_inline_keyboard(markup)
        if method == "setMyCommands":
            for cmd in params.get("commands", []):
                if not COMMAND_RE.fullmatch(cmd.get("command", "")):
                    raise BadRequest("BOT_COMMAND_INVALID")
                desc = cmd.get("description", "")
                if not 1 <= len(desc) <= MAX_COMMAND_DESCRIPTION_LENGTH:
                    raise BadRequest("BOT_COMMAND_DESCRIPTION_INVALID")


def _check_discriminator(
    path: str, tname: str, *, fdef_list: list[dict[str, Any]], value: dict[str, Any]
) -> None:
    """Subtypes such as BotCommandScopeChat say their `type` in prose: 'must be chat'."""
    for fdef in fdef_list:
        if fdef["name"] != "type":
            continue
        m = re.search(r"(?:must be|always) [“\"]?([a-z_]+)[”\"]?", str(fdef.get("description")))
        if m and value.get("type") != m.group(1):
            raise BadRequest(f"{path}: {tname} needs type {m.group(1)}")


def check_inline_keyboard(markup: Mapping[str, Any]) -> None:
    """Each button: non-empty text, one action, callback_data of 1–64 UTF-8 bytes."""
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise BadRequest("BUTTON_TEXT_INVALID")
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if not actions:
                raise BadRequest("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not MIN_CALLBACK_DATA_BYTES <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise BadRequest("BUTTON_DATA_INVALID")


def parse_message_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Visible text and entities of a text or caption as Telegram would store it."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    if parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise BadRequest(f"unsupported parse_mode {parse_mode}")
    return ParsedText(text, list(entities or []), plain_tree(text))


def _json_or_fail(path: str, value: str, tname: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise BadRequest(f"{path}: can't parse {tname} JSON object") from None


@functools.cache
def load_spec() -> Spec:
    """The packaged bot-api.json, read once."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return Spec(json.load(fh))
