"""The world a fake Telegram keeps: people, chats, messages, files, and the updates queued."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.localapi.formatting import plain_tree, utf16_len
from bot.localapi.limits import is_valid_start_parameter
from bot.localapi.model import SentMessage, SimChat, SimUser, StoredFile, new_stored_file


class _Signal:
    """Wakes every waiter when something changes (no polling loops)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake current waiters; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the next change; True if one came."""
        if seconds <= 0:
            return False
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True


def scope_key(scope: Mapping[str, Any] | None) -> str:
    """The key of a BotCommandScope in the command lists (default or its JSON)."""
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(dict(scope), sort_keys=True)


class World:
    """What Telegram knows about the bot, its people and their chats, kept in memory."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        *,
        bot_first_name: str,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """An empty world around one bot."""
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_first_name = bot_first_name
        self._now = now or (lambda: datetime.now(UTC))
        self.violations: list[str] = []  # what the bot did that Telegram would refuse
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.queries: dict[str, str] = {}  # callback query id -> chat/message description
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # None: the default one
        self.menu_changes = 0  # setChatMenuButton calls, for whoever shows the button
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook: dict[str, Any] = {}
        self.updates: list[dict[str, Any]] = []  # queued for the bot until it confirms them
        self.update_signal = _Signal()
        self._messages: dict[int, list[SentMessage]] = {}
        self._next_update_id = 1
        self._activity: list[tuple[int, int]] = []  # (chat_id, message_id) per bot send/edit
        self._activity_signal = _Signal()
        self._ids = itertools.count(1)
        self._closing = False

    @property
    def closing(self) -> bool:
        """Whether stop() has begun."""
        return self._closing

    def bot_user(self) -> dict[str, Any]:
        """The bot's own User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def close(self) -> None:
        """Release everyone waiting for updates or activity; they find nothing more."""
        self._closing = True
        self.update_signal.notify()
        self._activity_signal.notify()

    # -- people and chats -----------------------------------------------------------------------

    def add_chat_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
    ) -> SimUser:
        """Make a user known, with a private chat to the bot (chat id = user id)."""
        user = SimUser(user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        chat = self.chats.get(user_id)
        if chat is None:
            self.chats[user_id] = SimChat(user_id, "private", user=user)
        else:
            chat.user = user
        return user

    def user_blocks_bot(self, user_id: int, blocked: bool = True) -> None:
        """From now on, sends to this user answer 403 (False unblocks)."""
        self._user(user_id).blocked_bot = blocked

    def _user(self, user_id: int) -> SimUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.add_chat_user(user_id, f"Pengguna {user_id}")
        return user

    def _chat_for_user(self, user_id: int, chat_id: int | None, chat_type: str) -> SimChat:
        user = self._user(user_id)
        if chat_id is None or chat_id == user_id:
            return self.chats[user_id]
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = SimChat(chat_id, chat_type, title=f"Grup {chat_id}")
            self.chats[chat_id] = chat
        del user
        return chat

    def new_message(self, chat: SimChat, *, from_bot: bool, **kw: Any) -> SentMessage:
        """A new message in a chat, numbered as the chat's next."""
        msg = SentMessage(
            message_id=chat.next_message_id,
            chat_id=chat.chat_id,
            date=self.timestamp(),
            from_bot=from_bot,
            **kw,
        )
        chat.next_message_id += 1
        self._messages.setdefault(chat.chat_id, []).append(msg)
        return msg

    def timestamp(self) -> int:
        """Now, as Telegram's Unix time."""
        return int(self._now().timestamp())

    # -- what users do ----------------------------------------------------------------------

    async def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Queue a message update from a user; commands get a bot_command entity.

        `entities` are the user's own formatting (bold, links, ...), as Telegram sends them.
        """
        chat = self._chat_for_user(user_id, chat_id, chat_type)
        user = self._user(user_id)
        entities = list(entities or [])
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"offset": 0, "length": utf16_len(command), "type": "bot_command"})
        msg = self.new_message(
            chat,
            from_bot=False,
            text=text,
            html=text,
            entities=entities,
            tree=plain_tree(text),
            sender=user,
            reply_to_message_id=reply_to_message_id,
        )
        payload = self._user_message_payload(msg, chat)
        return self._push_update("message", payload)

    async def user_opens_link(self, user_id: int, url: str) -> dict[str, Any]:
        """Follow a t.me deep link: check it names this bot and a valid start parameter."""
        parsed = urlparse(url)
        name = parsed.path.strip("/")
        start = parse_qs(parsed.query).get("start", [""])[0]
        if parsed.netloc not in ("t.me", "telegram.me") or name != self.bot_username:
            self.violations.append(f"deep link {url!r} does not open @{self.bot_username}")
        if start and not is_valid_start_parameter(start):
            self.violations.append(
                f"deep link {url!r}: start parameter is not [A-Za-z0-9_-]{{1,64}}"
            )
            start = ""
        return await self.user_sends_text(user_id, f"/start {start}".strip())

    async def user_sends_photo(
        self, user_id: int, data: bytes, *, caption: str | None = None, mime: str = "image/jpeg"
    ) -> dict[str, Any]:
        """Queue a photo message update from a user."""
        return self._user_sends_file(user_id, "photo", data, mime, None, caption)

    async def user_sends_voice(
        self,
        user_id: int,
        data: bytes,
        duration: int,
        *,
        caption: str | None = None,
        mime: str = "audio/ogg",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a voice message update from a user (`duration` in seconds)."""
        return self._user_sends_file(
            user_id,
            "voice",
            data,
            mime,
            None,
            caption,
            duration=duration,
            reply_to_message_id=reply_to_message_id,
        )

    async def user_sends_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        mime: str,
        *,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Queue a document message update from a user."""
        return self._user_sends_file(user_id, "document", data, mime, file_name, caption)

    def _user_sends_file(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        mime: str,
        file_name: str | None,
        caption: str | None,
        *,
        duration: int = 0,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        chat = self._chat_for_user(user_id, None, "private")
        stored = self.store_file(data, "voice" if kind == "voice" else f"{kind}s", mime, file_name)
        msg = self.new_message(
            chat,
            from_bot=False,
            kind=kind,
            text=caption or "",
            html=caption or "",
            tree=plain_tree(caption or ""),
            photo_file=stored if kind == "photo" else None,
            document_file=stored if kind == "document" else None,
            voice_file=stored if kind == "voice" else None,
            voice_duration=duration,
            sender=self._user(user_id),
            reply_to_message_id=reply_to_message_id,
        )
        return self._push_update("message", self._user_message_payload(msg, chat))

    async def user_presses(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> str:
        """Queue a callback_query for a button tap (stale or forged data allowed); its id."""
        user = self._user(user_id)
        chat = self.chats[chat_id if chat_id is not None else user_id]
        query_id = str(next(self._ids) * 7919 + 100000)
        msg = self.find_message(chat.chat_id, message_id)
        message: dict[str, Any]
        if msg is None or msg.deleted:
            message = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        else:
            message = msg.to_api(chat, self.bot_user())
        self.queries[query_id] = f"chat {chat.chat_id} message {message_id}"
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": message,
                "chat_instance": str(chat.chat_id * 31 + 7),
                "data": callback_data,
            },
        )
        return query_id

    def user_edits_message(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """Queue an edited_message update for a user's own earlier message."""
        chat = self.chats[user_id]
        msg = self.find_message(chat.chat_id, message_id)
        if msg is None or msg.from_bot:
            raise ValueError(f"user {user_id} has no message {message_id} to edit")
        msg.text = msg.html = text
        msg.tree = plain_tree(text)
        msg.edit_date = self.timestamp()
        msg.edits += 1
        return self._push_update("edited_message", self._user_message_payload(msg, chat))

    def _user_message_payload(self, msg: SentMessage, chat: SimChat) -> dict[str, Any]:
        payload = msg.to_api(chat, self.bot_user())
        if msg.reply_to_message_id is not None:
            replied = self.find_message(chat.chat_id, msg.reply_to_message_id)
            if replied is not None:
                payload["reply_to_message"] = replied.to_api(chat, self.bot_user())
        return payload

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.update_signal.notify()
        self.updates_queued()
        return update

    # -- what tests read ----------------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, edits applied, deleted ones left out."""
        return [m for m in self._messages.get(chat_id, []) if m.from_bot and not m.deleted]

    def all_messages(self, chat_id: int) -> list[SentMessage]:
        """Every message in a chat (the user's and the bot's), oldest first."""
        return [m for m in self._messages.get(chat_id, []) if not m.deleted]

    def activity_mark(self) -> int:
        """A position in the log of bot sends and edits, for wait_for_bot_message(after_index)."""
        return len(self._activity)

    def activity_since(self, mark: int, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent or edited since a mark (newest state, in order, deduplicated)."""
        seen: dict[tuple[int, int], SentMessage] = {}
        for cid, mid in self._activity[mark:]:
            if chat_id is not None and cid != chat_id:
                continue
            msg = self.find_message(cid, mid)
            if msg is not None:
                seen.pop((cid, mid), None)
                seen[(cid, mid)] = msg
        return list(seen.values())

    def menu_button(self, chat_id: int) -> dict[str, Any]:
        """The MenuButton a private chat shows: its own, else the bot's default, else the
        command list (as getChatMenuButton answers)."""
        for key in (chat_id, None):
            button = self.menu_buttons.get(key)
            if button is not None and button.get("type") != "default":
                return button
        return {"type": "commands"}

    def set_menu_button(self, chat_id: int | None, button: dict[str, Any] | None) -> None:
        """setChatMenuButton: a chat's button (None: the default for chats without one)."""
        self.menu_buttons[chat_id] = button or {"type": "default"}
        self.menu_changes += 1
        self._activity_signal.notify()

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command list set by setMyCommands for a scope and language."""
        return list(self.my_commands.get((scope_key(scope), language_code), []))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return list(self.updates)

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109  # the tests' vocabulary; deadline inside
        after_index: int | None = None,
    ) -> SentMessage:
        """The newest bot message (sent or edited after after_index, or any when None) matching."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if after_index is None:
                candidates = self.chat_messages(chat_id)
            else:
                candidates = [
                    m for m in self.activity_since(after_index, chat_id) if not m.deleted
                ]
            for msg in reversed(candidates):
                if predicate is None or predicate(msg):
                    return msg
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise TimeoutError(
                    f"no matching bot message in chat {chat_id} within {timeout:.1f}s"
                )
            await self._activity_signal.wait(remaining)

    async def wait_for_activity(self, seconds: float) -> bool:
        """Wait until the bot sends or edits something (or a user update arrives)."""
        return await self._activity_signal.wait(seconds)

    def record_activity(self, msg: SentMessage) -> None:
        """Log a send, edit or deletion by the bot and wake whoever waits for one."""
        self._activity.append((msg.chat_id, msg.message_id))
        self._activity_signal.notify()

    def find_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A message of a chat by id (deleted ones too), or None."""
        for msg in self._messages.get(chat_id, []):
            if msg.message_id == message_id:
                return msg
        return None

    def notify_watchers(self) -> None:
        """Wake whoever waits for activity (the web chat's long polls): something they show
        changed that is not a message."""
        self._activity_signal.notify()

    def record_answer(self, query_id: str, answer: dict[str, Any]) -> None:
        """Keep the bot's answer to a button tap and wake whoever waits (the web chat's toast)."""
        self.callback_answers[query_id] = answer
        self._activity_signal.notify()

    # -- what a restart keeps (bot/localapi/history.py) --------------------------------------

    def counters(self) -> tuple[int, int]:
        """The next file/query number and the next update id, for a snapshot."""
        current = next(self._ids)
        self._ids = itertools.count(current)
        return current, self._next_update_id

    def restore(
        self,
        messages: dict[int, list[SentMessage]],
        files: list[StoredFile],
        counters: tuple[int, int],
    ) -> None:
        """Put back a snapshot's conversations and files; numbering goes on after it (the bot
        records update ids, and would take a reused one for a redelivery)."""
        for chat_id, kept in messages.items():
            chat = self.chats.get(chat_id)
            if chat is None or not kept:
                continue
            self._messages[chat_id] = list(kept)
            chat.next_message_id = max(m.message_id for m in kept) + 1
        for stored in files:
            self.files[stored.file_id] = stored
        self._ids = itertools.count(max(counters[0], next(self._ids)))
        self._next_update_id = max(counters[1], self._next_update_id)

    def conversations(self) -> dict[int, list[SentMessage]]:
        """Every chat's messages (deleted ones too), for a snapshot."""
        return {chat_id: list(kept) for chat_id, kept in self._messages.items()}

    # -- files and hooks ------------------------------------------------------------------------

    def store_file(
        self, data: bytes, folder: str, mime: str | None, file_name: str | None
    ) -> StoredFile:
        """Keep a file (uploaded by the bot or a user) under a new id."""
        stored = new_stored_file(next(self._ids), data, folder, mime, file_name)
        self.files[stored.file_id] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a stored file."""
        return self.files[file_id].data

    def updates_queued(self) -> None:
        """Called when updates wait for the bot; the HTTP server delivers them to a webhook."""
