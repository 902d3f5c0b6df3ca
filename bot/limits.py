"""Telegram's limits, honoured in one place: lengths, and what a send error means."""

from __future__ import annotations

import enum
import re
from contextvars import ContextVar

import aiohttp
import httpx
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # 1024
MAX_TOAST = 200  # answerCallbackQuery text
# What a person may type in one go and we still store; Telegram itself caps at 4096.
MAX_INPUT_TEXT = 2000

_TAG = re.compile(r"<[^>]+>")


_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def visible_length(html_text: str) -> int:
    """Length of what the person sees, as Telegram counts it: UTF-16 code units.

    Tags are removed and an entity counts as one (an emoji outside the BMP counts two).
    """
    text = _ENTITY.sub("x", _TAG.sub("", html_text))
    return len(text.encode("utf-16-le")) // 2


def split_text(html_text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on blank lines (then lines) so no part passes the limit and no tag is cut."""
    if visible_length(html_text) <= limit:
        return [html_text]
    parts: list[str] = []
    current = ""
    for block in _blocks(html_text, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if visible_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _blocks(html_text: str, limit: int) -> list[str]:
    blocks: list[str] = []
    for paragraph in html_text.split("\n\n"):
        if visible_length(paragraph) <= limit:
            blocks.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            while visible_length(line) > limit:  # a single huge line: cut on a space
                cut = _cut(line, limit)
                blocks.append(line[:cut])
                line = line[cut:].lstrip()
            blocks.append(line)
    return blocks


def _cut(line: str, limit: int) -> int:
    """Where to cut a line too long: the last space of the longest prefix that fits.

    Never inside a tag or an entity; without a space, at the longest prefix that fits.
    """
    low, high = 1, len(line)  # the longest prefix of at most `limit` visible units
    while low < high:
        middle = (low + high + 1) // 2
        if visible_length(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    fits = low
    for mark, close in (("<", ">"), ("&", ";")):
        opened = line.rfind(mark, 0, fits)
        if opened > line.rfind(close, 0, fits):
            fits = max(opened, 1)  # do not split `<b>` or `&amp;`
    space = line.rfind(" ", 0, fits)
    return space if space > 0 else fits


class Lane(enum.StrEnum):
    """Whose send it is, for the bot's one rate limiter (bot/dispatcher/pacing.py)."""

    BACKGROUND = "background"  # the outbox: waits its turn and leaves room for replies
    PAID = "paid"  # the outbox, with allow_paid_broadcast


# Set by the dispatcher around its sends; None (a reply to a person) goes first.
SENDING_LANE: ContextVar[Lane | None] = ContextVar("sending_lane", default=None)


class SendOutcome(enum.StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot or the chat is gone
    RETRY = "retry"  # 429, 5xx, timeouts: try again later
    NOT_MODIFIED = "not_modified"  # an edit that changed nothing: harmless
    REJECTED = "rejected"  # 400: the request itself is wrong; retrying will not help


def classify(error: TelegramError) -> SendOutcome:
    """What a failed send means for the row or the person, from the typed error alone."""
    if isinstance(error, Forbidden):
        return SendOutcome.BLOCKED
    if isinstance(error, RetryAfter | TimedOut):
        return SendOutcome.RETRY
    if isinstance(error, BadRequest):
        if "not modified" in error.message.lower():
            return SendOutcome.NOT_MODIFIED
        if "chat not found" in error.message.lower():
            return SendOutcome.BLOCKED
        return SendOutcome.REJECTED
    if isinstance(error, NetworkError):  # includes 5xx answers
        return SendOutcome.RETRY
    return SendOutcome.REJECTED


# Transport errors raised after the request went out: Telegram may have acted on it. httpx
# (PTB's default) and aiohttp (bot/transport.py); a connection closed under a request counts.
_AFTER_SENDING = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
    aiohttp.SocketTimeoutError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientResponseError,
    aiohttp.ClientOSError,
)
# ... except these, which fail before anything is written.
_BEFORE_SENDING = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def may_have_arrived(error: TelegramError) -> bool:
    """The request went out and no answer came: Telegram may have delivered it."""
    cause = error.__cause__
    return isinstance(cause, _AFTER_SENDING) and not isinstance(cause, _BEFORE_SENDING)


def certainly_not_sent(error: TelegramError) -> bool:
    """A 5xx answer or no connection: nothing was delivered, trying again is safe."""
    if isinstance(error, BadRequest) or not isinstance(error, NetworkError):
        return False
    return not may_have_arrived(error)


def retry_after_seconds(error: TelegramError) -> float | None:
    if isinstance(error, RetryAfter):
        delay = error.retry_after
        return float(delay.total_seconds()) if hasattr(delay, "total_seconds") else float(delay)
    return None
