"""The desk's broadcasts tab: the chat's /siaran over the same services, outbox and dispatcher.

The coordinator types Telegram's HTML (checked by bot/services/broadcasts/formatting.py), sees
whom the audience reaches and the message as recipients will see it, then makes a draft and
sends or schedules it: the draft moves on once, so a second click cannot send it twice. The
page polls `GET /broadcasts/{id}` for the progress; the coordinator's chat gets the chat's
progress view and summary as well (a new message once it starts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from bot import broadcasting
from bot.desk.api import Api, Call
from bot.i18n import N_
from bot.render import broadcasts as render
from bot.render.text import Html
from bot.services import agencies, broadcasts
from bot.services.broadcasts import Content, Reach, Target, View, formatting
from bot.services.errors import Invalid
from db.models import Audience, BroadcastState, Role

COORDINATOR = Role.COORDINATOR
# Telegram's tags as the browser shows them (tg-spoiler is a span the stylesheet hides).
BROWSER_TAGS = {
    "b": "b",
    "i": "i",
    "u": "u",
    "s": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

api = Api()


def browser_html(text: str) -> str:
    """A broadcast's Telegram HTML as the page shows it: whitelisted tags, everything escaped."""
    try:
        nodes = formatting.parse(text)
    except formatting.BadText:  # older or foreign text: shown plain rather than not at all
        return str(escape(Html(text).striptags()))
    return str(_browser(nodes))


def _browser(nodes: tuple[formatting.Node, ...]) -> Markup:
    parts: list[Markup] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node))
            continue
        inner = _browser(node.children)
        if node.name == "a":
            href = dict(node.attrs).get("href") or ""
            if href.startswith(("https://", "http://")):
                parts.append(
                    Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
                        href, inner
                    )
                )
            else:  # tg://user?id=...: a mention, not a page to open here
                parts.append(Markup('<span class="mention">{}</span>').format(inner))
        elif node.name == "tg-spoiler":
            parts.append(Markup('<span class="spoiler">{}</span>').format(inner))
        else:
            tag = BROWSER_TAGS[node.name]
            parts.append(Markup("<{0}>{1}</{0}>").format(Markup(tag), inner))
    return Markup("").join(parts)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value if isinstance(value, str) else ""


async def _target(call: Call, given: dict[str, Any]) -> Target:
    """The audience the form names; a sector or an agency where it needs one."""
    try:
        audience = Audience(_text(given, "audience"))
    except ValueError:
        raise Invalid(N_("choose who should receive it.")) from None
    if audience is Audience.SECTOR:
        sector = _text(given, "sector")
        if sector not in broadcasting.sectors(call.deps):
            raise Invalid(N_("choose the sector."))
        return Target(audience, sector=sector)
    if audience is Audience.AGENCY:
        raw = str(given.get("agency") or "")
        agency = await agencies.get(call.db, int(raw)) if raw.isdigit() else None
        if agency is None:
            raise Invalid(N_("choose the agency."))
        return Target(audience, agency_id=agency.id, agency_name=agency.name)
    if audience is Audience.PICKED:
        picked = await broadcasts.picked(call.db, call.me.id)
        if not picked:
            raise Invalid(N_("nobody is picked: pick people in /orang first."))
        return Target(audience, people=picked)
    return Target(audience)


def _facts(call: Call, target: Target, reach: Reach) -> dict[str, Any]:
    """The chat's preview card: recipients, who is left out and why, time, Stars."""
    n = len(reach.recipients)
    seconds, cost = broadcasting.estimate(
        call.deps, call.app.bot, n, paid=call.deps.settings.paid_broadcast
    )
    facts = render.reach_facts(
        call.tr, target, reach, broadcasting.sectors(call.deps), seconds, cost
    )
    return {
        "recipients": n,
        "unreachable": reach.unreachable,
        "no_consent": reach.no_consent,
        "paused": reach.paused,
        "seconds": seconds,
        "stars": cost,
        "facts": str(facts),
    }


async def _item(call: Call, view: View, *, full: bool = False) -> dict[str, Any]:
    """One broadcast as the list and the progress view show it."""
    tr, sectors = call.tr, broadcasting.sectors(call.deps)
    left = render.left_out(tr, view.left_unreachable, view.left_no_consent, view.left_paused)
    sending = view.state is BroadcastState.SENDING
    remaining = view.counts.remaining
    seconds = broadcasting.seconds_left(call.deps, call.app.bot, view) if sending else 0.0
    found: dict[str, Any] = {
        "id": view.id,
        "state": view.state,
        "status": tr.gettext(render.STATUS_NAMES[view.state]),
        "due_at": view.due_at,
        "finished_at": view.finished_at,
        "audience": render.audience_name(tr, view.target, sectors),
        "recipients": view.recipients,
        "left_out": str(left) if left is not None else "",
        "counts": view.counts,
        "html": browser_html(view.content.text),
        "file": view.content.file_kind,
        "time_left": render.duration(tr, seconds) if sending and remaining else "",
    }
    if full and view.state in (BroadcastState.DONE, BroadcastState.CANCELLED):
        found["unreached"] = [
            {"name": u.name, "state": u.state}
            for u in await broadcasts.unreached(call.db, view.id)
        ]
    return found


def _wake(call: Call) -> None:
    deps = call.deps

    async def wake() -> None:
        deps.wake_dispatcher()

    call.after.append(wake)


@api.get("/broadcasts", COORDINATOR)
async def broadcast_list(call: Call) -> dict[str, Any]:
    """Scheduled and past broadcasts with their counts, and what the composer offers."""
    tr = call.tr
    audiences = [
        {"value": a.value, "label": tr.gettext(n)} for a, n in render.AUDIENCE_LABELS.items()
    ]
    picked = await broadcasts.picked(call.db, call.me.id)
    if picked:
        audiences.append(
            {
                "value": Audience.PICKED.value,
                "label": render.audience_name(tr, Target(Audience.PICKED, people=picked), {}),
            }
        )
    return {
        "items": [await _item(call, v) for v in await broadcasts.history(call.db)],
        "audiences": audiences,
        "sectors": broadcasting.sectors(call.deps),
        "agencies": [{"id": a.id, "name": a.name} for a in await agencies.all_agencies(call.db)],
        "paid": call.deps.settings.paid_broadcast,
        "max_length": formatting.MAX_LENGTH,
        "zone": tr.zone_label,
        "now": call.deps.clock.now(),
    }


@api.post("/broadcasts/reach", COORDINATOR)
async def broadcast_reach(call: Call) -> dict[str, Any]:
    """Whom an audience reaches now, as the chat's preview counts them (a form checked, like
    the preview: nothing is written)."""
    target = await _target(call, await call.body())
    return _facts(call, target, await broadcasts.reach(call.db, target))


@api.post("/broadcasts/preview", COORDINATOR)
async def broadcast_preview(call: Call) -> dict[str, Any]:
    """The typed text checked, and shown as recipients will see it."""
    nodes = formatting.parse(_text(await call.body(), "text"))
    return {"html": str(_browser(nodes)), "length": formatting.visible_length(nodes)}


@api.post("/broadcasts", COORDINATOR)
async def make_draft(call: Call) -> dict[str, Any]:
    """A draft with its audience: what the confirmation asks about. Nothing is planned yet."""
    body = await call.body()
    text = formatting.check(_text(body, "text"))
    target = await _target(call, body)
    reach = await broadcasts.reach(call.db, target)
    if not reach.recipients:
        raise Invalid(N_("nobody in this audience can receive it now; choose another audience."))
    content = Content(text, None, None, call.deps.settings.paid_broadcast)
    draft = await broadcasts.create_draft(call.db, call.deps.clock, call.me.id, content)
    await broadcasts.set_target(call.db, draft.id, target)
    return {"id": draft.id, "html": browser_html(text), **_facts(call, target, reach)}


def _moment(call: Call, body: dict[str, Any]) -> datetime:
    return broadcasts.parse_local(_text(body, "at"), call.deps.clock, call.deps.calendar)


@api.post(r"/broadcasts/{broadcast:\d+}/send", COORDINATOR)
async def send_draft(call: Call) -> dict[str, Any]:
    """Send a draft now, or plan it for `at` (a local date and time); once only."""
    body = await call.body()
    db, clock, me = call.db, call.deps.clock, call.me
    await broadcasts.view(db, call.number("broadcast"))  # a forged id: not found, not stale
    # The progress view shows in the coordinator's chat too, as a new message.
    shown_in = (me.telegram_id, None)
    if body.get("at"):
        at = _moment(call, body)
        view = await broadcasts.schedule(db, clock, call.number("broadcast"), at, me.id, shown_in)
    else:
        view = await broadcasts.send_now(db, clock, call.number("broadcast"), me.id, shown_in)
        _wake(call)
    return await _item(call, view)


@api.get(r"/broadcasts/{broadcast:\d+}", COORDINATOR)
async def broadcast_page(call: Call) -> dict[str, Any]:
    """One broadcast: its schedule, its progress (polled), or its summary."""
    return await _item(call, await broadcasts.view(call.db, call.number("broadcast")), full=True)


@api.post(r"/broadcasts/{broadcast:\d+}/time", COORDINATOR)
async def change_time(call: Call) -> dict[str, Any]:
    at = _moment(call, await call.body())
    view = await broadcasts.reschedule(
        call.db, call.deps.clock, call.number("broadcast"), at, call.me.id
    )
    return await _item(call, view, full=True)


@api.post(r"/broadcasts/{broadcast:\d+}/pause", COORDINATOR)
async def pause_broadcast(call: Call) -> dict[str, Any]:
    view = await broadcasts.pause(call.db, call.deps.clock, call.number("broadcast"), call.me.id)
    return await _item(call, view, full=True)


@api.post(r"/broadcasts/{broadcast:\d+}/resume", COORDINATOR)
async def resume_broadcast(call: Call) -> dict[str, Any]:
    view = await broadcasts.resume(call.db, call.deps.clock, call.number("broadcast"), call.me.id)
    _wake(call)
    return await _item(call, view, full=True)


@api.post(r"/broadcasts/{broadcast:\d+}/cancel", COORDINATOR)
async def cancel_broadcast(call: Call) -> dict[str, Any]:
    view = await broadcasts.cancel(call.db, call.deps.clock, call.number("broadcast"), call.me.id)
    return await _item(call, view, full=True)
