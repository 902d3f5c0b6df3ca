"""People in end-to-end tests: one simulated Telegram user each, driving the local Bot API."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

from bot.localapi import Button, LocalBotApi, SentMessage

REPLY_TIMEOUT = 5.0  # seconds a person waits for the bot to react
# Only for a bot that gives no "update done" signal (another process, the server's tiny
# bot): after its first reaction, how long it may stay silent before the turn counts as done.
SETTLE_SECONDS = 0.12
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """Text with tags stripped and entities decoded, lower-cased, for matching."""
    return html.unescape(_TAG.sub("", text)).casefold()


def describe(msg: SentMessage) -> str:
    """One bot message as a short line for failure reports."""
    text = msg.text if len(msg.text) <= 300 else msg.text[:300] + "…"
    labels = " | ".join(b.text for row in msg.buttons for b in row)
    media = (
        " [foto]"
        if msg.photo_file
        else " [dokumen]"
        if msg.document_file
        else f" [suara {msg.voice_duration} s]"
        if msg.voice_file
        else ""
    )
    edited = " (diedit)" if msg.edits else ""
    buttons = f"\n      buttons: {labels}" if labels else ""
    return f"  #{msg.message_id}{edited}{media}: {text!r}{buttons}"


class UpdatesDone:
    """The bot's own signal that an update is completely done (`on_update_done`), by id."""

    def __init__(self) -> None:
        self._done: set[int] = set()
        self._waiting: dict[int, asyncio.Event] = {}

    def __call__(self, update_id: int) -> None:
        self._done.add(update_id)
        event = self._waiting.pop(update_id, None)
        if event is not None:
            event.set()

    async def wait(self, update_id: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Whether the update was done within `timeout` seconds."""
        if update_id in self._done:
            return True
        event = self._waiting.setdefault(update_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Person:
    """Drives one simulated user against LocalBotApi."""

    def __init__(
        self,
        api: LocalBotApi,
        user_id: int,
        first_name: str,
        language_code: str = "id",
        *,
        done: UpdatesDone | None = None,
    ) -> None:
        """Make the user known to the server (a private chat with the bot).

        With `done`, each step waits for the bot to finish the update it sent; without it
        (a bot in another process), for the first reaction and a short silence.
        """
        self.api = api
        self.user_id = user_id
        self.first_name = first_name
        self.done = done
        api.add_chat_user(user_id, first_name, language_code=language_code)
        self._mark = api.activity_mark()
        self.last_toast: str | None = None

    def __repr__(self) -> str:
        return f"Person({self.first_name!r}, {self.user_id})"

    # -- reading -----------------------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """The bot's messages to this person, oldest first, edits applied."""
        return self.api.chat_messages(self.user_id)

    @property
    def last(self) -> SentMessage:
        """The bot message most recently sent or edited in this chat."""
        touched = [m for m in self.api.activity_since(0, self.user_id) if not m.deleted]
        if not touched:
            raise AssertionError(f"{self} has no message from the bot yet")
        return touched[-1]

    def buttons(self) -> list[str]:
        """Labels of the newest inline keyboard in this chat."""
        for msg in reversed(self.messages):
            if msg.buttons:
                return [b.text for row in msg.buttons for b in row]
        return []

    def transcript(self, count: int = 5) -> str:
        """The last few bot messages, for assertion messages."""
        msgs = self.messages[-count:]
        if not msgs:
            return "  (the bot has sent nothing to this person)"
        return "\n".join(describe(m) for m in msgs)

    # -- acting -----------------------------------------------------------------------------

    async def send(self, text: str, entities: list[dict[str, Any]] | None = None) -> SentMessage:
        """Send a text (with formatting `entities`) and return the bot's newest reaction."""
        mark = self._begin()
        update = await self.api.user_sends_text(self.user_id, text, entities=entities)
        return await self._reaction(mark, f"sending {text!r}", update["update_id"])

    async def send_photo(self, data: bytes, caption: str | None = None) -> SentMessage:
        """Send a photo and return the bot's newest reaction."""
        mark = self._begin()
        update = await self.api.user_sends_photo(self.user_id, data, caption=caption)
        return await self._reaction(mark, "sending a photo", update["update_id"])

    async def send_voice(
        self, data: bytes, seconds: int, *, reply_to: int | None = None
    ) -> SentMessage:
        """Send a voice message (`seconds` long, maybe as a reply); the bot's reaction."""
        mark = self._begin()
        update = await self.api.user_sends_voice(
            self.user_id, data, seconds, reply_to_message_id=reply_to
        )
        return await self._reaction(mark, "sending a voice message", update["update_id"])

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime: str = "application/pdf",
        caption: str | None = None,
    ) -> SentMessage:
        """Send a document and return the bot's newest reaction."""
        mark = self._begin()
        update = await self.api.user_sends_document(
            self.user_id, data, file_name, mime, caption=caption
        )
        return await self._reaction(mark, f"sending document {file_name!r}", update["update_id"])

    async def press(self, label: str) -> SentMessage:
        """Tap the button with this label (exact, then case-insensitive prefix); the reaction."""
        msg, button = self._find_button(label)
        return await self.press_data(button.data, msg.message_id, _why=f"pressing {label!r}")

    tap = press

    async def press_data(
        self, callback_data: str, message_id: int | None = None, *, _why: str = ""
    ) -> SentMessage:
        """Send a callback query with any data (stale or forged taps); the reaction."""
        if message_id is None:
            if not self.messages:
                raise AssertionError(f"{self}: no bot message to press a button on")
            message_id = self.messages[-1].message_id
        mark = self._begin()
        query_id = await self.api.user_presses(self.user_id, message_id, callback_data)
        why = _why or f"pressing callback data {callback_data!r} on #{message_id}"
        return await self._reaction(mark, why, self._update_of(query_id), query_id=query_id)

    async def expect(self, fragment: str, timeout: float = REPLY_TIMEOUT) -> SentMessage:  # noqa: ASYNC109
        """Wait until a bot message sent or edited since the last action contains fragment."""
        needle = _plain(fragment)
        try:
            return await self.api.wait_for_bot_message(
                self.user_id,
                lambda m: needle in _plain(m.text) or needle in _plain(m.html),
                timeout=timeout,
                after_index=self._mark,
            )
        except TimeoutError:
            raise AssertionError(
                f"{self} waited {timeout:.1f}s for a bot message containing {fragment!r}; "
                f"last bot messages:\n{self.transcript()}"
            ) from None

    async def quiet(self, seconds: float = 0.5) -> None:
        """Assert the bot sends or edits nothing in this chat for `seconds`."""
        mark = self.api.activity_mark()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (remaining := deadline - loop.time()) > 0:
            await self.api.wait_for_activity(remaining)
            news = [m for m in self.api.activity_since(mark, self.user_id) if not m.deleted]
            if news:
                raise AssertionError(
                    f"{self} expected silence for {seconds:.1f}s but the bot sent:\n"
                    + "\n".join(describe(m) for m in news)
                )

    # -- internals ----------------------------------------------------------------------------

    def _begin(self) -> int:
        self._mark = self.api.activity_mark()
        self.last_toast = None
        return self._mark

    def _find_button(self, label: str) -> tuple[SentMessage, Button]:
        wanted = label.casefold()
        for exact in (True, False):
            for msg in reversed(self.messages):
                for row in msg.buttons:
                    for button in row:
                        name = button.text.casefold()
                        if (button.text == label) if exact else name.startswith(wanted):
                            if not _is_callback(msg, button):
                                raise AssertionError(
                                    f"{self}: button {button.text!r} opens a link, not a tap"
                                )
                            return msg, button
        raise AssertionError(
            f"{self}: no button {label!r}; buttons now: {self.buttons()}\n"
            f"last bot messages:\n{self.transcript()}"
        )

    def _update_of(self, query_id: str) -> int:
        """The update id the server gave a tap (it is pending until the bot polls next)."""
        for update in self.api.pending_updates:
            if update.get("callback_query", {}).get("id") == query_id:
                return int(update["update_id"])
        raise AssertionError(f"{self}: the server has no update for tap {query_id}")

    async def _reaction(
        self, mark: int, why: str, update_id: int, *, query_id: str | None = None
    ) -> SentMessage:
        """Wait until the bot is done with the update (or has reacted and settled)."""
        if self.done is not None:
            if not await self.done.wait(update_id, REPLY_TIMEOUT):
                raise AssertionError(
                    f"{self}: the bot did not finish {why} within {REPLY_TIMEOUT:.0f}s; "
                    f"last bot messages:\n{self.transcript()}"
                )
            if not self._news(mark) and not self._toasted(query_id):
                raise AssertionError(self._silent(f"answered nothing to {why}", query_id))
        else:
            await self._settle(mark, why, query_id)
        if query_id is not None:
            answer = self.api.callback_answers.get(query_id)
            self.last_toast = answer.get("text") if answer else None
        news = self._news(mark)
        if news:
            return news[-1]
        return self.last

    async def _settle(self, mark: int, why: str, query_id: str | None) -> None:
        """The first bot message or edit since mark, then a short silence."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT
        while not self._news(mark) and not self._toasted(query_id):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    self._silent(f"did not react within {REPLY_TIMEOUT:.0f}s to {why}", query_id)
                )
            await self.api.wait_for_activity(remaining)
        while loop.time() < deadline and await self.api.wait_for_activity(SETTLE_SECONDS):
            pass

    def _silent(self, what: str, query_id: str | None) -> str:
        """The failure text for a step the bot answered with nothing a person sees."""
        answered = query_id is not None and query_id in self.api.callback_answers
        note = " (it answered the tap silently)" if answered else ""
        return f"{self}: the bot {what}{note}; last bot messages:\n{self.transcript()}"

    def _news(self, mark: int) -> list[SentMessage]:
        return [m for m in self.api.activity_since(mark, self.user_id) if not m.deleted]

    def _toasted(self, query_id: str | None) -> bool:
        """Only a toast (answerCallbackQuery with text) also counts as a reaction."""
        if query_id is None:
            return False
        answer = self.api.callback_answers.get(query_id)
        return bool(answer and answer.get("text"))


def _is_callback(msg: SentMessage, button: Button) -> bool:
    for row in (msg.reply_markup or {}).get("inline_keyboard", []):
        for raw in row:
            if raw.get("text") == button.text and "callback_data" in raw:
                return True
    return False
