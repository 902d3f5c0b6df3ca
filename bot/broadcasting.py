"""The live progress view of broadcasts: started when due, edited every few seconds, summed up.

A repeating job looks at the database (any process may run it: each view is claimed before it
is edited), so a restart picks the views up where they were. The view is the coordinator's
own message; when it can no longer be edited, a new one takes its place.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot import limits, sending
from bot.context import Deps
from bot.dispatcher.pacing import pacer_of
from bot.render import Reply
from bot.render import broadcasts as render
from bot.services import broadcasts, people
from bot.services.broadcasts import View

log = logging.getLogger(__name__)

# The progress view is edited at most this often.
PROGRESS_EVERY = timedelta(seconds=3)


def sectors(deps: Deps) -> dict[str, str]:
    return {sector.key: sector.name for sector in deps.content.sectors}


def seconds_left(deps: Deps, bot: Bot, view: View) -> float:
    """The time the remaining rows need at the outbox's pace."""
    pacer = pacer_of(bot, deps.settings.max_sends_per_second)
    return pacer.seconds_for(view.counts.remaining, paid=view.content.paid)


def estimate(deps: Deps, bot: Bot, recipients: int, *, paid: bool) -> tuple[float, float | None]:
    """What sending to `recipients` people takes: seconds at the outbox's pace, and the
    Stars it costs when it goes out as a paid broadcast (None when it does not)."""
    pacer = pacer_of(bot, deps.settings.max_sends_per_second)
    cost = recipients * broadcasts.STARS_PER_MESSAGE if paid else None
    return pacer.seconds_for(recipients, paid=paid), cost


async def refresh(deps: Deps, bot: Bot) -> int:
    """Start the scheduled broadcasts now due; edit the views that changed. How many edited."""
    async with deps.sessions() as db, db.begin():
        started = await broadcasts.start_due(db, deps.clock)
        due = await broadcasts.progress_due(db, deps.clock, PROGRESS_EVERY)
        screens: list[tuple[View, Reply]] = []
        for item in due:
            view = item.view
            watcher = (
                await people.find_by_telegram_id(db, view.progress_chat_id)
                if view.progress_chat_id is not None
                else None
            )
            tr = deps.i18n.translator(watcher.locale if watcher is not None else None)
            if item.finished:
                unreached = await broadcasts.unreached(db, view.id)
                reply = render.summary(tr, view, sectors(deps), unreached)
            else:
                reply = render.progress(tr, view, sectors(deps), seconds_left(deps, bot, view))
            screens.append((view, reply))
    if started:
        deps.wake_dispatcher()
    for view, reply in screens:
        await show(deps, bot, view, reply)
    return len(screens)


async def show(deps: Deps, bot: Bot, view: View, reply: Reply) -> None:
    """Edit the view in place; when it cannot be edited, send it anew and remember that one."""
    chat_id, message_id = view.progress_chat_id, view.progress_message_id
    if chat_id is None:
        return
    token = limits.SENDING_LANE.set(limits.Lane.BACKGROUND)  # the view waits for replies
    try:
        if message_id is not None and await sending.edit_text(bot, chat_id, message_id, reply):
            return
        sent = await sending.send_reply(bot, chat_id, reply)
    except TelegramError as exc:
        log.warning("broadcast %s: progress view not shown (%s)", view.id, exc)
        return
    finally:
        limits.SENDING_LANE.reset(token)
    async with deps.sessions() as db, db.begin():
        await broadcasts.show_progress_in(db, view.id, chat_id, sent)
