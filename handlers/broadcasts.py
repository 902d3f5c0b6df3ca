"""Kirim siaran and /siaran: a coordinator writes a message, picks an audience, sees the
preview, sends it now or schedules it, and watches it go out (pause, go on, cancel)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel
from telegram import Message

from bot import broadcasting
from bot.i18n import N_
from bot.render import broadcasts as render
from bot.render.broadcasts import BroadcastAction, BroadcastButton
from bot.render.common import MenuKey
from bot.services import agencies, broadcasts
from bot.services.broadcasts import BadMoment, Content, Target, View
from bot.services.errors import Stale
from db.models import Audience, BroadcastState, FileKind, Role
from handlers.base import Turn
from handlers.router import Dialogue, Flow, Router

router = Router("broadcasts", roles={Role.COORDINATOR}, outbox_kinds=(broadcasts.KIND,))


class Step(StrEnum):
    MESSAGE = "message"  # the message to send is asked for
    MOMENT = "moment"  # the date and time to send it is asked for


class Draft(BaseModel):
    broadcast_id: int | None = None
    reschedule: bool = False  # a scheduled broadcast gets a new moment


FLOW = Flow("broadcast", Step, Draft)


def _content(t: Turn, message: Message | None) -> Content | None:
    """What the coordinator sent, as recipients will get it: their formatting, their file."""
    if message is None:
        return None
    paid = t.deps.settings.paid_broadcast
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Content(message.caption_html or "", largest.file_id, FileKind.PHOTO, paid)
    if message.document is not None:
        return Content(
            message.caption_html or "", message.document.file_id, FileKind.DOCUMENT, paid
        )
    if message.text:
        return Content(message.text_html, None, None, paid)
    return None


def _shown_in(t: Turn) -> tuple[int, int] | None:
    """The chat and message whose button was tapped: it becomes the progress view."""
    query = t.update.callback_query
    if query is None or query.message is None:
        return None
    return t.chat_id, query.message.message_id


def _example(t: Turn) -> str:
    """Tomorrow at 09.00, as the coordinator would type it."""
    tomorrow = t.deps.calendar.local_date(t.clock.now()) + timedelta(days=1)
    return render.moment_example(t.tr, t.deps.calendar.at_local(tomorrow, 9, 0))


@router.menu(MenuKey.BROADCAST)
async def write_broadcast(t: Turn) -> None:
    """Ask for the message; what the coordinator sends next is the broadcast."""
    await FLOW.begin(t, Step.MESSAGE, Draft())
    t.edit(render.ask_for_message(t.tr))


@router.action(BroadcastButton, BroadcastAction.NEW)
async def write_another(t: Turn, button: BroadcastButton) -> None:
    await write_broadcast(t)


@router.command("siaran", N_("Broadcasts"))
async def list_broadcasts(t: Turn) -> None:
    """Scheduled and past broadcasts with their counts."""
    views = await broadcasts.history(t.db)
    t.reply(render.history(t.tr, views, broadcasting.sectors(t.deps)))


@router.action(BroadcastButton, BroadcastAction.LIST)
async def show_broadcasts(t: Turn, button: BroadcastButton) -> None:
    await FLOW.finish(t)
    views = await broadcasts.history(t.db)
    t.edit(render.history(t.tr, views, broadcasting.sectors(t.deps)))


@router.step(FLOW, Step.MESSAGE)
async def take_message(t: Turn, dialogue: Dialogue[Step, Draft]) -> None:
    content = _content(t, t.message)
    if content is None:
        t.reply(render.ask_for_message(t.tr, again=True))
        return
    draft = await broadcasts.create_draft(t.db, t.clock, t.me.id, content)
    await FLOW.finish(t)
    picked = await broadcasts.picked(t.db, t.me.id)
    t.reply(render.choose_audience(t.tr, draft.id, len(picked)))


def _broadcast(button: BroadcastButton) -> int:
    if button.broadcast is None:
        raise Stale()
    return button.broadcast


@router.action(BroadcastButton, BroadcastAction.CHOOSE)
async def choose_audience(t: Turn, button: BroadcastButton) -> None:
    picked = await broadcasts.picked(t.db, t.me.id)
    t.edit(render.choose_audience(t.tr, _broadcast(button), len(picked)))


@router.action(BroadcastButton, BroadcastAction.AUDIENCE)
async def pick_audience(t: Turn, button: BroadcastButton) -> None:
    """An audience; a sector or an agency is asked for first when it needs one."""
    broadcast_id, audience = _broadcast(button), button.audience
    if audience is None:
        raise Stale()
    if audience is Audience.SECTOR and button.sector is None:
        t.edit(render.choose_sector(t.tr, broadcast_id, broadcasting.sectors(t.deps)))
        return
    if audience is Audience.AGENCY and button.agency is None:
        found = [(a.id, a.name) for a in await agencies.all_agencies(t.db)]
        t.edit(render.choose_agency(t.tr, broadcast_id, found))
        return
    if button.sector is not None and button.sector not in broadcasting.sectors(t.deps):
        raise Stale()
    picked = await broadcasts.picked(t.db, t.me.id) if audience is Audience.PICKED else ()
    await broadcasts.set_target(
        t.db, broadcast_id, Target(audience, button.sector, button.agency, people=picked)
    )
    await _preview(t, broadcast_id)


async def _preview(t: Turn, broadcast_id: int) -> None:
    """The message as recipients see it, then the audience, the time and the cost."""
    view, reach = await broadcasts.draft_reach(t.db, broadcast_id)
    seconds, cost = broadcasting.estimate(
        t.deps, t.bot, len(reach.recipients), paid=view.content.paid
    )
    t.reply(render.preview(t.tr, view, reach, broadcasting.sectors(t.deps), seconds, cost))


@router.action(BroadcastButton, BroadcastAction.DISCARD)
async def discard_draft(t: Turn, button: BroadcastButton) -> None:
    await FLOW.finish(t)
    t.edit(render.discarded(t.tr))


@router.action(BroadcastButton, BroadcastAction.SEND)
async def send_now(t: Turn, button: BroadcastButton) -> None:
    """Plan every recipient's row; this message becomes the live progress view."""
    shown_in = _shown_in(t)
    if shown_in is None:
        raise Stale()
    view = await broadcasts.send_now(t.db, t.clock, _broadcast(button), t.me.id, shown_in)
    _show_progress(t, view)
    t.wake_dispatcher()


def _show_progress(t: Turn, view: View) -> None:
    left = broadcasting.seconds_left(t.deps, t.bot, view)
    t.edit(render.progress(t.tr, view, broadcasting.sectors(t.deps), left))


@router.action(BroadcastButton, BroadcastAction.SCHEDULE)
@router.action(BroadcastButton, BroadcastAction.RESCHEDULE)
async def ask_for_moment(t: Turn, button: BroadcastButton) -> None:
    again = button.action is BroadcastAction.RESCHEDULE
    await FLOW.begin(t, Step.MOMENT, Draft(broadcast_id=_broadcast(button), reschedule=again))
    t.reply(render.ask_for_moment(t.tr, _example(t)))


@router.step(FLOW, Step.MOMENT)
async def take_moment(t: Turn, dialogue: Dialogue[Step, Draft]) -> None:
    broadcast_id = dialogue.data.broadcast_id
    if broadcast_id is None:
        raise Stale()
    try:
        at = broadcasts.parse_moment(t.text, t.clock, t.deps.calendar)
    except BadMoment:
        t.reply(render.bad_moment(t.tr, _example(t)))
        return
    await FLOW.finish(t)
    if dialogue.data.reschedule:
        view = await broadcasts.reschedule(t.db, t.clock, broadcast_id, at, t.me.id)
    else:
        # When its moment comes, the progress view is a new message in this chat.
        view = await broadcasts.schedule(
            t.db, t.clock, broadcast_id, at, t.me.id, (t.chat_id, None)
        )
    t.reply(render.scheduled(t.tr, view, broadcasting.sectors(t.deps)))


@router.action(BroadcastButton, BroadcastAction.OPEN)
async def open_broadcast(t: Turn, button: BroadcastButton) -> None:
    """One broadcast: its schedule, its live view, or its summary."""
    view = await broadcasts.view(t.db, _broadcast(button))
    await _show(t, view)


async def _show(t: Turn, view: View) -> None:
    if view.state is BroadcastState.SCHEDULED:
        t.edit(render.scheduled(t.tr, view, broadcasting.sectors(t.deps)))
    elif view.state in broadcasts.ACTIVE:
        _show_progress(t, view)
    else:
        unreached = await broadcasts.unreached(t.db, view.id)
        t.edit(render.summary(t.tr, view, broadcasting.sectors(t.deps), unreached))


@router.action(BroadcastButton, BroadcastAction.PAUSE)
async def pause_broadcast(t: Turn, button: BroadcastButton) -> None:
    view = await broadcasts.pause(t.db, t.clock, _broadcast(button), t.me.id)
    _show_progress(t, view)


@router.action(BroadcastButton, BroadcastAction.RESUME)
async def resume_broadcast(t: Turn, button: BroadcastButton) -> None:
    view = await broadcasts.resume(t.db, t.clock, _broadcast(button), t.me.id)
    _show_progress(t, view)
    t.wake_dispatcher()


@router.action(BroadcastButton, BroadcastAction.CANCEL)
async def cancel_broadcast(t: Turn, button: BroadcastButton) -> None:
    view = await broadcasts.cancel(t.db, t.clock, _broadcast(button), t.me.id)
    await _show(t, view)
