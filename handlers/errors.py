"""The last resort: errors outside the handler wrapper (jobs, internals, Telegram itself)."""

from __future__ import annotations

import logging
import secrets

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.context import BotContext
from bot.render import common as render

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log with the update id (never its contents) and tell the person, in Indonesian."""
    incident = secrets.token_hex(2).upper()
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, NetworkError) and update_id is None:
        log.warning("network trouble talking to Telegram: %s", context.error)
        return
    log.error(
        "unhandled error, update %s, incident %s", update_id, incident, exc_info=context.error
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        reply = render.trouble(context.deps.i18n.translator(), incident)
        await context.bot.send_message(update.effective_chat.id, reply.text)
    except TelegramError:
        log.warning("could not tell chat about incident %s", incident)
