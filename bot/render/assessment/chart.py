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
    tr: Translator, iso: Iso18091, rows: Sequence[sa.AgencyRow], period: str, quadrant: int
) -> MatrixChart:
    """One quadrant's indicators × the agencies, in traffic-light colours: a chart a phone
    shows readably in portrait (the four quadrants are a tap apart)."""
    q = iso.quadrants[quadrant]
    return MatrixChart(
        title=f"{_title(tr, period)}\n{quadrant_name(tr, q.id)}",
        rows=tuple(f"{ind.id} {ind.title}" for ind in q.indicators),
        columns=tuple(row.short_name for row in rows),
        cells=tuple(
            tuple(
                (light.value if (light := row.lights.get(ind.id)) is not None else None)
                for row in rows
            )
            for ind in q.indicators
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
    tr: Translator,
    iso: Iso18091,
    rows: Sequence[sa.AgencyRow],
    period: str,
    current: str,
    quadrant: int,
) -> Reply:
    """The text with the chart: one line per agency (the photo is attached by the handler);
    the other quadrants, the quarter before, and from a past quarter the one after and the
    way back to this one. Every tap shows its chart in place of this one."""
    shown = quadrant_name(tr, iso.quadrants[quadrant].id)
    text = lines(
        bold(_title(tr, period)),
        *(_agency_line(tr, iso, row) for row in rows),
        "",
        tr.html("The chart shows <b>{quadrant}</b>; choose another quadrant below.").format(
            quadrant=shown
        ),
    )

    def chart(label: str, to: str, q: int) -> Button:
        return Button(label, AssessButton(AssessAction.CHART, quadrant=q, period=to).pack())

    quadrants = [
        chart(("• " if n == quadrant else "") + quadrant_name(tr, q.id), period, n)
        for n, q in enumerate(iso.quadrants)
    ]
    earlier = chart(
        "◀ " + tr.pgettext("button", "Previous quarter"), sa.previous_period(period), quadrant
    )
    later = (
        chart(tr.pgettext("button", "Next quarter") + " ▶", sa.next_period(period), quadrant)
        if period < current
        else None
    )
    now = (
        chart(tr.pgettext("button", "This quarter"), current, quadrant)
        if period != current
        else None
    )
    return Reply(
        text,
        (*layout(*quadrants), *layout(earlier, later), *layout(now, width=1), back_to_menu(tr)),
    )
