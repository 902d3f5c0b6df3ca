"""The callback codec: what we pack comes back, what we did not make is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_CALLBACK_BYTES, CallbackDataError, Route, route

SAMPLE = Route("zz", ("item", "value"))
safe_text = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
    min_size=0,
    max_size=20,
)


@given(safe_text, safe_text)
def test_pack_then_unpack_gives_the_values_back(item: str, value: str) -> None:
    data = SAMPLE.pack(item, value)
    assert SAMPLE.unpack(data) == {"item": item, "value": value}
    assert len(data.encode()) <= MAX_CALLBACK_BYTES


def test_pack_refuses_more_than_64_bytes() -> None:
    with pytest.raises(CallbackDataError):
        SAMPLE.pack("x" * 40, "y" * 30)


@pytest.mark.parametrize(
    "forged",
    ["", "zz", "zz:1", "zz:1:2:3", "yy:1:2", "zz:1:<script>", "zz:a b:c", None],
)
def test_unpack_refuses_what_we_did_not_make(forged: str | None) -> None:
    with pytest.raises(CallbackDataError):
        SAMPLE.unpack(forged)


def test_values_with_separators_are_refused_when_packing() -> None:
    with pytest.raises(CallbackDataError):
        SAMPLE.pack("a:b", "c")


def test_unpack_int_refuses_non_numbers() -> None:
    numbered = Route("zn", ("id",))
    assert numbered.unpack_int("zn:42", "id") == 42
    with pytest.raises(CallbackDataError):
        numbered.unpack_int("zn:4x", "id")


def test_a_prefix_can_be_registered_once() -> None:
    route("zq")
    with pytest.raises(ValueError, match="already registered"):
        route("zq")


def test_patterns_are_anchored() -> None:
    import re

    assert re.match(SAMPLE.pattern, "zz:1:2")
    assert not re.match(SAMPLE.pattern, "zzz:1:2")
    assert not re.match(SAMPLE.pattern, "azz:1:2")
