"""The Bot API methods the local server answers, acting on its world as Telegram would."""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.localapi.errors import ApiError, BadRequest
from bot.localapi.faults import FORBIDDEN_BLOCKED
from bot.localapi.formatting import ParsedText, parse_message_text
from bot.localapi.model import MEDIA_KINDS, SentMessage, SimChat, StoredFile
from bot.localapi.spec import Spec, Upload
from bot.localapi.world import World, scope_key

MAX_UPDATES_PER_CALL = 100  # getUpdates limit ceiling
FOLDERS = {"photo": "photos", "document": "documents", "voice": "voice"}  # as Telegram's paths
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class BotMethods:
    """One handler per Bot API method the bot uses; any other method is accepted as a no-op."""

    def __init__(self, world: World, spec: Spec) -> None:
        """Act on this world; the spec names what the other methods return."""
        self.world = world
        self.spec = spec
        self._allowed_updates: list[str] = []
        self._uploads: dict[str, Upload] = {}  # the file parts of the call being answered
        self.table: dict[str, Handler] = {
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
            "sendVoice": self._send_voice,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
        }

    async def call(
        self, name: str, params: dict[str, Any], uploads: Mapping[str, Upload] | None = None
    ) -> Any:
        """The result of a checked call (ApiError when Telegram would refuse it); `uploads`
        are the request's file parts, which "attach://<name>" inside a JSON object names."""
        self._uploads = dict(uploads or {})
        handler = self.table.get(name)
        if handler is not None:
            return await handler(params)
        if self.spec.returns(name) == ["Message"] and "chat_id" in params:
            chat = self._chat(params["chat_id"])
            msg = self.world.new_message(chat, from_bot=True, kind="other", text="", html="")
            self.world.record_activity(msg)
            return msg.to_api(chat, self.world.bot_user())
        return True

    def _chat(self, chat_id: Any) -> SimChat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.world.chats.values():
                if chat.user and chat.user.username == chat_id[1:]:
                    return chat
            raise BadRequest("chat not found")
        found = self.world.chats.get(int(chat_id))
        if found is None:
            raise BadRequest("chat not found")
        return found

    def _writable_chat(self, chat_id: Any) -> SimChat:
        chat = self._chat(chat_id)
        if chat.user is not None and chat.user.blocked_bot:
            raise ApiError(403, FORBIDDEN_BLOCKED)
        return chat

    async def _get_me(self, p: dict[str, Any]) -> Any:
        return self.world.bot_user()

    async def _get_updates(self, p: dict[str, Any]) -> Any:
        if self.world.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        if offset is not None:
            if offset < 0:
                self.world.updates = self.world.updates[offset:]
            else:
                self.world.updates = [u for u in self.world.updates if u["update_id"] >= offset]
        if p.get("allowed_updates"):
            self._allowed_updates = list(p["allowed_updates"])
        limit = max(1, min(int(p.get("limit") or MAX_UPDATES_PER_CALL), MAX_UPDATES_PER_CALL))
        timeout = float(p.get("timeout") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = [u for u in self.world.updates if self._allowed(u)]
            if ready or self.world.closing:
                return ready[:limit]
            if not await self.world.update_signal.wait(deadline - loop.time()):
                return []

    def _allowed(self, update: dict[str, Any]) -> bool:
        if not self._allowed_updates:
            return True
        return any(k in self._allowed_updates for k in update if k != "update_id")

    async def _set_webhook(self, p: dict[str, Any]) -> Any:
        self.world.webhook = {k: v for k, v in p.items() if k != "certificate"}
        if p.get("drop_pending_updates"):
            self.world.updates.clear()
        if self.world.updates and p.get("url"):
            self.world.updates_queued()
        return True

    async def _delete_webhook(self, p: dict[str, Any]) -> Any:
        self.world.webhook = {}
        if p.get("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def _get_webhook_info(self, p: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.world.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if "allowed_updates" in self.world.webhook:
            info["allowed_updates"] = self.world.webhook["allowed_updates"]
        return info

    async def _set_my_commands(self, p: dict[str, Any]) -> Any:
        key = (scope_key(p.get("scope")), p.get("language_code", ""))
        self.world.my_commands[key] = list(p["commands"])
        return True

    async def _get_my_commands(self, p: dict[str, Any]) -> Any:
        return self.world.commands(p.get("scope"), p.get("language_code", ""))

    async def _delete_my_commands(self, p: dict[str, Any]) -> Any:
        self.world.my_commands.pop((scope_key(p.get("scope")), p.get("language_code", "")), None)
        return True

    async def _send_message(self, p: dict[str, Any]) -> Any:
        chat = self._writable_chat(p["chat_id"])
        parsed = parse_message_text(p["text"], p.get("parse_mode"), p.get("entities"))
        return self._bot_sends(chat, p, "text", parsed, p["text"])

    def _file(self, value: Any, kind: str) -> StoredFile:
        """The file a call names: a new upload, or one the server holds by its id."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = self._uploads.get(value.removeprefix("attach://"), value)
        if isinstance(value, Upload):
            mime = value.content_type or mimetypes.guess_type(value.filename or "")[0]
            return self.world.store_file(value.data, FOLDERS[kind], mime, value.filename)
        if value in self.world.files:
            return self.world.files[value]
        raise BadRequest("wrong file identifier/HTTP URL specified")

    async def _send_media(self, p: dict[str, Any], kind: str) -> Any:
        chat = self._writable_chat(p["chat_id"])
        files: dict[str, Any] = {f"{kind}_file": self._file(p[kind], kind)}
        if kind == "voice":
            files["voice_duration"] = int(p.get("duration") or 0)
        return self._bot_sends(chat, p, kind, _caption(p), p.get("caption", ""), **files)

    def _bot_sends(
        self,
        chat: SimChat,
        p: dict[str, Any],
        kind: str,
        parsed: ParsedText,
        html: str,
        **files: Any,
    ) -> Any:
        msg = self.world.new_message(
            chat,
            from_bot=True,
            kind=kind,
            text=parsed.text,
            html=html,
            parse_mode=p.get("parse_mode"),
            entities=parsed.entities,
            tree=parsed.tree,
            reply_markup=p.get("reply_markup"),
            reply_to_message_id=_reply_to(p),
            **files,
        )
        self.world.record_activity(msg)
        return msg.to_api(chat, self.world.bot_user())

    async def _send_photo(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "photo")

    async def _send_document(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "document")

    async def _send_voice(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "voice")

    def _editable(self, p: dict[str, Any]) -> tuple[SimChat, SentMessage]:
        if "inline_message_id" in p:
            raise BadRequest("MESSAGE_ID_INVALID")
        if "chat_id" not in p or "message_id" not in p:
            raise BadRequest("message identifier is not specified")
        chat = self._chat(p["chat_id"])
        msg = self.world.find_message(chat.chat_id, p["message_id"])
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
        msg.edit_date = self.world.timestamp()
        msg.edits += 1
        self.world.record_activity(msg)
        return msg.to_api(chat, self.world.bot_user())

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
        if msg.kind not in MEDIA_KINDS:
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

    async def _edit_message_media(self, p: dict[str, Any]) -> Any:
        """A photo or document in place of a message's file (or added to a text message)."""
        chat, msg = self._editable(p)
        media = p["media"]
        kind = media["type"]
        if kind not in ("photo", "document"):
            raise BadRequest(f"the local server does not edit media into {kind}")
        if msg.kind == "voice":
            raise BadRequest("MESSAGE_NOT_MODIFIED: can't change the type of a voice message")
        stored = self._file(media["media"], kind)
        parsed = _caption(media)
        markup = p.get("reply_markup")
        current = msg.photo_file if kind == "photo" else msg.document_file
        same_file = current is not None and current.file_id == stored.file_id
        same_text = parsed.text == msg.text and parsed.entities == msg.entities
        if same_file and same_text and (markup or None) == (msg.reply_markup or None):
            raise BadRequest(NOT_MODIFIED)
        msg.kind = kind
        msg.photo_file = stored if kind == "photo" else None
        msg.document_file = stored if kind == "document" else None
        msg.text, msg.entities, msg.tree = parsed.text, parsed.entities, parsed.tree
        msg.html = media.get("caption", "")
        msg.parse_mode = media.get("parse_mode")
        msg.reply_markup = markup or None
        msg.edit_date = self.world.timestamp()
        msg.edits += 1
        self.world.record_activity(msg)
        return msg.to_api(chat, self.world.bot_user())

    async def _delete_message(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p["chat_id"])
        msg = self.world.find_message(chat.chat_id, p["message_id"])
        if msg is None or msg.deleted:
            raise BadRequest("message to delete not found")
        msg.deleted = True
        self.world.record_activity(msg)
        return True

    async def _answer_callback_query(self, p: dict[str, Any]) -> Any:
        query_id = p["callback_query_id"]
        if query_id not in self.world.queries or query_id in self.world.callback_answers:
            raise BadRequest(QUERY_TOO_OLD)
        self.world.record_answer(query_id, dict(p))
        return True

    async def _get_file(self, p: dict[str, Any]) -> Any:
        stored = self.world.files.get(p["file_id"])
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
        self.world.chat_actions.append((chat.chat_id, p["action"]))
        return True

    async def _set_chat_menu_button(self, p: dict[str, Any]) -> Any:
        chat_id = p.get("chat_id")
        self.world.set_menu_button(None if chat_id is None else int(chat_id), p.get("menu_button"))
        return True

    async def _get_chat_menu_button(self, p: dict[str, Any]) -> Any:
        chat_id = p.get("chat_id")
        if chat_id is None:
            return self.world.menu_buttons.get(None, {"type": "commands"})
        return self.world.menu_button(int(chat_id))

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
