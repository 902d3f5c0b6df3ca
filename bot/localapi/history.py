"""The simulator's conversations on disk, so that a restart of `make run` finds them again.

A snapshot is one JSON file of the messages, counters and menu buttons, and the files
(photos, voice messages) once each beside it. It is written after a change has settled and when the
simulator stops; it is read when the simulator starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.localapi.model import SentMessage, StoredFile
from bot.localapi.world import World

log = logging.getLogger(__name__)

FORMAT = 1
SNAPSHOT = "conversations.json"
FILES = "files"
DEFAULT_MENU = "default"  # the key of the bot's default menu button
_FILE_FIELDS = ("photo_file", "document_file", "voice_file")


@dataclass(frozen=True)
class Snapshot:
    """The world's conversations at one moment, ready to be written."""

    data: dict[str, Any]
    files: tuple[StoredFile, ...]


def snapshot(world: World) -> Snapshot:
    """Take the world's conversations (on the event loop, where the world changes)."""
    next_id, next_update = world.counters()
    data = {
        "format": FORMAT,
        "next_id": next_id,
        "next_update_id": next_update,
        "files": [_file_json(f) for f in world.files.values()],
        "chats": {
            str(chat_id): [_message_json(m) for m in kept]
            for chat_id, kept in world.conversations().items()
        },
        # Telegram keeps a chat's menu button; the bot sets it only when roles change.
        "menu_buttons": {
            DEFAULT_MENU if chat_id is None else str(chat_id): button
            for chat_id, button in world.menu_buttons.items()
        },
    }
    return Snapshot(data, tuple(world.files.values()))


def write(taken: Snapshot, folder: Path) -> None:
    """Write a snapshot to `folder` (blocking; atomically: a crash keeps the last one)."""
    (folder / FILES).mkdir(parents=True, exist_ok=True)
    for stored in taken.files:
        path = folder / FILES / _safe(stored.file_id)
        if not path.exists():
            path.write_bytes(stored.data)
    target = folder / SNAPSHOT
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(taken.data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, target)


async def save(world: World, folder: Path) -> None:
    """Snapshot the world here, write it in a worker thread."""
    await asyncio.to_thread(write, snapshot(world), folder)


def load(world: World, folder: Path) -> bool:
    """Put a saved snapshot back into the world (whose users are known already); False when
    there is none or it cannot be read (the simulator starts with empty chats then)."""
    target = folder / SNAPSHOT
    if not target.exists():
        return False
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return False
        files = {
            f["file_id"]: StoredFile(data=(folder / FILES / _safe(f["file_id"])).read_bytes(), **f)
            for f in data["files"]
        }
        messages = {
            int(chat_id): [_message(m, files, world) for m in kept]
            for chat_id, kept in data["chats"].items()
        }
        world.restore(messages, list(files.values()), (data["next_id"], data["next_update_id"]))
        for key, button in data.get("menu_buttons", {}).items():
            world.set_menu_button(None if key == DEFAULT_MENU else int(key), button)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the simulator's saved conversations could not be read: %s", exc)
        return False
    return True


def _safe(file_id: str) -> str:
    return "".join(c for c in file_id if c.isalnum() or c in "-_")


def _file_json(f: StoredFile) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(f).items() if k != "data"}


def _message_json(m: SentMessage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in dataclasses.fields(m):
        value = getattr(m, field.name)
        if field.name in _FILE_FIELDS:
            value = value.file_id if value is not None else None
        elif field.name == "sender":
            value = value.user_id if value is not None else None
        out[field.name] = value
    return out


def _message(data: dict[str, Any], files: dict[str, StoredFile], world: World) -> SentMessage:
    kept = dict(data)
    for name in _FILE_FIELDS:
        kept[name] = files[kept[name]] if kept.get(name) else None
    sender = kept.get("sender")
    kept["sender"] = world.users.get(sender) if sender is not None else None
    return SentMessage(**kept)
