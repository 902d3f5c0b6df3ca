"""What the local server holds, as Telegram's objects: users, chats, messages, files."""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass
class SimUser:
    """A simulated Telegram user."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "id"
    blocked_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The User object."""
        out: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


@dataclass
class SimChat:
    """A chat the server knows."""

    chat_id: int
    type: str
    title: str | None = None
    user: SimUser | None = None
    next_message_id: int = 1

    def to_api(self) -> dict[str, Any]:
        """The Chat object."""
        out: dict[str, Any] = {"id": self.chat_id, "type": self.type}
        if self.type == "private" and self.user is not None:
            out["first_name"] = self.user.first_name
            if self.user.last_name:
                out["last_name"] = self.user.last_name
            if self.user.username:
                out["username"] = self.user.username
        else:
            out["title"] = self.title or f"Grup {self.chat_id}"
        return out


MEDIA_KINDS = ("photo", "document", "voice")  # messages whose text is a caption


class Button(NamedTuple):
    """One inline button: its label and its callback_data (or url)."""

    text: str
    data: str


@dataclass
class StoredFile:
    """A file the server holds, uploaded by the bot or by a user."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0


@dataclass
class SentMessage:
    """A message in a chat (bot's or user's), edits applied."""

    message_id: int
    chat_id: int
    date: int
    from_bot: bool
    text: str = ""  # visible text (or caption), entities parsed as Telegram does
    html: str = ""  # the text as sent, e.g. with HTML tags
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    tree: list[Any] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    photo_file: StoredFile | None = None
    document_file: StoredFile | None = None
    voice_file: StoredFile | None = None
    voice_duration: int = 0  # seconds, as the sender said
    sender: SimUser | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False
    kind: str = "text"  # text | photo | document | voice | other

    @property
    def photo(self) -> bytes | None:
        """Bytes of the photo, if this is a photo message."""
        return self.photo_file.data if self.photo_file else None

    @property
    def document(self) -> bytes | None:
        """Bytes of the document, if this is a document message."""
        return self.document_file.data if self.document_file else None

    @property
    def voice(self) -> bytes | None:
        """Bytes of the voice message, if this is one."""
        return self.voice_file.data if self.voice_file else None

    @property
    def caption(self) -> str | None:
        """The visible caption of a media message."""
        return self.text if self.kind in MEDIA_KINDS else None

    @property
    def buttons(self) -> list[list[Button]]:
        """Rows of inline buttons as (text, callback_data or url)."""
        if not self.reply_markup:
            return []
        rows: list[list[Button]] = []
        for row in self.reply_markup.get("inline_keyboard", []):
            rows.append(
                [
                    Button(b.get("text", ""), b.get("callback_data") or b.get("url") or "")
                    for b in row
                ]
            )
        return rows

    def to_api(self, chat: SimChat, bot_user: dict[str, Any]) -> dict[str, Any]:
        """The Message object as Telegram returns it."""
        out: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat.to_api(),
            "from": bot_user if self.from_bot or self.sender is None else self.sender.to_api(),
        }
        if self.kind == "text":
            out["text"] = self.text
            if self.entities:
                out["entities"] = self.entities
        else:
            if self.text:
                out["caption"] = self.text
                if self.entities:
                    out["caption_entities"] = self.entities
        if self.photo_file is not None:
            out["photo"] = photo_sizes(self.photo_file)
        if self.document_file is not None:
            out["document"] = document_object(self.document_file)
        if self.voice_file is not None:
            out["voice"] = voice_object(self.voice_file, self.voice_duration)
        if self.reply_markup:
            out["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
        return out


def voice_object(f: StoredFile, duration: int) -> dict[str, Any]:
    """Voice object for a stored voice message."""
    out: dict[str, Any] = {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "duration": duration,
        "file_size": len(f.data),
    }
    if f.mime_type:
        out["mime_type"] = f.mime_type
    return out


def photo_sizes(f: StoredFile) -> list[dict[str, Any]]:
    """PhotoSize list for a stored photo (one size: the original)."""
    return [
        {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": f.width,
            "height": f.height,
            "file_size": len(f.data),
        }
    ]


def document_object(f: StoredFile) -> dict[str, Any]:
    """Document object for a stored file."""
    out: dict[str, Any] = {
        "file_id": f.file_id,
        "file_unique_id": f.file_unique_id,
        "file_size": len(f.data),
    }
    if f.file_name:
        out["file_name"] = f.file_name
    if f.mime_type:
        out["mime_type"] = f.mime_type
    return out


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG (0, 0 when unknown)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            size = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + size
    return 0, 0


def new_stored_file(
    n: int, data: bytes, folder: str, mime: str | None, file_name: str | None
) -> StoredFile:
    """The n-th stored file, with ids and a path like Telegram's (photos get their size)."""
    ext = mimetypes.guess_extension(mime or "") or (
        "." + file_name.rsplit(".", 1)[1] if file_name and "." in file_name else ".bin"
    )
    ext = ".jpg" if ext in (".jpe", ".jpeg") else ext
    width, height = image_size(data) if folder == "photos" else (0, 0)
    return StoredFile(
        file_id=f"AgAD{n:06d}{folder[:3]}",
        file_unique_id=f"AQAD{n:06d}",
        data=data,
        file_path=f"{folder}/file_{n}{ext}",
        mime_type=mime,
        file_name=file_name,
        width=width,
        height=height,
    )
