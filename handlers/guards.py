"""Group -1: updates the bot does not serve stop here, before any handler or transaction."""

from __future__ import annotations

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.render import common as render


async def guard_private_chats(update: Update, context: BotContext) -> None:
    """Serve private chats only; in groups answer only a command addressed to us."""
    if update.edited_message is not None or update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.message
    if message is not None and message.text and _is_our_command(message.text, context):
        entities = message.parse_entities([MessageEntity.BOT_COMMAND])
        if entities and next(iter(entities)).offset == 0:
            await message.reply_text(render.group_notice(context.deps.i18n.translator()).text)
    raise ApplicationHandlerStop


def _is_our_command(text: str, context: BotContext) -> bool:
    first = text.split(maxsplit=1)[0]
    if not first.startswith("/"):
        return False
    _, _, mention = first.partition("@")
    return not mention or mention.lower() == (context.bot.username or "").lower()
