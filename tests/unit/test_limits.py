"""Telegram's limits: long texts are split on paragraphs, send errors mean the right thing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.limits import MAX_TEXT, SendOutcome, classify, split_text, visible_length


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
