"""A fake Telegram: an in-memory Bot API server on 127.0.0.1 for tests and the simulator."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import re
import struct
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlparse

from aiohttp import ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField

from bot.localapi import webchat
from bot.localapi.spec import (
    ApiError,
    BadRequest,
    ParsedText,
    Upload,
    is_valid_start_parameter,
    load_spec,
    parse_message_text,
    plain_tree,
    utf16_len,
)

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080  # the simulator's port when the CLI serves the web chat
MAX_UPDATES_PER_CALL = 100  # getUpdates limit ceiling
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

FORBIDDEN_BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
FAULT_KINDS = ("429", "403", "500", "delay", "timeout")


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
    sender: SimUser | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False
    kind: str = "text"  # text | photo | document | other

    @property
    def photo(self) -> bytes | None:
        """Bytes of the photo, if this is a photo message."""
        return self.photo_file.data if self.photo_file else None

    @property
    def document(self) -> bytes | None:
        """Bytes of the document, if this is a document message."""
        return self.document_file.data if self.document_file else None

    @property
    def caption(self) -> str | None:
        """The visible caption of a media message."""
        return self.text if self.kind in ("photo", "document") else None

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
        if self.reply_markup:
            out["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
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


@dataclass
class Fault:
    """One injected failure for a method (optionally only for one chat)."""

    method: str
    kind: str
    count: int = 1
    retry_after: int = 1
    seconds: float = 0.0
    chat_id: int | None = None


class Faults:
    """Failures to inject into the next matching calls."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[Fault] = []

    def add(
        self,
        method: str = "sendMessage",
        kind: str = "429",
        *,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 0.0,
        chat_id: int | None = None,
    ) -> Fault:
        """Fail the next `count` calls of `method` with 429/403/500, or delay/time them out."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        fault = Fault(method, kind, count, retry_after, seconds, chat_id)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        """Forget every pending fault."""
        self.pending.clear()

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """The fault for this call, if any, counting it down."""
        for fault in self.pending:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            fault.count -= 1
            if fault.count <= 0:
                self.pending.remove(fault)
            self.fired.append(fault)
            return fault
        return None


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class LocalBotApi:
    """An in-memory Bot API server speaking Telegram's HTTP protocol on 127.0.0.1."""

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "PendampingUMKMBot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_first_name: str = "Pendamping UMKM",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Prepare the server; call start() (or use `async with`) to listen."""
        self.token = token
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_first_name = bot_first_name
        self._now = now or (lambda: datetime.now(UTC))
        self.spec = load_spec()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.faults = Faults()
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook: dict[str, Any] = {}
        self._messages: dict[int, list[SentMessage]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] = []
        self._update_signal = _Signal()
        self._activity: list[tuple[int, int]] = []  # (chat_id, message_id) per bot send/edit
        self._activity_signal = _Signal()
        self._callbacks: dict[str, str] = {}  # query id -> chat/message description
        self._ids = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._webhook_session: ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.webchat: webchat.WebChat | None = None
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        webchat.add_routes(self.app, self)
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
        }

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one, read back in .port)."""
        self._closing = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Release held getUpdates and long polls, then stop listening."""
        self._closing = True
        self._update_signal.notify()
        self._activity_signal.notify()
        for task in list(self._tasks):
            task.cancel()
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        await self.stop()

    @property
    def closing(self) -> bool:
        """Whether stop() has begun."""
        return self._closing

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url()."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url()."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        """Root URL (the web chat page when enabled)."""
        return f"http://{self.host}:{self.port}/"

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

    def enable_webchat(
        self, personas: list[webchat.Persona], start_links: dict[int, str] | None = None
    ) -> webchat.WebChat:
        """Serve the web chat at / for these personas (callable before or after start())."""
        for p in personas:
            if p.user_id not in self.users:
                self.add_chat_user(p.user_id, p.first_name)
        self.webchat = webchat.WebChat(self, personas, dict(start_links or {}))
        return self.webchat

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

    def _new_message(self, chat: SimChat, *, from_bot: bool, **kw: Any) -> SentMessage:
        msg = SentMessage(
            message_id=chat.next_message_id,
            chat_id=chat.chat_id,
            date=self._timestamp(),
            from_bot=from_bot,
            **kw,
        )
        chat.next_message_id += 1
        self._messages.setdefault(chat.chat_id, []).append(msg)
        return msg

    def _timestamp(self) -> int:
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
    ) -> dict[str, Any]:
        """Queue a message update from a user; commands get a bot_command entity."""
        chat = self._chat_for_user(user_id, chat_id, chat_type)
        user = self._user(user_id)
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"offset": 0, "length": utf16_len(command), "type": "bot_command"})
        msg = self._new_message(
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
    ) -> dict[str, Any]:
        chat = self._chat_for_user(user_id, None, "private")
        stored = self._store_file(data, f"{kind}s", mime, file_name)
        msg = self._new_message(
            chat,
            from_bot=False,
            kind=kind,
            text=caption or "",
            html=caption or "",
            tree=plain_tree(caption or ""),
            photo_file=stored if kind == "photo" else None,
            document_file=stored if kind == "document" else None,
            sender=self._user(user_id),
        )
        return self._push_update("message", self._user_message_payload(msg, chat))

    async def user_presses(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> str:
        """Queue a callback_query for a button tap (stale or forged data allowed); its id."""
        user = self._user(user_id)
        chat = self.chats[chat_id if chat_id is not None else user_id]
        query_id = str(next(self._ids) * 7919 + 100000)
        msg = self._find(chat.chat_id, message_id)
        message: dict[str, Any]
        if msg is None or msg.deleted:
            message = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        else:
            message = msg.to_api(chat, self.bot_user())
        self._callbacks[query_id] = f"chat {chat.chat_id} message {message_id}"
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
        msg = self._find(chat.chat_id, message_id)
        if msg is None or msg.from_bot:
            raise ValueError(f"user {user_id} has no message {message_id} to edit")
        msg.text = msg.html = text
        msg.tree = plain_tree(text)
        msg.edit_date = self._timestamp()
        msg.edits += 1
        return self._push_update("edited_message", self._user_message_payload(msg, chat))

    def _user_message_payload(self, msg: SentMessage, chat: SimChat) -> dict[str, Any]:
        payload = msg.to_api(chat, self.bot_user())
        if msg.reply_to_message_id is not None:
            replied = self._find(chat.chat_id, msg.reply_to_message_id)
            if replied is not None:
                payload["reply_to_message"] = replied.to_api(chat, self.bot_user())
        return payload

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._update_signal.notify()
        if self.webhook.get("url"):
            self._spawn(self._deliver_webhook())
        if self.webchat is not None:
            self._activity_signal.notify()
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
            msg = self._find(cid, mid)
            if msg is not None:
                seen.pop((cid, mid), None)
                seen[(cid, mid)] = msg
        return list(seen.values())

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command list set by setMyCommands for a scope and language."""
        return list(self.my_commands.get((_scope_key(scope), language_code), []))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return list(self._updates)

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

    def _record_activity(self, msg: SentMessage) -> None:
        self._activity.append((msg.chat_id, msg.message_id))
        self._activity_signal.notify()

    def _find(self, chat_id: int, message_id: int) -> SentMessage | None:
        for msg in self._messages.get(chat_id, []):
            if msg.message_id == message_id:
                return msg
        return None

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        name = self.spec.method_name(request.match_info["method"])
        if name is None:
            self.violations.append(f"unknown method {request.match_info['method']!r}")
            return _error(ApiError(404, "Not Found"))
        try:
            params, uploads = await _read_params(request, self.spec.methods[name])
        except BadRequest as exc:
            self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        self.calls.append((name, params))
        try:
            checked = self.spec.validate(name, params, uploads)
        except BadRequest as exc:
            self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        fault = self.faults.take(name, checked.get("chat_id"))
        if fault is not None:
            if fault.kind == "429":
                return _error(
                    ApiError(
                        429,
                        f"Too Many Requests: retry after {fault.retry_after}",
                        {"retry_after": fault.retry_after},
                    )
                )
            if fault.kind == "403":
                return _error(ApiError(403, FORBIDDEN_BLOCKED))
            if fault.kind == "500":
                return _error(ApiError(500, "Internal Server Error"))
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
        try:
            result = await self._call(name, checked, uploads)
        except ApiError as exc:
            if exc.error_code == 400 and "query is too old" in exc.description:
                self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        if fault is not None and fault.kind == "timeout":
            # The call took effect; the answer comes later than the client waits.
            await asyncio.sleep(fault.seconds or 10.0)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, name: str, params: dict[str, Any], uploads: Mapping[str, Upload]) -> Any:
        handler = self._methods.get(name)
        if handler is not None:
            return await handler(params)
        if self.spec.returns(name) == ["Message"] and "chat_id" in params:
            chat = self._chat(params["chat_id"])
            msg = self._new_message(chat, from_bot=True, kind="other", text="", html="")
            self._record_activity(msg)
            return msg.to_api(chat, self.bot_user())
        return True

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for f in self.files.values():
            if f.file_path == path:
                return web.Response(
                    body=f.data, content_type=f.mime_type or "application/octet-stream"
                )
        return _error(ApiError(404, "Not Found"))

    # -- methods ------------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> SimChat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.user and chat.user.username == chat_id[1:]:
                    return chat
            raise BadRequest("chat not found")
        found = self.chats.get(int(chat_id))
        if found is None:
            raise BadRequest("chat not found")
        return found

    def _writable_chat(self, chat_id: Any) -> SimChat:
        chat = self._chat(chat_id)
        if chat.user is not None and chat.user.blocked_bot:
            raise ApiError(403, FORBIDDEN_BLOCKED)
        return chat

    async def _get_me(self, p: dict[str, Any]) -> Any:
        return self.bot_user()

    async def _get_updates(self, p: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        if offset is not None:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if p.get("allowed_updates"):
            self._allowed_updates = list(p["allowed_updates"])
        limit = max(1, min(int(p.get("limit") or MAX_UPDATES_PER_CALL), MAX_UPDATES_PER_CALL))
        timeout = float(p.get("timeout") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = [u for u in self._updates if self._allowed(u)]
            if ready or self._closing:
                return ready[:limit]
            if not await self._update_signal.wait(deadline - loop.time()):
                return []

    def _allowed(self, update: dict[str, Any]) -> bool:
        if not self._allowed_updates:
            return True
        return any(k in self._allowed_updates for k in update if k != "update_id")

    async def _set_webhook(self, p: dict[str, Any]) -> Any:
        self.webhook = {k: v for k, v in p.items() if k != "certificate"}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if self._updates and p.get("url"):
            self._spawn(self._deliver_webhook())
        return True

    async def _delete_webhook(self, p: dict[str, Any]) -> Any:
        self.webhook = {}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, p: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if "allowed_updates" in self.webhook:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _set_my_commands(self, p: dict[str, Any]) -> Any:
        key = (_scope_key(p.get("scope")), p.get("language_code", ""))
        self.my_commands[key] = list(p["commands"])
        return True

    async def _get_my_commands(self, p: dict[str, Any]) -> Any:
        return self.commands(p.get("scope"), p.get("language_code", ""))

    async def _delete_my_commands(self, p: dict[str, Any]) -> Any:
        self.my_commands.pop((_scope_key(p.get("scope")), p.get("language_code", "")), None)
        return True

    async def _send_message(self, p: dict[str, Any]) -> Any:
        chat = self._writable_chat(p["chat_id"])
        parsed = parse_message_text(p["text"], p.get("parse_mode"), p.get("entities"))
        msg = self._new_message(
            chat,
            from_bot=True,
            text=parsed.text,
            html=p["text"],
            parse_mode=p.get("parse_mode"),
            entities=parsed.entities,
            tree=parsed.tree,
            reply_markup=p.get("reply_markup"),
            reply_to_message_id=_reply_to(p),
        )
        self._record_activity(msg)
        return msg.to_api(chat, self.bot_user())

    async def _send_media(self, p: dict[str, Any], kind: str) -> Any:
        chat = self._writable_chat(p["chat_id"])
        value = p[kind]
        if isinstance(value, Upload):
            folder = "photos" if kind == "photo" else "documents"
            mime = value.content_type or mimetypes.guess_type(value.filename or "")[0]
            stored = self._store_file(value.data, folder, mime, value.filename)
        elif value in self.files:
            stored = self.files[value]
        else:
            raise BadRequest("wrong file identifier/HTTP URL specified")
        parsed = _caption(p)
        msg = self._new_message(
            chat,
            from_bot=True,
            kind=kind,
            text=parsed.text,
            html=p.get("caption", ""),
            parse_mode=p.get("parse_mode"),
            entities=parsed.entities,
            tree=parsed.tree,
            reply_markup=p.get("reply_markup"),
            reply_to_message_id=_reply_to(p),
            **({"photo_file": stored} if kind == "photo" else {"document_file": stored}),
        )
        self._record_activity(msg)
        return msg.to_api(chat, self.bot_user())

    async def _send_photo(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "photo")

    async def _send_document(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "document")

    def _editable(self, p: dict[str, Any]) -> tuple[SimChat, SentMessage]:
        if "inline_message_id" in p:
            raise BadRequest("MESSAGE_ID_INVALID")
        if "chat_id" not in p or "message_id" not in p:
            raise BadRequest("message identifier is not specified")
        chat = self._chat(p["chat_id"])
        msg = self._find(chat.chat_id, p["message_id"])
        if msg is None or msg.deleted:
            raise BadRequest("message to edit not found")
        if not msg.from_bot:
            raise BadRequest("message can't be edited")
        return chat, msg

    def _apply_edit(
        self,
        chat: SimChat,
        msg: SentMessage,
        parsed: ParsedText | None,
        html: str | None,
        parse_mode: str | None,
        markup: dict[str, Any] | None,
    ) -> Any:
        same_text = parsed is None or (parsed.text == msg.text and parsed.entities == msg.entities)
        if same_text and (markup or None) == (msg.reply_markup or None):
            raise BadRequest(NOT_MODIFIED)
        if parsed is not None:
            msg.text, msg.entities, msg.tree = parsed.text, parsed.entities, parsed.tree
            msg.html = html or ""
            msg.parse_mode = parse_mode
        msg.reply_markup = markup or None
        msg.edit_date = self._timestamp()
        msg.edits += 1
        self._record_activity(msg)
        return msg.to_api(chat, self.bot_user())

    async def _edit_message_text(self, p: dict[str, Any]) -> Any:
        chat, msg = self._editable(p)
        if msg.kind != "text":
            raise BadRequest("there is no text in the message to edit")
        parsed = parse_message_text(p["text"], p.get("parse_mode"), p.get("entities"))
        return self._apply_edit(
            chat, msg, parsed, p["text"], p.get("parse_mode"), p.get("reply_markup")
        )

    async def _edit_message_caption(self, p: dict[str, Any]) -> Any:
        chat, msg = self._editable(p)
        if msg.kind not in ("photo", "document"):
            raise BadRequest("there is no caption in the message to edit")
        return self._apply_edit(
            chat,
            msg,
            _caption(p),
            p.get("caption", ""),
            p.get("parse_mode"),
            p.get("reply_markup"),
        )

    async def _edit_message_reply_markup(self, p: dict[str, Any]) -> Any:
        chat, msg = self._editable(p)
        return self._apply_edit(chat, msg, None, None, None, p.get("reply_markup"))

    async def _delete_message(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p["chat_id"])
        msg = self._find(chat.chat_id, p["message_id"])
        if msg is None or msg.deleted:
            raise BadRequest("message to delete not found")
        msg.deleted = True
        self._record_activity(msg)
        return True

    async def _answer_callback_query(self, p: dict[str, Any]) -> Any:
        query_id = p["callback_query_id"]
        if query_id not in self._callbacks or query_id in self.callback_answers:
            raise BadRequest(QUERY_TOO_OLD)
        self.callback_answers[query_id] = dict(p)
        self._activity_signal.notify()
        return True

    async def _get_file(self, p: dict[str, Any]) -> Any:
        stored = self.files.get(p["file_id"])
        if stored is None:
            raise BadRequest("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, p: dict[str, Any]) -> Any:
        chat = self._writable_chat(p["chat_id"])
        self.chat_actions.append((chat.chat_id, p["action"]))
        return True

    async def _set_chat_menu_button(self, p: dict[str, Any]) -> Any:
        self.menu_buttons[p.get("chat_id")] = p.get("menu_button") or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, p: dict[str, Any]) -> Any:
        return self.menu_buttons.get(p.get("chat_id"), {"type": "commands"})

    async def _get_chat(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p["chat_id"])
        out = chat.to_api()
        out.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return out

    # -- files and webhooks ---------------------------------------------------------------------

    def _store_file(
        self, data: bytes, folder: str, mime: str | None, file_name: str | None
    ) -> StoredFile:
        n = next(self._ids)
        ext = mimetypes.guess_extension(mime or "") or (
            "." + file_name.rsplit(".", 1)[1] if file_name and "." in file_name else ".bin"
        )
        ext = ".jpg" if ext in (".jpe", ".jpeg") else ext
        width, height = image_size(data) if folder == "photos" else (0, 0)
        stored = StoredFile(
            file_id=f"AgAD{n:06d}{folder[:3]}",
            file_unique_id=f"AQAD{n:06d}",
            data=data,
            file_path=f"{folder}/file_{n}{ext}",
            mime_type=mime,
            file_name=file_name,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a stored file."""
        return self.files[file_id].data

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_webhook(self) -> None:
        """POST pending updates to the webhook, in order, dropping each one answered 2xx."""
        url = self.webhook.get("url")
        if not url or not self._updates:
            return
        if self._webhook_session is None:
            self._webhook_session = ClientSession(timeout=ClientTimeout(total=10))
        headers = {}
        if self.webhook.get("secret_token"):
            headers[WEBHOOK_SECRET_HEADER] = str(self.webhook["secret_token"])
        while self._updates and self.webhook.get("url") == url:
            update = self._updates[0]
            try:
                async with self._webhook_session.post(url, json=update, headers=headers) as r:
                    ok = 200 <= r.status < 300
            except Exception as exc:
                log.warning("webhook delivery failed: %s", exc)
                ok = False
            if not ok:
                return
            with contextlib.suppress(ValueError):
                self._updates.remove(update)


def _reply_to(p: Mapping[str, Any]) -> int | None:
    rp = p.get("reply_parameters")
    if isinstance(rp, dict) and isinstance(rp.get("message_id"), int):
        return int(rp["message_id"])
    return None


def _caption(p: Mapping[str, Any]) -> ParsedText:
    caption = p.get("caption") or ""
    if not caption:
        return ParsedText("", [], [])
    return parse_message_text(caption, p.get("parse_mode"), p.get("caption_entities"))


def _scope_key(scope: Mapping[str, Any] | None) -> str:
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(dict(scope), sort_keys=True)


def _error(exc: ApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.error_code)


_ATTACH_RE = re.compile(r"attach://(.+)")


async def _read_params(
    request: web.Request, method_spec: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and a form, multipart or JSON body."""
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, uploads
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise BadRequest("JSON body must be an object")
        params.update(body)
        return params, uploads
    names = {f["name"] for f in method_spec.get("fields", [])}
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, FileField):
            upload = Upload(value.file.read(), value.filename, value.content_type)
            uploads[key] = upload
            if key in names:
                params[key] = upload
        else:
            params[key] = str(value)
    return params, uploads
