"""The coordinators' view of the self-assessment: every agency's lights in one chart."""

from __future__ import annotations

from collections.abc import Sequence

from bot.charts import MatrixChart
from bot.content import Iso18091
from bot.i18n import Translator
from bot.render import Button, Reply
from bot.render import rows as layout
from bot.render.assessment.labels import (
    AssessAction,
    AssessButton,
    light_name,
    period_label,
    quadrant_name,
    tally,
)
from bot.render.common import back_to_menu
from bot.render.text import Html, bold, lines
from bot.services import assessment as sa
from db.models import AssessmentState, Light


def _title(tr: Translator, period: str) -> str:
    return tr.gettext("ISO 18091 self-assessment · {period}").format(
        period=period_label(tr, period)
    )


def chart_spec(
    tr: Translator, iso: Iso18091, rows: Sequence[sa.AgencyRow], period: str
) -> MatrixChart:
    """What the coordinators' chart shows: agencies × 39 indicators in traffic-light colours."""
    return MatrixChart(
        title=_title(tr, period),
        rows=tuple(row.short_name for row in rows),
        groups=tuple(
            (quadrant_name(tr, q.id), tuple(ind.id for ind in q.indicators)) for q in iso.quadrants
        ),
        cells=tuple(
            tuple(
                (light.value if (light := row.lights.get(ind.id)) is not None else None)
                for ind in iso.indicators
            )
            for row in rows
        ),
        legend=(
            ("red", light_name(tr, Light.RED)),
            ("yellow", light_name(tr, Light.YELLOW)),
            ("green", light_name(tr, Light.GREEN)),
            (None, tr.gettext("Not rated")),
        ),
    )


def _agency_line(tr: Translator, iso: Iso18091, row: sa.AgencyRow) -> Html:
    _ = tr.html
    name = bold(row.short_name)
    if row.state is None:
        return _("{agency}: not started").format(agency=name)
    found = list(row.lights.values())
    lights = tally(found.count(Light.GREEN), found.count(Light.YELLOW), found.count(Light.RED))
    if row.state is AssessmentState.SUBMITTED:
        state = _("sent")
    else:
        state = _("draft, {rated}/{total} rated").format(
            rated=len(found), total=len(iso.indicators)
        )
    return Html("{} ({}): {}").format(name, state, lights)


def chart_caption(
    tr: Translator, iso: Iso18091, rows: Sequence[sa.AgencyRow], period: str, current: str
) -> Reply:
    """The text with the chart: one line per agency (the photo is attached by the handler);
    the quarter before, and from a past quarter the one after and the way back to this one."""
    text = lines(bold(_title(tr, period)), *(_agency_line(tr, iso, row) for row in rows))

    def quarter(label: str, to: str) -> Button:
        return Button(label, AssessButton(AssessAction.CHART, period=to).pack())

    earlier = quarter("◀ " + tr.pgettext("button", "Previous quarter"), sa.previous_period(period))
    later = (
        quarter(tr.pgettext("button", "Next quarter") + " ▶", sa.next_period(period))
        if period < current
        else None
    )
    now = quarter(tr.pgettext("button", "This quarter"), current) if period != current else None
    return Reply(text, (*layout(earlier, later), *layout(now, width=1), back_to_menu(tr)))
