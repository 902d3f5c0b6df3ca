"""The self-assessment's buttons, and the names of its quadrants, lights and quarters."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Button
from bot.services import assessment as sa
from db.models import Light

# Short quadrant names for buttons and the chart (the content's titles are long).
QUADRANT_NAMES = {
    "institusional": N_("Governance"),
    "ekonomi": N_("Economy"),
    "sosial": N_("Social"),
    "lingkungan": N_("Environment"),
}
EMOJI = {Light.RED: "🔴", Light.YELLOW: "🟡", Light.GREEN: "🟢"}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class AssessAction(StrEnum):
    OPEN = "open"  # where the person left off, as a new message (from a deadline reminder)
    CHART = "chart"  # coordinators: every agency in one period (`period`; None: this one)
    OVERVIEW = "ov"  # `sheet`
    ABOUT = "about"  # `sheet`: what ISO 18091 is and what the lights mean
    PAGE = "q"  # `sheet`, `quadrant`, `page`
    RATE = "r"  # `sheet`, `indicator`, `light`
    NOTE = "n"  # `sheet`, `indicator`
    PHOTO = "f"  # `sheet`, `indicator`
    SUMMARY = "sum"  # `sheet`
    SUBMIT = "sub"  # `sheet`


@dataclass(frozen=True)
class AssessButton(CallbackData, prefix="sa"):
    """A self-assessment button; the fields its action needs are set (see AssessAction)."""

    action: AssessAction
    sheet: int | None = None
    indicator: str | None = None
    light: Light | None = None
    quadrant: int | None = None
    page: int | None = None
    period: str | None = None


def sheet_button(label: str, action: AssessAction, sheet_id: int) -> Button:
    return Button(label, AssessButton(action, sheet_id).pack())


def indicator_button(
    label: str, action: AssessAction, sheet_id: int, indicator: str, light: Light | None = None
) -> Button:
    return Button(label, AssessButton(action, sheet_id, indicator, light).pack())


def page_button(label: str, sheet_id: int, position: sa.Position) -> Button:
    button = AssessButton(
        AssessAction.PAGE, sheet_id, quadrant=position.quadrant, page=position.page
    )
    return Button(label, button.pack())


def light_name(tr: Translator, light: Light) -> str:
    # Translators: traffic-light colours of the ISO 18091 self-assessment.
    names = {
        Light.RED: tr.pgettext("light", "Red"),
        Light.YELLOW: tr.pgettext("light", "Yellow"),
        Light.GREEN: tr.pgettext("light", "Green"),
    }
    return names[light]


def light_label(tr: Translator, light: Light) -> str:
    """ "🟢 Hijau"."""
    return f"{EMOJI[light]} {light_name(tr, light)}"


def quadrant_name(tr: Translator, quadrant_id: str) -> str:
    return tr.gettext(QUADRANT_NAMES[quadrant_id])


def period_label(tr: Translator, period: str) -> str:
    """ "Triwulan IV 2026"."""
    year, quarter = sa.parse_period(period)
    return tr.gettext("Quarter {quarter} {year}").format(quarter=_ROMAN[quarter], year=year)


def tally(green: int, yellow: int, red: int) -> str:
    """ "🟢 6 · 🟡 3 · 🔴 1"."""
    return f"🟢 {green} · 🟡 {yellow} · 🔴 {red}"
