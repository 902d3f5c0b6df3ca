"""/penilaian: focal points rate their agency's 39 ISO 18091 indicators; coordinators see all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot import charts
from bot.callbacks import ASSESS, CallbackDataError
from bot.context import BotContext
from bot.render import Attachment, Reply, common
from bot.render import assessment as render
from bot.services import assessment as sa
from bot.services import dialogue
from bot.services.errors import NotAllowed, Stale
from db.models import AssessmentState, DialogueState, Light, Role
from handlers.base import Turn, handler
from handlers.files import has_attachment
from handlers.legacy import flow, menu_action

FLOW = "assessment"
CHART_FILENAME = "penilaian.png"


def _current_period(t: Turn) -> str:
    return sa.period_of(t.clock.now(), t.deps.settings.timezone)


def _parts(ref: str, count: int) -> list[str]:
    parts = ref.split(".")
    if len(parts) != count or not parts[0].isdigit():
        raise CallbackDataError(f"malformed assessment ref {ref!r}")
    return parts


def _int(value: str) -> int:
    if not value.isdigit():
        raise CallbackDataError("not a number")
    return int(value)


async def _page(
    t: Turn, sheet: sa.Sheet, position: sa.Position, notice: str | None = None
) -> Reply:
    iso = t.deps.content.iso18091
    who = {r.rated_by_id for r in sheet.ratings.values() if r.rated_by_id is not None}
    names = await sa.names(t.db, who)
    return render.page(t.tr, iso, sheet, position, names=names, me=t.me.id, notice=notice)


async def _open(t: Turn, *, edit: bool = True) -> None:
    """Focal points: their assessment where they left off; coordinators: the chart.

    From another feature's message (a deadline reminder) it comes as a new message, so the
    reminder stays readable.
    """
    show = t.edit if edit else t.reply
    if Role.FOCAL not in t.me.role_set:
        await _chart(t, _current_period(t))
        return
    iso = t.deps.content.iso18091
    try:
        sheet, position = await sa.open_current(t.db, t.clock, t.me.id, _current_period(t))
    except sa.NoAgency:
        show(render.no_agency(t.tr))
        return
    if sheet.state is not AssessmentState.DRAFT:
        show(render.summary(t.tr, iso, sheet))
    elif position is not None and sa.fits(iso, position):
        show(await _page(t, sheet, position))
    else:
        coordinator = Role.COORDINATOR in t.me.role_set
        show(render.overview(t.tr, iso, sheet, coordinator=coordinator))


async def _chart(t: Turn, period: str) -> None:
    if Role.COORDINATOR not in t.me.role_set:
        raise NotAllowed
    iso = t.deps.content.iso18091
    rows = await sa.period_overview(t.db, period)
    spec = render.chart_spec(t.tr, iso, rows, period)
    caption = render.chart_caption(t.tr, iso, rows, period)
    # Drawn when the reply is sent, after the commit: the chart takes ~0.4 s.
    chart = Attachment(b"", CHART_FILENAME, make=lambda: charts.draw_matrix(spec))
    t.reply(Reply(caption.text, caption.buttons, attachment=chart))


@handler(roles={Role.FOCAL, Role.COORDINATOR})
async def cmd_penilaian(update: Update, context: BotContext, t: Turn) -> None:
    """/penilaian: open the self-assessment (or, for coordinators, the chart of all agencies)."""
    await dialogue.finish(t.db, t.me.id)
    await _open(t)


@menu_action("selfassess")
async def menu_selfassess(update: Update, context: BotContext, t: Turn) -> None:
    """The menu entry: the same as /penilaian."""
    await _open(t)


@handler(roles={Role.FOCAL, Role.COORDINATOR})
async def btn_sa(update: Update, context: BotContext, t: Turn) -> None:
    """Every self-assessment button: open, pages, lights, notes, photos, summary, send, chart."""
    values = ASSESS.unpack(t.data)
    action, ref = values["action"], values["ref"]
    if action == "open":
        await _open(t, edit=False)
        return
    if action == "chart":
        await _chart(t, _current_period(t) if ref == "-" else ref)
        return
    act = _ACTIONS.get(action)
    if act is None:
        raise CallbackDataError(f"unknown assessment action {action!r}")
    if Role.FOCAL not in t.me.role_set:  # only focal points rate
        raise NotAllowed
    state = await dialogue.current(t.db, t.me.id)
    if state is not None and state.flow == FLOW:
        await dialogue.finish(t.db, t.me.id)  # any other button leaves a note or photo step
    await act(t, ref)


async def _overview(t: Turn, ref: str) -> None:
    iso = t.deps.content.iso18091
    sheet = await sa.load(t.db, t.me.id, _int(ref))
    if sheet.state is AssessmentState.DRAFT:
        coordinator = Role.COORDINATOR in t.me.role_set
        t.edit(render.overview(t.tr, iso, sheet, coordinator=coordinator))
    else:
        t.edit(render.summary(t.tr, iso, sheet))


async def _show_page(t: Turn, ref: str) -> None:
    sheet_id, quadrant, page_no = (_int(p) for p in _parts(ref, 3))
    position = sa.check_position(t.deps.content.iso18091, quadrant, page_no)
    sheet = await sa.load(t.db, t.me.id, sheet_id)
    if sheet.state is not AssessmentState.DRAFT:
        raise Stale
    await sa.remember_position(t.db, t.clock, t.me.id, sheet.id, position)
    t.edit(await _page(t, sheet, position))


async def _rate(t: Turn, ref: str) -> None:
    iso = t.deps.content.iso18091
    sheet_id, indicator_id, code = _parts(ref, 3)
    light = render.LIGHTS_BY_CODE.get(code)
    if light is None:
        raise CallbackDataError(f"unknown light {code!r}")
    sheet = await sa.rate(t.db, t.clock, iso, t.me.id, _int(sheet_id), indicator_id, light)
    t.toast(_rated_toast(t, light))
    t.edit(await _page(t, sheet, sa.position_of(iso, indicator_id)))


async def _ask(t: Turn, ref: str, step: str) -> None:
    iso = t.deps.content.iso18091
    raw_id, indicator_id = _parts(ref, 2)
    sheet_id = _int(raw_id)
    await sa.check_editable(t.db, iso, t.me.id, sheet_id, indicator_id)
    data = {"assessment": sheet_id, "indicator": indicator_id}
    await dialogue.begin(t.db, t.clock, t.me.id, FLOW, step, data)
    ask = render.ask_note if step == "note" else render.ask_photo
    t.reply(ask(t.tr, iso, sheet_id, indicator_id))


async def _ask_note(t: Turn, ref: str) -> None:
    await _ask(t, ref, "note")


async def _ask_photo(t: Turn, ref: str) -> None:
    await _ask(t, ref, "photo")


async def _summary(t: Turn, ref: str) -> None:
    sheet = await sa.load(t.db, t.me.id, _int(ref))
    t.edit(render.summary(t.tr, t.deps.content.iso18091, sheet))


async def _submit(t: Turn, ref: str) -> None:
    iso = t.deps.content.iso18091
    sheet_id = _int(ref)
    try:
        sheet = await sa.submit(t.db, t.clock, iso, t.me.id, sheet_id)
    except sa.Incomplete as exc:
        current = await sa.load(t.db, t.me.id, sheet_id)
        t.reply(render.incomplete(t.tr, iso, current, exc.missing))
        return
    t.edit(render.submitted(t.tr, iso, sheet))


_ACTIONS: dict[str, Callable[[Turn, str], Awaitable[None]]] = {
    "ov": _overview,
    "q": _show_page,
    "r": _rate,
    "n": _ask_note,
    "f": _ask_photo,
    "sum": _summary,
    "sub": _submit,
}


def _rated_toast(t: Turn, light: Light) -> str:
    return t.tr.gettext("Saved: {light}").format(
        light=f"{render.EMOJI[light]} {render.light_name(t.tr, light)}"
    )


@flow(FLOW)
async def msg_assessment(
    update: Update, context: BotContext, t: Turn, state: DialogueState
) -> None:
    """A typed note, or a photo as evidence, for one indicator."""
    iso = t.deps.content.iso18091
    sheet_id = int(state.data.get("assessment", 0))
    indicator_id = str(state.data.get("indicator", ""))
    if t.message is None:
        return
    try:
        if state.step == "note":
            if has_attachment(t.message) or not t.message.text:
                t.reply(render.want_text(t.tr, iso, sheet_id, indicator_id))
                return
            sheet = await sa.set_note(t.db, t.clock, iso, t.me.id, sheet_id, indicator_id, t.text)
            notice = render.note_saved(t.tr)
        else:
            if not has_attachment(t.message):
                t.reply(render.want_photo(t.tr, iso, sheet_id, indicator_id))
                return
            await sa.check_editable(t.db, iso, t.me.id, sheet_id, indicator_id)
            saved = await t.keep_attachment()
            sheet = await sa.attach_evidence(
                t.db, t.clock, iso, t.me.id, sheet_id, indicator_id, saved.id
            )
            notice = render.photo_saved(t.tr)
    except Stale:
        # Sent meanwhile by another focal point (or the indicator is gone): leave the step.
        await dialogue.finish(t.db, t.me.id)
        t.reply(common.stale_button(t.tr))
        return
    await dialogue.finish(t.db, t.me.id)
    t.reply(await _page(t, sheet, sa.position_of(iso, indicator_id), notice=f"✅ {notice}"))
