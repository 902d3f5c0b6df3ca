"""The /rekap charts: four photos, each with a short caption, drawn when they are sent."""

from __future__ import annotations

from collections.abc import Mapping

from babel.dates import format_date

from bot import charts
from bot.charts import COLOURS, BarChart
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply
from bot.render.assessment import light_name, period_label
from bot.render.common import back_to_menu
from bot.render.reports import ReportAction, ReportButton
from bot.render.text import Html
from bot.services.reports.charts import AGE_BOUNDS, ChartData
from db.models import Light

SECTOR_COLOUR = "#3a6ea5"
QUESTION_COLOUR = "#7b4fa0"
UNRATED_COLOUR = COLOURS[None]


def _photo(chart: BarChart, caption: Html, name: str) -> Reply:
    drawn = Attachment(b"", f"{name}.png", make=lambda: charts.draw_bars(chart))
    return Reply(caption, attachment=drawn)


def readiness(tr: Translator, data: ChartData, sectors: Mapping[str, str]) -> BarChart:
    groups: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
    for row in data.readiness:
        groups.setdefault(sectors.get(row.sector, row.sector), []).append(
            (row.business, (float(row.percent),))
        )
    return BarChart(
        title=tr.gettext("Readiness per business"),
        series=((tr.gettext("Readiness"), SECTOR_COLOUR),),
        groups=tuple((sector, tuple(rows)) for sector, rows in groups.items()),
        axis_label=tr.gettext("Latest checklist sent (%)"),
        empty=tr.gettext("No checklist has been sent yet."),
        percent=True,
    )


def deadlines(tr: Translator, data: ChartData) -> BarChart:
    groups: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
    for row in sorted(data.deadlines, key=lambda r: (r.agency, r.month)):
        month = format_date(row.month, "MMM y", locale=tr.locale)
        groups.setdefault(row.agency, []).append(
            (month, (float(row.kept), float(row.late), float(row.missed)))
        )
    return BarChart(
        title=tr.gettext("Deadlines per agency per month"),
        series=(
            (tr.gettext("kept"), COLOURS["green"]),
            (tr.gettext("late"), COLOURS["yellow"]),
            (tr.gettext("missed"), COLOURS["red"]),
        ),
        groups=tuple((agency, tuple(rows)) for agency, rows in groups.items()),
        axis_label=tr.gettext("Deadlines"),
        empty=tr.gettext("No deadline has come due in the last six months."),
    )


def lights(tr: Translator, data: ChartData) -> BarChart:
    rows = tuple(
        (row.agency, (float(row.green), float(row.yellow), float(row.red), float(row.unrated)))
        for row in data.lights
    )
    return BarChart(
        title=tr.gettext("ISO 18091 · {period}").format(period=period_label(tr, data.period)),
        series=(
            (light_name(tr, Light.GREEN), COLOURS["green"]),
            (light_name(tr, Light.YELLOW), COLOURS["yellow"]),
            (light_name(tr, Light.RED), COLOURS["red"]),
            (tr.gettext("Not rated"), UNRATED_COLOUR),
        ),
        groups=(("", rows),),
        axis_label=tr.gettext("Indicators"),
        empty=tr.gettext("No agency is registered yet."),
    )


def question_ages(tr: Translator, data: ChartData) -> BarChart:
    first, second, third = AGE_BOUNDS
    labels = (
        tr.gettext("under {n} day").format(n=first),
        tr.gettext("{a} to {b} days").format(a=first, b=second - 1),
        tr.gettext("{a} to {b} days").format(a=second, b=third - 1),
        tr.gettext("{n} days or more").format(n=third),
    )
    rows = tuple((label, (float(n),)) for label, n in zip(labels, data.question_ages, strict=True))
    return BarChart(
        title=tr.gettext("Open mentoring questions by age"),
        series=((tr.gettext("Questions"), QUESTION_COLOUR),),
        groups=(("", rows),),
        axis_label=tr.gettext("Questions waiting for an answer"),
        empty="",
    )


def all_charts(tr: Translator, data: ChartData, sectors: Mapping[str, str]) -> Reply:
    """The four charts as photos: one message each, in the order a coordinator reads them."""
    _ = tr.html
    first, *rest = (
        _photo(
            readiness(tr, data, sectors),
            _("Readiness of each business (latest checklist sent), by sector."),
            "kesiapan",
        ),
        _photo(
            deadlines(tr, data),
            _("Deadlines kept, late and missed, per agency and month."),
            "tenggat",
        ),
        _photo(lights(tr, data), _("ISO 18091 lights per agency this quarter."), "iso18091"),
        _photo(
            question_ages(tr, data),
            _("Mentoring questions still open, by how long they have waited."),
            "pertanyaan",
        ),
    )
    *middle, last = rest
    overview = Button(tr.pgettext("report", "Overview"), ReportButton(ReportAction.SUMMARY).pack())
    last = Reply(last.text, ((overview,), back_to_menu(tr)), attachment=last.attachment)
    return Reply(first.text, attachment=first.attachment, extra=(*middle, last))
