"""Callback data: typed buttons, packed as `<prefix>:<value>[:<value>...]` within 64 bytes.

Each feature declares its buttons as frozen dataclasses (aiogram's `CallbackData` is the
model):

    class ChecklistAction(StrEnum):
        PHOTO = "f"
        NOTE = "n"

    @dataclass(frozen=True)
    class ChecklistButton(CallbackData, prefix="ck"):
        action: ChecklistAction
        run: int
        item: str

    ChecklistButton(ChecklistAction.PHOTO, 7, "bahan-1").pack()  # "ck:f:7:bahan-1"
    ChecklistButton.unpack("ck:f:7:bahan-1")                      # the same object back

Fields may be `int` (0 or more), `str` (letters, digits and `_.-` only), `bool`, a `StrEnum`,
or any of these `| None` (packed as an empty value). A forged or stale button fails `unpack` with
`CallbackDataError` before any handler trusts it. Two features claiming one prefix are
refused when the routers are registered (`handlers.register`).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import fields, is_dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self

from telegram.constants import InlineKeyboardButtonLimit

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes, UTF-8
_SAFE = re.compile(r"^[A-Za-z0-9_.\-]*$")
_PREFIX = re.compile(r"^[a-z]{1,4}$")
_NUMBER = re.compile(r"^(0|[1-9][0-9]{0,17})$")


class CallbackDataError(ValueError):
    """Callback data that we did not make, or that no longer fits its shape."""


class CallbackData:
    """Base of typed callback data; subclasses are frozen dataclasses with a prefix."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _PREFIX.match(prefix):
            raise ValueError(f"callback prefix {prefix!r}: use 1-4 lowercase letters")
        cls.prefix = prefix

    @classmethod
    def pattern(cls) -> str:
        """An anchored regex for CallbackQueryHandler."""
        return rf"^{re.escape(cls.prefix)}(:|$)"

    def pack(self) -> str:
        parts = [self.prefix]
        for name, kind in _shape(type(self)):
            parts.append(_encode(self.prefix, name, kind, getattr(self, name)))
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise CallbackDataError(
                f"{self.prefix}: callback data over {MAX_CALLBACK_BYTES} bytes"
            )
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        """The typed value, or CallbackDataError when the data is not ours or malformed."""
        if not data:
            raise CallbackDataError("empty callback data")
        prefix, *values = data.split(":")
        shape = _shape(cls)
        if prefix != cls.prefix or len(values) != len(shape):
            raise CallbackDataError(f"not a {cls.prefix} button")
        decoded = {
            name: _decode(cls.prefix, name, kind, value)
            for (name, kind), value in zip(shape, values, strict=True)
        }
        return cls(**decoded)


# A field's type: the base type and whether it may be None.
_Kind = tuple[type, bool]


_Shape = tuple[tuple[str, _Kind], ...]
_SHAPES: dict[type, _Shape] = {}  # a cache of each class's fields, filled on first use


def _shape(cls: type) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        if not is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        hints = typing.get_type_hints(cls)
        shape = tuple(
            (field.name, _kind(cls.__name__, field.name, hints[field.name]))
            for field in fields(cls)
        )
        _SHAPES[cls] = shape
    return shape


def _kind(owner: str, name: str, hint: Any) -> _Kind:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"{owner}.{name}: only `X | None` unions are supported")
        hint, optional = args[0], True
    if hint in (int, str, bool) or (isinstance(hint, type) and issubclass(hint, StrEnum)):
        return hint, optional
    raise TypeError(f"{owner}.{name}: {hint!r} cannot be callback data")


def _encode(prefix: str, name: str, kind: _Kind, value: object) -> str:
    base, optional = kind
    if value is None:
        if not optional:
            raise CallbackDataError(f"{prefix}: {name} is required")
        return ""
    if base is bool:
        return "1" if value else "0"
    text = value.value if isinstance(value, StrEnum) else str(value)
    if not text and base is str:
        raise CallbackDataError(f"{prefix}: {name} is empty")
    if not _SAFE.match(text):
        raise CallbackDataError(f"{prefix}: unsafe value for {name}")
    return text


def _decode(prefix: str, name: str, kind: _Kind, text: str) -> object:
    base, optional = kind
    if text == "":
        if optional:
            return None
        raise CallbackDataError(f"{prefix}: {name} is missing")
    if not _SAFE.match(text):
        raise CallbackDataError(f"{prefix}: malformed {name}")
    if base is int:
        if not _NUMBER.match(text):  # canonical only: one packing per value
            raise CallbackDataError(f"{prefix}: {name} is not a number")
        return int(text)
    if base is bool:
        if text not in {"0", "1"}:
            raise CallbackDataError(f"{prefix}: {name} is not a flag")
        return text == "1"
    if base is str:
        return text
    try:
        return base(text)
    except ValueError:
        raise CallbackDataError(f"{prefix}: unknown {name}") from None
