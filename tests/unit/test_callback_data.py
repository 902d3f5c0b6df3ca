"""Typed callback data: what we pack comes back typed, what we did not make is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_CALLBACK_BYTES, CallbackData, CallbackDataError


class Colour(StrEnum):
    RED = "r"
    GREEN = "g"


@dataclass(frozen=True)
class Sample(CallbackData, prefix="zz"):
    colour: Colour
    run: int
    item: str | None = None
    done: bool = False


safe_text = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
    min_size=1,
    max_size=20,
)
samples = st.builds(
    Sample,
    colour=st.sampled_from(Colour),
    run=st.integers(min_value=0, max_value=10**12),
    item=st.none() | safe_text,
    done=st.booleans(),
)


@given(samples)
def test_pack_then_unpack_gives_the_same_typed_value(sample: Sample) -> None:
    data = sample.pack()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    back = Sample.unpack(data)
    assert back == sample
    assert isinstance(back.run, int)
    assert back.colour is sample.colour


@given(st.text(max_size=80))
def test_anything_else_is_refused_or_is_a_value_we_could_have_made(data: str) -> None:
    """Fuzz: unpack never crashes; whatever it accepts packs back to the same bytes."""
    try:
        value = Sample.unpack(data)
    except CallbackDataError:
        return
    assert value.pack() == data


@pytest.mark.parametrize(
    "forged",
    [
        "",
        None,
        "zz",
        "zz:r:1",
        "zz:r:1::0:extra",
        "yy:r:1::0",
        "zz:x:1::0",  # not a colour
        "zz:r:one::0",  # not a number
        "zz:r:1:<b>:0",  # not a safe value
        "zz:r:1::2",  # not a flag
        "zz:r:01::0",  # not the one way we pack 1
        "zz:r:-1::0",  # ids and pages are never negative
        "zz:r:" + "9" * 30 + "::0",  # a number too long to be an id
    ],
)
def test_unpack_refuses_what_we_did_not_make(forged: str | None) -> None:
    with pytest.raises(CallbackDataError):
        Sample.unpack(forged)


def test_pack_refuses_more_than_64_bytes_and_unsafe_values() -> None:
    with pytest.raises(CallbackDataError):
        Sample(Colour.RED, 1, "x" * 70).pack()
    with pytest.raises(CallbackDataError):
        Sample(Colour.RED, 1, "a:b").pack()


def test_a_prefix_must_be_short_lowercase_letters() -> None:
    with pytest.raises(ValueError, match="1-4 lowercase"):

        @dataclass(frozen=True)
        class Bad(CallbackData, prefix="Bad:"):
            n: int


def test_patterns_are_anchored() -> None:
    assert re.match(Sample.pattern(), "zz:r:1::0")
    assert not re.match(Sample.pattern(), "zzz:r:1::0")
    assert not re.match(Sample.pattern(), "azz:r:1::0")
