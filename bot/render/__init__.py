"""What the bot says: replies as data (text + buttons), built by per-feature renderers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.render.text import Html


@dataclass(frozen=True)
class Button:
    """One inline button: callback data from the codec, a URL, or a Mini App to open."""

    label: str
    data: str | None = None
    url: str | None = None
    web_app: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The button as the Bot API takes it (InlineKeyboardButton)."""
        if self.url is not None:
            return {"text": self.label, "url": self.url}
        if self.web_app is not None:
            return {"text": self.label, "web_app": {"url": self.web_app}}
        return {"text": self.label, "callback_data": self.data}


@dataclass(frozen=True)
class Attachment:
    """A photo or document sent with the reply; the text becomes its caption.

    Slow files (charts) give `make` instead of `data`: it runs when the reply is sent,
    after the transaction has closed, so no database connection waits on the drawing.
    A file Telegram already holds (a broadcast's photo) gives its `file_id` instead.
    """

    data: bytes
    filename: str
    is_photo: bool = True
    make: Callable[[], Awaitable[bytes]] | None = None
    file_id: str | None = None

    async def content(self) -> bytes | str:
        if self.file_id is not None:
            return self.file_id
        return await self.make() if self.make is not None else self.data


@dataclass(frozen=True)
class Voice:
    """A voice message relayed as it was recorded: Telegram's file id and its length."""

    file_id: str
    seconds: int


@dataclass(frozen=True)
class Reply:
    """A message to show: HTML text, rows of buttons, maybe a file.

    The text must be `Html` (bot/render/text.py): a plain string is refused, so nothing
    unescaped reaches Telegram as HTML.
    """

    text: Html
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    extra: tuple[Reply, ...] = field(default=())
    voice: Voice | None = None  # the text becomes its caption
    # Sent with allow_paid_broadcast: past the free 30 a second, 0.1 Telegram Star each.
    paid: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.text, Html):
            raise TypeError(f"Reply text must be Html, not {type(self.text).__name__}")
        if self.voice is not None and self.attachment is not None:
            raise ValueError("a reply carries a file or a voice message, not both")

    def keyboard(self) -> dict[str, Any] | None:
        """The buttons as the Bot API takes them (InlineKeyboardMarkup), None without any.

        Plain JSON: text replies go out without PTB's objects, whose building and
        serialising cost more than the rest of a reply (bench/updates.py).
        """
        if not self.buttons:
            return None
        return {"inline_keyboard": [[b.to_json() for b in row] for row in self.buttons if row]}

    def markup(self) -> InlineKeyboardMarkup | None:
        """The buttons as PTB's object, for the calls that take one (files, voice)."""
        keyboard = self.keyboard()
        return InlineKeyboardMarkup.de_json(keyboard, None) if keyboard is not None else None


def rows(*buttons: Button | None, width: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `width`, dropping the absent ones."""
    present = [b for b in buttons if b is not None]
    return tuple(tuple(present[i : i + width]) for i in range(0, len(present), width))
