"""Random inputs a person can send a Telegram bot, from one seed: texts, commands, files,
taps (stale, forged, garbage), edits, group messages and replies."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from enum import StrEnum

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.callbacks import CallbackData
from bot.localapi import SentMessage
from bot.render.common import MenuButton
from tests.support.png import tiny_png
from tests.support.routes import field_kinds, routing

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096 UTF-16 code units
MAX_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
MAX_COMMAND = 32  # letters of a bot command

_SCRIPTS = (
    string.ascii_letters + string.digits + " .,;:!?-'\"()/",
    "abcdefghijklmnopqrstuvwxyz     ",
    "".join(chr(c) for c in range(0x0621, 0x064B)),  # Arabic
    "".join(chr(c) for c in range(0x4E00, 0x4E80)),  # CJK
    "".join(chr(c) for c in range(0x0410, 0x0450)),  # Cyrillic
    "".join(chr(c) for c in range(0x0905, 0x0939)),  # Devanagari
)
_PIECES = (
    "saya mau tanya",
    "izin PIRT",
    "👍",
    "👨‍👩‍👧‍👦",
    "🇮🇩",
    "❤️",
    "e\u0301",
    "\u200b",
    "\u202e",
    "<b>tebal</b>",
    "&amp;",
    "<script>",
    "{name}",
    "%s",
    "\n",
    "\t",
    "  ",
    "@PendampingUMKMBot",
    "https://t.me/x",
    "31/12/2026 08.00",
    "0",
    "-1",
    "99999999999999999999",
)
_NAMES = (
    "bukti.pdf",
    "../../etc/passwd",
    "a" * 250 + ".pdf",
    "💥.exe",
    "",
    "tanpa-ekstensi",
    "foto.JPG",
    "surat\nbaris.pdf",
    "\u202egnp.exe",
    "con.txt",
    ".hidden",
)
_MIMES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/x-msdownload",
    "text/plain",
    "application/octet-stream",
    "video/mp4",
)
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Text:
    text: str
    reply_to_bot: bool = False  # as a reply to one of the bot's messages


@dataclass(frozen=True)
class Group:
    text: str
    chat_id: int
    chat_type: str


@dataclass(frozen=True)
class File:
    data: bytes
    name: str | None  # None: a photo
    mime: str
    caption: str | None


@dataclass(frozen=True)
class Tap:
    data: str
    message: str  # "last", "own" (the message the button is on), "gone" (never existed)


@dataclass(frozen=True)
class Edit:
    text: str


Input = Text | Group | File | Tap | Edit


class Inputs:
    """A stream of random inputs; the same seed gives the same stream."""

    def __init__(self, seed: int, ints: tuple[int, ...], strs: tuple[str, ...]) -> None:
        self.rng = random.Random(seed)
        self.ints, self.strs = ints, strs
        found = routing()
        self.commands = [c.name for c in found.commands]
        self.buttons: list[type[CallbackData]] = [*found.buttons, MenuButton]
        self.prefixes = sorted({b.prefix for b in self.buttons})

    def text(self, longest: int = MAX_TEXT) -> str:
        """A non-blank text of a random length and mix of scripts, within `longest` units."""
        rng = self.rng
        length = min(
            longest,
            rng.choice(
                (rng.randint(1, 10), rng.randint(10, 300), rng.randint(300, MAX_TEXT), MAX_TEXT)
            ),
        )
        parts: list[str] = []
        size = 0
        while size < length:
            piece = (
                rng.choice(_PIECES)
                if rng.random() < 0.3
                else "".join(rng.choices(rng.choice(_SCRIPTS), k=rng.randint(1, 40)))
            )
            parts.append(piece)
            size += utf16_len(piece)
        text = "".join(parts)
        while utf16_len(text) > longest:
            text = text[:-1]
        return text if text.strip() else "x"

    def command(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            name = rng.choice(self.commands)
        else:
            alphabet = string.ascii_lowercase + string.digits + "_"
            name = "".join(rng.choices(alphabet, k=rng.randint(1, MAX_COMMAND)))
        mention = rng.choice(("", "", "", "@PendampingUMKMBot", "@BotLain"))
        args = rng.choice(("", "", self.text(60), str(rng.choice(self.ints)), "x y z"))
        return f"/{name}{mention} {args}".strip()

    def callback(self) -> str:
        """Callback data: typed and forged, one of our prefixes with garbage, or garbage."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            data = self._typed(rng.choice(self.buttons))
        elif roll < 0.8:
            fields = [
                "".join(
                    rng.choices(
                        string.ascii_letters + string.digits + "_.-:é ", k=rng.randint(0, 12)
                    )
                )
                for _ in range(rng.randint(0, 7))
            ]
            data = ":".join([rng.choice(self.prefixes), *fields])
        else:
            data = "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 40)))
        while len(data.encode("utf-8")) > MAX_DATA:
            data = data[:-1]
        return data or "x"

    def _typed(self, cls: type[CallbackData]) -> str:
        rng = self.rng
        values: dict[str, object] = {}
        for name, base, optional in field_kinds(cls):
            if optional and rng.random() < 0.25:
                values[name] = None
            elif base is int:
                values[name] = rng.choice((*self.ints, 0, 3, 7, 10**6, 10**17))
            elif base is bool:
                values[name] = rng.random() < 0.5
            elif base is str:
                values[name] = rng.choice(
                    (*self.strs, "".join(rng.choices(string.ascii_letters, k=20)))
                )
            else:
                assert issubclass(base, StrEnum)
                values[name] = rng.choice(list(base))
        try:
            return cls(**values).pack()
        except ValueError:  # over 64 bytes: a shorter forgery then
            return f"{cls.prefix}:1"

    def file(self) -> File:
        rng = self.rng
        data = rng.choice(
            (
                tiny_png(rng.randint(0, 255)),
                _JPEG,
                rng.randbytes(rng.randint(1, 2048)),
                b"%PDF-1.4\n" + rng.randbytes(100),
                b"",
            )
        )
        caption = self.text(1024) if rng.random() < 0.4 else None
        if rng.random() < 0.4:
            return File(data or b"\x00", None, "image/jpeg", caption)
        return File(data or b"\x00", rng.choice(_NAMES) or None, rng.choice(_MIMES), caption)

    def next(self) -> Input:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return Text(self.text())
        if roll < 0.43:
            return Text(self.command())
        if roll < 0.55:
            return Tap(self.callback(), rng.choice(("last", "gone")))
        if roll < 0.65:
            return Tap("", "own")  # a real button from the chat, maybe long stale
        if roll < 0.77:
            return self.file()
        if roll < 0.85:
            return Edit(self.text() if rng.random() < 0.7 else self.command())
        if roll < 0.93:
            text = self.text(200) if rng.random() < 0.5 else self.command()
            return Group(text, -1_000_000 - rng.randint(0, 3), rng.choice(("group", "supergroup")))
        return Text(self.text(), reply_to_bot=True)

    def old_button(self, messages: list[SentMessage]) -> tuple[str, int] | None:
        """The data and message of a random button the bot ever showed in a chat."""
        found = [
            (button["callback_data"], m.message_id)
            for m in messages
            for row in (m.reply_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        return self.rng.choice(found) if found else None
