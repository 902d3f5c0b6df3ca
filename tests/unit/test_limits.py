"""Telegram's limits: long texts are split on paragraphs, send errors mean the right thing."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.limits import (
    MAX_TEXT,
    SendOutcome,
    certainly_not_sent,
    classify,
    may_have_arrived,
    split_text,
    visible_length,
)


def _caused(error: TelegramError, cause: Exception) -> TelegramError:
    """An error as python-telegram-bot (or bot/transport.py) raises it from the transport's."""
    error.__cause__ = cause
    return error


def test_short_text_is_one_part() -> None:
    assert split_text("<b>Halo</b>") == ["<b>Halo</b>"]


def test_long_text_splits_on_paragraphs_within_the_limit() -> None:
    paragraph = "<b>Langkah</b> " + "kata " * 150
    text = "\n\n".join([paragraph] * 12)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(visible_length(p) <= MAX_TEXT for p in parts)
    assert "\n\n".join(parts) == text  # nothing lost, no tag cut


def test_one_huge_line_is_cut_on_spaces() -> None:
    text = "a " * 5000
    parts = split_text(text)
    assert all(visible_length(p) <= MAX_TEXT for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_visible_length_counts_entities_once() -> None:
    assert visible_length("<i>a &amp; b</i>") == len("a & b")


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), SendOutcome.BLOCKED),
        (BadRequest("Bad Request: chat not found"), SendOutcome.BLOCKED),
        (RetryAfter(timedelta(seconds=3)), SendOutcome.RETRY),
        (TimedOut(), SendOutcome.RETRY),
        (NetworkError("Internal Server Error"), SendOutcome.RETRY),
        (BadRequest("Bad Request: message is not modified"), SendOutcome.NOT_MODIFIED),
        (BadRequest("Bad Request: can't parse entities"), SendOutcome.REJECTED),
    ],
)
def test_send_errors_are_classified_by_type(error: Exception, outcome: SendOutcome) -> None:
    assert classify(error) is outcome  # type: ignore[arg-type]  # all are TelegramError


def test_visible_length_counts_utf16_units_as_telegram_does() -> None:
    assert visible_length("😀") == 2  # outside the BMP: a surrogate pair
    assert visible_length("<b>é</b>") == 1


def test_emoji_text_splits_within_the_limit_in_utf16_units() -> None:
    text = "😀 " * 3000  # 6000 characters, 9000 UTF-16 units
    parts = split_text(text)
    assert all(visible_length(p) <= MAX_TEXT for p in parts)
    assert len(parts) == 3
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_a_huge_line_is_never_cut_inside_a_tag_or_an_entity() -> None:
    text = "x" * (MAX_TEXT - 2) + "&amp;<b>yy</b>" + "z" * 50
    parts = split_text(text)
    assert all(visible_length(p) <= MAX_TEXT for p in parts)
    assert all(p.count("<") == p.count(">") for p in parts)
    assert all(p.count("&") == p.count(";") for p in parts)


@pytest.mark.parametrize(
    ("error", "not_sent", "maybe_arrived"),
    [
        (NetworkError("Internal Server Error"), True, False),
        (_caused(NetworkError("no connection"), httpx.ConnectError("refused")), True, False),
        (_caused(TimedOut(), httpx.ReadTimeout("late")), False, True),
        (_caused(TimedOut(), aiohttp.ConnectionTimeoutError("no connection free")), True, False),
        (_caused(TimedOut(), aiohttp.SocketTimeoutError("late")), False, True),
        (_caused(NetworkError("closed"), aiohttp.ServerDisconnectedError()), False, True),
        (RetryAfter(timedelta(seconds=3)), False, False),
        (BadRequest("Bad Request: can't parse entities"), False, False),
    ],
)
def test_whether_a_failed_send_may_have_arrived(
    error: TelegramError, not_sent: bool, maybe_arrived: bool
) -> None:
    assert certainly_not_sent(error) is not_sent
    assert may_have_arrived(error) is maybe_arrived
