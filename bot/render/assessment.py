"""Screens of the ISO 18091 self-assessment: quadrants, indicator pages, summary, chart."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.callbacks import ASSESS
from bot.charts import MatrixChart
from bot.content import Iso18091
from bot.i18n import N_, Translator
from bot.render import Button, Reply
from bot.render.common import back_to_menu
from bot.services import assessment as sa
from db.models import AssessmentState, Light

# Short quadrant names for buttons and the chart (the content's titles are long).
QUADRANT_NAMES = {
    "institusional": N_("Governance"),
    "ekonomi": N_("Economy"),
    "sosial": N_("Social"),
    "lingkungan": N_("Environment"),
}
EMOJI = {Light.RED: "🔴", Light.YELLOW: "🟡", Light.GREEN: "🟢"}
CODES = {Light.RED: "r", Light.YELLOW: "y", Light.GREEN: "g"}
LIGHTS_BY_CODE = {code: light for light, code in CODES.items()}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def light_name(tr: Translator, light: Light) -> str:
    # Translators: traffic-light colours of the ISO 18091 self-assessment.
    names = {
        Light.RED: tr.pgettext("light", "Red"),
        Light.YELLOW: tr.pgettext("light", "Yellow"),
        Light.GREEN: tr.pgettext("light", "Green"),
    }
    return names[light]


def quadrant_name(tr: Translator, quadrant_id: str) -> str:
    return tr.gettext(QUADRANT_NAMES[quadrant_id])


def period_label(tr: Translator, period: str) -> str:
    """ "Triwulan IV 2026"."""
    year, quarter = sa.parse_period(period)
    return tr.gettext("Quarter {quarter} {year}").format(quarter=_ROMAN[quarter], year=year)


def _heading(tr: Translator, sheet: sa.Sheet) -> str:
    return "<b>{title}</b>\n{agency} · {period}".format(
        title=tr.gettext("ISO 18091 self-assessment"),
        agency=html.escape(sheet.agency_name),
        period=period_label(tr, sheet.period),
    )


def _ref(*parts: object) -> str:
    return ".".join(str(p) for p in parts)


def page_button(label: str, sheet_id: int, position: sa.Position) -> Button:
    return Button(label, ASSESS.pack("q", _ref(sheet_id, position.quadrant, position.page)))


def overview(tr: Translator, iso: Iso18091, sheet: sa.Sheet, *, coordinator: bool) -> Reply:
    """The four quadrants with how many indicators each has rated."""
    _ = tr.gettext
    per_quadrant = sa.counts(sheet, iso)
    lines = [
        _heading(tr, sheet),
        _("Rated so far: {rated} of {total} indicators.").format(
            rated=sheet.rated, total=len(iso.indicators)
        ),
        "",
    ]
    buttons: list[Button] = []
    for index, count in enumerate(per_quadrant):
        label = f"{quadrant_name(tr, count.quadrant_id)} {count.rated}/{count.total}"
        lines.append(html.escape(label))
        buttons.append(page_button(label, sheet.id, sa.Position(index, 0)))
    lines += ["", _("Please choose a quadrant to rate.")]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(
        (
            Button(tr.pgettext("button", "Summary"), ASSESS.pack("sum", sheet.id)),
            Button(tr.pgettext("button", "Send assessment"), ASSESS.pack("sub", sheet.id)),
        )
    )
    if coordinator:
        rows.append((Button(tr.pgettext("button", "All agencies"), ASSESS.pack("chart", "-")),))
    rows.append(back_to_menu(tr))
    return Reply("\n".join(lines), tuple(rows))


def _neighbours(
    iso: Iso18091, position: sa.Position
) -> tuple[sa.Position | None, sa.Position | None]:
    """The page before and after, running on across quadrants."""
    before: sa.Position | None = None
    after: sa.Position | None = None
    if position.page > 0:
        before = sa.Position(position.quadrant, position.page - 1)
    elif position.quadrant > 0:
        q = position.quadrant - 1
        before = sa.Position(q, sa.pages_in(iso, q) - 1)
    if position.page + 1 < sa.pages_in(iso, position.quadrant):
        after = sa.Position(position.quadrant, position.page + 1)
    elif position.quadrant + 1 < len(iso.quadrants):
        after = sa.Position(position.quadrant + 1, 0)
    return before, after


def page(
    tr: Translator,
    iso: Iso18091,
    sheet: sa.Sheet,
    position: sa.Position,
    *,
    names: dict[int, str] | None = None,
    me: int | None = None,
    notice: str | None = None,
) -> Reply:
    """A few indicators of one quadrant, each with its question and three light buttons."""
    _ = tr.gettext
    quadrant = iso.quadrants[position.quadrant]
    count = sa.counts(sheet, iso)[position.quadrant]
    first = position.page * sa.PAGE_SIZE
    shown = quadrant.indicators[first : first + sa.PAGE_SIZE]
    head = "<b>{name} {rated}/{total}</b> · {page}".format(
        name=html.escape(quadrant_name(tr, quadrant.id)),
        rated=count.rated,
        total=count.total,
        page=_("page {n} of {m}").format(
            n=position.page + 1, m=sa.pages_in(iso, position.quadrant)
        ),
    )
    lines = [notice, head] if notice else [head]
    rows: list[tuple[Button, ...]] = []
    for offset, indicator in enumerate(shown):
        number = first + offset + 1
        rating = sheet.ratings.get(indicator.id)
        block = [
            f"\n<b>{number}. {html.escape(indicator.title)}</b>",
            html.escape(indicator.question),
        ]
        if rating is not None and rating.light is not None:
            status = _("Rating: {light}").format(
                light=f"{EMOJI[rating.light]} {light_name(tr, rating.light)}"
            )
            who = (names or {}).get(rating.rated_by_id or 0)
            if who and rating.rated_by_id != me:
                status += " " + _("(by {name})").format(name=html.escape(who))
            block.append(status)
        else:
            hint = sheet.hints.get(indicator.id)
            if hint is not None:
                block.append(
                    _("Not rated yet. Last quarter: {light}").format(
                        light=f"{EMOJI[hint]} {light_name(tr, hint)}"
                    )
                )
            else:
                block.append(_("Not rated yet."))
        if rating is not None and rating.note:
            block.append(_("Note: {note}").format(note=f"<i>{html.escape(rating.note)}</i>"))
        if rating is not None and rating.evidence_id is not None:
            block.append(_("Photo evidence saved."))
        lines.append("\n".join(block))
        chosen = rating.light if rating is not None else None
        rows.append(
            tuple(
                Button(
                    f"{number}. {EMOJI[light]} {light_name(tr, light)}"
                    + (" ✓" if light is chosen else ""),
                    ASSESS.pack("r", _ref(sheet.id, indicator.id, CODES[light])),
                )
                for light in Light
            )
        )
        rows.append(
            (
                Button(
                    f"{number}. " + tr.pgettext("button", "Add note"),
                    ASSESS.pack("n", _ref(sheet.id, indicator.id)),
                ),
                Button(
                    f"{number}. " + tr.pgettext("button", "Add photo"),
                    ASSESS.pack("f", _ref(sheet.id, indicator.id)),
                ),
            )
        )
    before, after = _neighbours(iso, position)
    nav = []
    if before is not None:
        nav.append(page_button("◀ " + tr.pgettext("button", "Previous"), sheet.id, before))
    if after is not None:
        nav.append(page_button(tr.pgettext("button", "Next") + " ▶", sheet.id, after))
    rows.append(tuple(nav))
    rows.append((Button(tr.pgettext("button", "Back"), ASSESS.pack("ov", sheet.id)),))
    return Reply("\n".join(lines), tuple(rows))


def tally(green: int, yellow: int, red: int) -> str:
    """ "🟢 6 · 🟡 3 · 🔴 1"."""
    return f"🟢 {green} · 🟡 {yellow} · 🔴 {red}"


def count_line(tr: Translator, count: sa.QuadrantCount) -> str:
    """ "Tata kelola: 🟢 6 · 🟡 3 · 🔴 1" (with how many are still open, if any)."""
    name = html.escape(quadrant_name(tr, count.quadrant_id))
    line = f"{name}: {tally(count.green, count.yellow, count.red)}"
    open_ = count.total - count.rated
    if open_:
        line += " · " + tr.gettext("{n} not rated").format(n=open_)
    return line


def _reading(tr: Translator, per_quadrant: Sequence[sa.QuadrantCount]) -> str:
    """One line saying where to act first."""
    _ = tr.gettext
    worst = max(per_quadrant, key=lambda c: (c.red, c.yellow))
    if worst.red == 0 and worst.yellow == 0:
        if all(c.rated == c.total for c in per_quadrant):
            return _("All indicators are green. Well done!")
        return _("No red or yellow so far.")
    return _("Needs attention first: {name} ({red} red, {yellow} yellow).").format(
        name=html.escape(quadrant_name(tr, worst.quadrant_id)), red=worst.red, yellow=worst.yellow
    )


def summary(tr: Translator, iso: Iso18091, sheet: sa.Sheet, *, notice: str | None = None) -> Reply:
    """Per quadrant the counts of red, yellow and green, and where to act first."""
    _ = tr.gettext
    per_quadrant = sa.counts(sheet, iso)
    if sheet.state is AssessmentState.SUBMITTED and sheet.submitted_at is not None:
        state = _("Sent on {date}.").format(date=tr.format_date(sheet.submitted_at))
    else:
        state = _("Not sent yet: {rated} of {total} indicators rated.").format(
            rated=sheet.rated, total=len(iso.indicators)
        )
    lines = [notice, ""] if notice else []
    lines += [_heading(tr, sheet), state, ""]
    lines += [count_line(tr, c) for c in per_quadrant]
    lines += ["", _reading(tr, per_quadrant)]
    rows: list[tuple[Button, ...]] = []
    if sheet.state is AssessmentState.DRAFT:
        rows.append((Button(tr.pgettext("button", "Back"), ASSESS.pack("ov", sheet.id)),))
    rows.append(back_to_menu(tr))
    return Reply("\n".join(lines), tuple(rows))


def submitted(tr: Translator, iso: Iso18091, sheet: sa.Sheet) -> Reply:
    notice = tr.gettext(
        "✅ Thank you. The assessment has been sent to the programme coordinators. "
        "The next quarter starts fresh."
    )
    return summary(tr, iso, sheet, notice=notice)


def incomplete(tr: Translator, iso: Iso18091, sheet: sa.Sheet, missing: int) -> Reply:
    """Submitting too early: how many are left, and the way to the first of them."""
    _ = tr.gettext
    text = tr.ngettext(
        "There is still {n} indicator without a rating. The assessment can be sent once "
        "all {total} are rated.",
        "There are still {n} indicators without a rating. The assessment can be sent once "
        "all {total} are rated.",
        missing,
    ).format(n=missing, total=len(iso.indicators))
    rows: list[tuple[Button, ...]] = []
    left = sheet.missing(iso)
    if left:
        rows.append(
            (
                page_button(
                    tr.pgettext("button", "Continue rating"),
                    sheet.id,
                    sa.position_of(iso, left[0]),
                ),
            )
        )
    rows.append((Button(tr.pgettext("button", "Back"), ASSESS.pack("ov", sheet.id)),))
    return Reply(text, tuple(rows))


def no_agency(tr: Translator) -> Reply:
    return Reply(
        tr.gettext(
            "Sorry, your account is not linked to an agency yet, so the self-assessment "
            "cannot be opened. Please ask the programme coordinator to link it."
        ),
        (back_to_menu(tr),),
    )


def _cancel(tr: Translator, sheet_id: int, position: sa.Position) -> tuple[tuple[Button, ...]]:
    return ((page_button(tr.pgettext("button", "Cancel"), sheet_id, position),),)


def ask_note(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    indicator = iso.indicator(indicator_id)
    return Reply(
        tr.gettext(
            "Please type a short note for <b>{title}</b> (at most {limit} characters)."
        ).format(title=html.escape(indicator.title), limit=sa.NOTE_LIMIT),
        _cancel(tr, sheet_id, sa.position_of(iso, indicator_id)),
    )


def ask_photo(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    indicator = iso.indicator(indicator_id)
    return Reply(
        tr.gettext("Please send a photo as evidence for <b>{title}</b>.").format(
            title=html.escape(indicator.title)
        ),
        _cancel(tr, sheet_id, sa.position_of(iso, indicator_id)),
    )


def want_text(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    return Reply(
        tr.gettext("Sorry, please type the note as text, or tap Cancel."),
        _cancel(tr, sheet_id, sa.position_of(iso, indicator_id)),
    )


def want_photo(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    return Reply(
        tr.gettext("Sorry, please send a photo, or tap Cancel."),
        _cancel(tr, sheet_id, sa.position_of(iso, indicator_id)),
    )


def note_saved(tr: Translator) -> str:
    return tr.gettext("The note has been saved.")


def photo_saved(tr: Translator) -> str:
    return tr.gettext("The photo has been saved as evidence.")


def chart_spec(
    tr: Translator, iso: Iso18091, rows: Sequence[sa.AgencyRow], period: str
) -> MatrixChart:
    """What the coordinators' chart shows: agencies × 39 indicators in traffic-light colours."""
    _ = tr.gettext
    return MatrixChart(
        title=_("ISO 18091 self-assessment · {period}").format(period=period_label(tr, period)),
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
            (None, _("Not rated")),
        ),
    )


def chart_caption(
    tr: Translator, iso: Iso18091, rows: Sequence[sa.AgencyRow], period: str
) -> Reply:
    """The text with the chart: one line per agency (the photo is attached by the handler)."""
    _ = tr.gettext
    lines = [
        "<b>{}</b>".format(
            _("ISO 18091 self-assessment · {period}").format(period=period_label(tr, period))
        )
    ]
    for row in rows:
        name = f"<b>{html.escape(row.short_name)}</b>"
        if row.state is None:
            lines.append(_("{agency}: not started").format(agency=name))
            continue
        found = list(row.lights.values())
        lights = tally(found.count(Light.GREEN), found.count(Light.YELLOW), found.count(Light.RED))
        if row.state is AssessmentState.SUBMITTED:
            state = _("sent")
        else:
            state = _("draft, {rated}/{total} rated").format(
                rated=len(found), total=len(iso.indicators)
            )
        lines.append(f"{name} ({state}): {lights}")
    previous = sa.previous_period(period)
    buttons = (
        (
            Button(
                "◀ " + tr.pgettext("button", "Previous quarter"),
                ASSESS.pack("chart", previous),
            ),
        ),
        back_to_menu(tr),
    )
    return Reply("\n".join(lines), buttons)
