"""Telegram's limits, honoured in one place: lengths, and what a send error means."""

from __future__ import annotations

import enum
import re

from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # 1024
MAX_TOAST = 200  # answerCallbackQuery text
# What a person may type in one go and we still store; Telegram itself caps at 4096.
MAX_INPUT_TEXT = 2000

_TAG = re.compile(r"<[^>]+>")


def visible_length(html_text: str) -> int:
    """Length of what the person sees (tags removed, entities counted as one)."""
    text = _TAG.sub("", html_text)
    return len(re.sub(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", "x", text))


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
                cut = line.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                blocks.append(line[:cut])
                line = line[cut:].lstrip()
            blocks.append(line)
    return blocks


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


def retry_after_seconds(error: TelegramError) -> float | None:
    if isinstance(error, RetryAfter):
        delay = error.retry_after
        return float(delay.total_seconds()) if hasattr(delay, "total_seconds") else float(delay)
    return None
