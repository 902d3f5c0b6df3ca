"""Groups -2 and -1: updates the bot does not serve stop here, before any handler."""

from __future__ import annotations

import logging

from telegram import MessageEntity, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext, Deps
from bot.flood import FloodLimits, Verdict
from bot.inbox import processor_of
from bot.render import common as render
from bot.sending import send_reply
from bot.services import inbox, people
from db.models import InboxOutcome, Role

log = logging.getLogger(__name__)


async def guard_flood(update: Update, context: BotContext) -> None:
    """Past its allowance a chat's updates are recorded as dropped, with one polite word."""
    chat = update.effective_chat
    if chat is None:
        return
    deps, user = context.deps, update.effective_user
    control = processor_of(context.application).flood

    async def allowance() -> int:
        return await _allowance(deps, user, control.limits)

    verdict = await control.admit(chat.id, deps.clock.now(), allowance)
    if verdict is Verdict.ADMIT:
        return
    async with deps.sessions() as db, db.begin():
        await inbox.mark_handled(db, deps.clock, update.update_id, InboxOutcome.DROPPED)
        person = None
        if verdict is Verdict.DROP_AND_TELL and user is not None:
            person = await people.find_by_telegram_id(db, user.id)
    if verdict is Verdict.DROP_AND_TELL:
        log.info("chat %s is flooding; its updates are dropped for a while", chat.id)
        tr = deps.i18n.translator(person.locale if person else None)
        try:
            await send_reply(context.bot, chat.id, render.slow_down(tr))
        except TelegramError as exc:
            log.warning("could not ask chat %s to slow down: %s", chat.id, exc)
    raise ApplicationHandlerStop


async def _allowance(deps: Deps, user: User | None, limits: FloodLimits) -> int:
    """Coordinators get more room (they invite and answer in bursts)."""
    if user is None:
        return limits.person
    if user.id in deps.settings.bot_coordinators:
        return limits.coordinator
    async with deps.sessions() as db, db.begin():
        person = await people.find_by_telegram_id(db, user.id)
    if person is not None and person.has_role(Role.COORDINATOR):
        return limits.coordinator
    return limits.person


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
