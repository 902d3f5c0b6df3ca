"""Talking to Telegram: send a reply split to the limits, edit in place, retry within a bound.

Below the handlers and the outbox dispatcher; both send through here. What an error means is
decided in `bot.limits`; this module decides what to do about it for one call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from telegram import Bot, InputMediaPhoto, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import limits
from bot.render import Reply

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """How hard one Bot API call is tried: `tries` in all, waiting no longer than `budget_s`."""

    tries: int
    budget_s: float


# Every text is HTML (bot/render/text.py) and shows no link preview: the bot's Defaults
# (bot/app.py) for PTB's typed calls, given outright where a text goes out as JSON.
PARSE_MODE = ParseMode.HTML
NO_PREVIEWS = LinkPreviewOptions(is_disabled=True)

# A reply to a person: it may carry a result (a link, a confirmation), so a flood limit or a
# passing server error is waited out, briefly.
REPLY_RETRY = Retry(tries=3, budget_s=30.0)
# The outbox dispatcher reschedules the row itself: one try per call.
ONCE = Retry(tries=1, budget_s=0.0)
# The wait before trying again after a 5xx or a refused connection (no retry_after given).
SERVER_ERROR_PAUSE_S = 1.0


async def call(make: Callable[[], Awaitable[T]], retry: Retry = ONCE) -> T:
    """Run one Bot API call, again after a 429 or a send that certainly did not go out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry.budget_s
    attempt = 1
    while True:
        try:
            return await make()
        except TelegramError as exc:
            wait = limits.retry_after_seconds(exc)
            if wait is None and limits.certainly_not_sent(exc):
                wait = SERVER_ERROR_PAUSE_S * attempt
            if wait is None or attempt >= retry.tries or loop.time() + wait > deadline:
                raise
            log.warning("Telegram refused a call (%s); again in %.1f s", exc, wait)
            await asyncio.sleep(wait)
            attempt += 1


async def send_reply(bot: Bot, chat_id: int, reply: Reply, retry: Retry = ONCE) -> int:
    """Send a reply, split when too long; buttons go with the last part. Returns the last
    message's id."""
    paid = reply.paid or None  # allow_paid_broadcast, only when asked for
    if reply.voice is not None:
        sent = await _send_voice(bot, chat_id, reply, retry)
    elif reply.attachment is not None:
        attachment = reply.attachment
        markup = reply.markup()
        data = await attachment.content()  # once: a chart is drawn here, not per try
        fits = limits.visible_length(reply.text) <= limits.MAX_CAPTION
        caption = reply.text if fits else None
        send_file = bot.send_photo if attachment.is_photo else bot.send_document
        filename = attachment.filename if isinstance(data, bytes) else None
        message = await call(
            lambda: send_file(
                chat_id,
                data,
                caption=caption,
                filename=filename,
                reply_markup=markup if fits else None,
                allow_paid_broadcast=paid,
            ),
            retry,
        )
        sent = message.message_id
        if not fits:  # too long for a caption: the text follows the file
            rest = Reply(reply.text, reply.buttons, paid=reply.paid)
            sent = await send_reply(bot, chat_id, rest, retry)
    else:
        parts = limits.split_text(reply.text)
        keyboard = reply.keyboard()
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            send = partial(
                _post_text,
                bot,
                "sendMessage",
                chat_id=chat_id,
                text=part,
                reply_markup=keyboard if last else None,
                allow_paid_broadcast=paid,
            )
            answer = await call(send, retry)
            sent = int(answer["message_id"])
    for extra in reply.extra:
        sent = await send_reply(bot, chat_id, extra, retry)
    return sent


async def _post_text(bot: Bot, endpoint: str, **fields: object) -> Any:
    """sendMessage or editMessageText as `Bot.send_message` makes it (the same JSON, through
    the same rate limiter and request), minus building a `Message` and its keyboard from the
    answer: that costs more than the rest of a reply, and only the message's id is used."""
    data = {**fields, "parse_mode": PARSE_MODE, "link_preview_options": NO_PREVIEWS}
    return await bot._post(endpoint, data)


async def _send_voice(bot: Bot, chat_id: int, reply: Reply, retry: Retry) -> int:
    """A voice message by its file id (relayed, never downloaded), the text as its caption."""
    assert reply.voice is not None
    voice, markup = reply.voice, reply.markup()
    fits = limits.visible_length(reply.text) <= limits.MAX_CAPTION
    message = await call(
        lambda: bot.send_voice(
            chat_id,
            voice.file_id,
            caption=reply.text if fits else None,
            duration=voice.seconds,
            reply_markup=markup if fits else None,
        ),
        retry,
    )
    if not fits:  # too long for a caption: the text follows the voice message
        return await send_reply(bot, chat_id, Reply(reply.text, reply.buttons), retry)
    return message.message_id


def has_file(message: Message) -> bool:
    """A photo or document (or any media): its text is a caption, it cannot become text."""
    return message.text is None


async def edit_reply(bot: Bot, source: Message, reply: Reply, retry: Retry = ONCE) -> bool:
    """Show `reply` in place of `source`; False when it cannot be (send it anew instead).

    A text message is edited into one text part; a photo into another photo with its
    caption (editMessageMedia: a chart browsed by quarter). A message with a file is never
    edited as text, nor given a new caption: its file would be wrong for the new text (a
    guidance step's picture under the next step). Other replies with a file, in parts, or
    with extra messages go anew.
    """
    if reply.voice is not None or reply.extra:
        return False
    if reply.attachment is not None:
        return await _edit_photo(bot, source, reply, retry)
    if has_file(source):
        return False
    return await edit_text(bot, source.chat_id, source.message_id, reply, retry)


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, reply: Reply, retry: Retry = ONCE
) -> bool:
    """Show `reply` (one text part, no file) in the text message `message_id`; False when
    it cannot be (too old, deleted, not text: send it anew instead)."""
    parts = limits.split_text(reply.text)
    if reply.attachment is not None or reply.voice is not None or reply.extra or len(parts) > 1:
        return False
    edit = partial(
        _post_text,
        bot,
        "editMessageText",
        chat_id=chat_id,
        message_id=message_id,
        text=parts[0],
        reply_markup=reply.keyboard(),
    )
    return await _edited(edit, retry)


async def _edit_photo(bot: Bot, source: Message, reply: Reply, retry: Retry) -> bool:
    """A photo in place of a photo, with the reply's caption and buttons."""
    attachment = reply.attachment
    assert attachment is not None
    fits = limits.visible_length(reply.text) <= limits.MAX_CAPTION
    if not (attachment.is_photo and source.photo and fits):
        return False
    data = await attachment.content()
    media = InputMediaPhoto(data, caption=reply.text, filename=attachment.filename)
    return await _edited(
        lambda: bot.edit_message_media(
            media,
            chat_id=source.chat_id,
            message_id=source.message_id,
            reply_markup=reply.markup(),
        ),
        retry,
    )


async def _edited(make: Callable[[], Awaitable[object]], retry: Retry) -> bool:
    try:
        await call(make, retry)
    except TelegramError as exc:
        outcome = limits.classify(exc)
        if outcome is limits.SendOutcome.NOT_MODIFIED:
            return True
        if outcome is limits.SendOutcome.REJECTED:  # too old to edit, deleted, ...
            return False
        raise
    return True
