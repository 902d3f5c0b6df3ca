"""Limits Telegram states only in prose (core.telegram.org/bots/api), checked per call."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.localapi.errors import ApiError, BadRequest
from bot.localapi.formatting import parse_message_text

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


def is_valid_start_parameter(value: str) -> bool:
    """Whether a deep-link start parameter is one Telegram would pass on."""
    return START_PARAMETER_RE.fullmatch(value) is not None


def check_limits(method: str, params: Mapping[str, Any]) -> None:
    """Text and caption lengths, toasts, keyboards and commands of one checked call."""
    text_field = _TEXT_FIELDS.get(method)
    if text_field and text_field in params:
        parsed = parse_message_text(params[text_field], params.get("parse_mode"))
        if not parsed.text.strip():
            raise BadRequest("message text is empty")
        if len(parsed.text) > MAX_TEXT_LENGTH:
            raise BadRequest("message is too long")
    media = params.get("media")  # editMessageMedia: the caption is inside the InputMedia
    for holder in (params, media if isinstance(media, dict) else {}):
        if isinstance(holder.get(_CAPTION_METHODS_FIELD), str):
            parsed = parse_message_text(holder["caption"], holder.get("parse_mode"))
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


# Methods that put a message in a chat (or change one): what Telegram's send rates count.
_COUNTED_PREFIXES = ("send", "edit", "copy", "forward")


@dataclass
class SendRates:
    """Telegram's broadcast limits, enforced: in any window of `window` seconds at most `free`
    counted calls, and `paid` with allow_paid_broadcast. Over it, a 429 with retry_after."""

    free: int = 30
    paid: int = 1000
    window: float = 1.0
    retry_after: int = 1
    refused: int = 0  # 429s answered
    accepted: int = 0
    _free_times: deque[float] = field(default_factory=deque)
    _all_times: deque[float] = field(default_factory=deque)

    def check(self, method: str, params: Mapping[str, Any], now: float) -> None:
        """Count a call at `now` (the loop's clock); ApiError 429 when it is one too many."""
        if "chat_id" not in params or not method.startswith(_COUNTED_PREFIXES):
            return
        paid = bool(params.get("allow_paid_broadcast"))
        for times in (self._free_times, self._all_times):
            while times and times[0] <= now - self.window:
                times.popleft()
        if len(self._all_times) >= self.paid or (not paid and len(self._free_times) >= self.free):
            self.refused += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        self.accepted += 1
        self._all_times.append(now)
        if not paid:
            self._free_times.append(now)
