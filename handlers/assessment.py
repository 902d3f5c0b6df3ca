"""/penilaian: focal points rate their agency's 39 ISO 18091 indicators; coordinators see all."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from bot import charts
from bot.callbacks import CallbackDataError
from bot.i18n import N_
from bot.render import Attachment, Reply
from bot.render import common as render_common
from bot.render.assessment import chart
from bot.render.assessment import sheet as render
from bot.render.assessment.labels import AssessAction, AssessButton
from bot.render.common import MenuKey
from bot.render.text import Html
from bot.services import assessment as sa
from bot.services import dialogue as dialogues
from bot.services.errors import Stale
from db.models import AssessmentState, Role
from handlers.base import Turn
from handlers.files import has_attachment
from handlers.router import Dialogue, Flow, Router

# Focal points rate; coordinators open the chart of every agency (and rate if focal too).
router = Router("assessment", roles={Role.FOCAL})
BOTH = {Role.FOCAL, Role.COORDINATOR}
CHART_FILENAME = "penilaian.png"


class EvidenceStep(StrEnum):
    NOTE = "note"
    PHOTO = "photo"


class IndicatorRef(BaseModel):
    assessment: int
    indicator: str


EVIDENCE = Flow("assessment", EvidenceStep, IndicatorRef)
T = TypeVar("T")


def _current_period(t: Turn) -> str:
    return sa.period_of(t.clock.now(), t.deps.settings.timezone)


def _given(value: T | None) -> T:
    """A field the button's action needs; a button without it was not made by us."""
    if value is None:
        raise CallbackDataError("a self-assessment button without the field its action needs")
    return value


async def _sheet_id(t: Turn, button: AssessButton) -> int:
    """The sheet a rating button acts on; the tap leaves any note or photo prompt."""
    state = await dialogues.current(t.db, t.me.id)
    if state is not None and state.flow == EVIDENCE.name:
        await EVIDENCE.finish(t)
    return _given(button.sheet)


async def _page(
    t: Turn, sheet: sa.Sheet, position: sa.Position, notice: Html | None = None
) -> Reply:
    iso = t.deps.content.iso18091
    who = {r.rated_by_id for r in sheet.ratings.values() if r.rated_by_id is not None}
    names = await sa.names(t.db, who)
    return render.page(t.tr, iso, sheet, position, names=names, me=t.me.id, notice=notice)


def _overview(t: Turn, sheet: sa.Sheet) -> Reply:
    """The quadrants of a draft, the summary of a sent assessment."""
    iso = t.deps.content.iso18091
    if sheet.state is not AssessmentState.DRAFT:
        return render.summary(t.tr, iso, sheet)
    return render.overview(t.tr, iso, sheet, coordinator=Role.COORDINATOR in t.me.role_set)


@router.command("penilaian", N_("ISO 18091 self-assessment"), roles=BOTH)
async def open_assessment(t: Turn) -> None:
    """/penilaian: the self-assessment where it was left (coordinators: every agency's chart)."""
    await dialogues.finish(t.db, t.me.id)
    await _open(t, t.edit)


@router.menu(MenuKey.SELF_ASSESS, roles=BOTH)
async def open_from_menu(t: Turn) -> None:
    await _open(t, t.edit)


@router.action(AssessButton, AssessAction.OPEN, roles=BOTH)
async def open_from_reminder(t: Turn, button: AssessButton) -> None:
    """From another feature's message (a deadline reminder): a new message, so that message
    stays readable."""
    await _open(t, t.reply)


async def _open(t: Turn, show: Callable[[Reply], None]) -> None:
    """Focal points: their agency's assessment where they left off; coordinators: the chart."""
    if Role.FOCAL not in t.me.role_set:
        await _chart(t, _current_period(t))
        return
    iso = t.deps.content.iso18091
    try:
        sheet, position = await sa.open_current(t.db, t.clock, t.me.id, _current_period(t))
    except sa.NoAgency:
        show(render.no_agency(t.tr))
        return
    if sheet.state is AssessmentState.DRAFT and position is not None and sa.fits(iso, position):
        show(await _page(t, sheet, position))
    else:
        show(_overview(t, sheet))


@router.action(AssessButton, AssessAction.CHART, roles={Role.COORDINATOR})
async def show_chart(t: Turn, button: AssessButton) -> None:
    """Every agency's lights in one period and quadrant: the button's, else this quarter's
    first; shown in place of the chart tapped (a new photo under a text message)."""
    if button.period is not None:
        sa.parse_period(button.period)  # Stale when it is not a period
    quadrant = button.quadrant or 0
    if not 0 <= quadrant < len(t.deps.content.iso18091.quadrants):
        raise CallbackDataError(f"no quadrant {quadrant}")
    await _chart(t, button.period or _current_period(t), quadrant, t.edit)


async def _chart(
    t: Turn, period: str, quadrant: int = 0, show: Callable[[Reply], None] | None = None
) -> None:
    iso = t.deps.content.iso18091
    rows = await sa.period_overview(t.db, period)
    spec = chart.chart_spec(t.tr, iso, rows, period, quadrant)
    caption = chart.chart_caption(t.tr, iso, rows, period, _current_period(t), quadrant)
    # Drawn when the reply is sent, after the commit: the chart takes ~0.4 s.
    drawing = Attachment(b"", CHART_FILENAME, make=lambda: charts.draw_matrix(spec))
    (show or t.reply)(Reply(caption.text, caption.buttons, attachment=drawing))


@router.action(AssessButton, AssessAction.OVERVIEW)
async def show_overview(t: Turn, button: AssessButton) -> None:
    sheet = await sa.load(t.db, t.me.id, await _sheet_id(t, button))
    t.edit(_overview(t, sheet))


@router.action(AssessButton, AssessAction.ABOUT)
async def show_about(t: Turn, button: AssessButton) -> None:
    """What ISO 18091 is and what the lights mean, with the way back to the quadrants."""
    sheet = await sa.load(t.db, t.me.id, await _sheet_id(t, button))
    t.edit(render.about(t.tr, t.deps.content.iso18091, sheet.id))


@router.action(AssessButton, AssessAction.PAGE)
async def show_page(t: Turn, button: AssessButton) -> None:
    """A page of one quadrant; /penilaian opens it again next time."""
    sheet_id = await _sheet_id(t, button)
    iso = t.deps.content.iso18091
    position = sa.check_position(iso, _given(button.quadrant), _given(button.page))
    sheet = await sa.load(t.db, t.me.id, sheet_id)
    if sheet.state is not AssessmentState.DRAFT:
        raise Stale
    await sa.remember_position(t.db, t.clock, t.me.id, sheet.id, position)
    t.edit(await _page(t, sheet, position))


@router.action(AssessButton, AssessAction.RATE)
async def rate(t: Turn, button: AssessButton) -> None:
    sheet_id = await _sheet_id(t, button)
    iso = t.deps.content.iso18091
    indicator, light = _given(button.indicator), _given(button.light)
    sheet = await sa.rate(t.db, t.clock, iso, t.me.id, sheet_id, indicator, light)
    t.toast(render.rated_toast(t.tr, light))
    # On to the next indicator, as the checklist does; after the last one, the quadrants.
    after = sa.next_position(iso, sa.position_of(iso, indicator))
    if after is None:
        t.edit(_overview(t, sheet))
        return
    await sa.remember_position(t.db, t.clock, t.me.id, sheet.id, after)
    t.edit(await _page(t, sheet, after))


@router.action(AssessButton, AssessAction.NOTE)
@router.action(AssessButton, AssessAction.PHOTO)
async def ask_for_evidence(t: Turn, button: AssessButton) -> None:
    """A note or a photo for one indicator: what the person sends next goes there."""
    sheet_id = await _sheet_id(t, button)
    iso = t.deps.content.iso18091
    indicator = _given(button.indicator)
    await sa.check_editable(t.db, iso, t.me.id, sheet_id, indicator)
    note = button.action is AssessAction.NOTE
    step = EvidenceStep.NOTE if note else EvidenceStep.PHOTO
    await EVIDENCE.begin(t, step, IndicatorRef(assessment=sheet_id, indicator=indicator))
    ask = render.ask_note if note else render.ask_photo
    t.reply(ask(t.tr, iso, sheet_id, indicator))


@router.action(AssessButton, AssessAction.SUMMARY)
async def show_summary(t: Turn, button: AssessButton) -> None:
    sheet = await sa.load(t.db, t.me.id, await _sheet_id(t, button))
    t.edit(render.summary(t.tr, t.deps.content.iso18091, sheet))


@router.action(AssessButton, AssessAction.SUBMIT)
async def submit(t: Turn, button: AssessButton) -> None:
    """Send the assessment; too early, the way to the first indicator left."""
    sheet_id = await _sheet_id(t, button)
    iso = t.deps.content.iso18091
    try:
        sheet = await sa.submit(t.db, t.clock, iso, t.me.id, sheet_id)
    except sa.Incomplete as exc:
        current = await sa.load(t.db, t.me.id, sheet_id)
        t.reply(render.incomplete(t.tr, iso, current, exc.missing))
        return
    t.edit(render.submitted(t.tr, iso, sheet))


@router.step(EVIDENCE, EvidenceStep.NOTE)
async def take_note(t: Turn, dialogue: Dialogue[EvidenceStep, IndicatorRef]) -> None:
    ref, iso = dialogue.data, t.deps.content.iso18091
    if has_attachment(t.message) or not t.text:
        t.reply(render.want_text(t.tr, iso, ref.assessment, ref.indicator))
        return
    await _keep(t, ref, render.note_saved(t.tr), note=t.text)


@router.step(EVIDENCE, EvidenceStep.PHOTO)
async def take_photo(t: Turn, dialogue: Dialogue[EvidenceStep, IndicatorRef]) -> None:
    ref, iso = dialogue.data, t.deps.content.iso18091
    if not has_attachment(t.message):
        t.reply(render.want_photo(t.tr, iso, ref.assessment, ref.indicator))
        return
    await _keep(t, ref, render.photo_saved(t.tr))


async def _keep(t: Turn, ref: IndicatorRef, notice: Html, *, note: str | None = None) -> None:
    """Save the note (or the photo sent), leave the step, and show the indicator's page."""
    iso, me = t.deps.content.iso18091, t.me.id
    try:
        if note is not None:
            sheet = await sa.set_note(t.db, t.clock, iso, me, ref.assessment, ref.indicator, note)
        else:
            await sa.check_editable(t.db, iso, me, ref.assessment, ref.indicator)
            saved = await t.keep_attachment()
            sheet = await sa.attach_evidence(
                t.db, t.clock, iso, me, ref.assessment, ref.indicator, saved.id
            )
    except Stale:
        # Sent meanwhile by another focal point (or the indicator is gone): leave the step.
        await EVIDENCE.finish(t)
        t.reply(render_common.stale_button(t.tr))
        return
    await EVIDENCE.finish(t)
    t.reply(await _page(t, sheet, sa.position_of(iso, ref.indicator), notice=notice))
