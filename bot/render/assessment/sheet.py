"""A focal point's self-assessment: quadrants, indicator pages, summary, notes and photos."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content import Indicator, Iso18091
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.assessment.labels import (
    EMOJI,
    AssessAction,
    AssessButton,
    indicator_button,
    light_label,
    page_button,
    period_label,
    quadrant_name,
    sheet_button,
    tally,
)
from bot.render.common import back_to_menu
from bot.render.text import Html, bold, italic, join, lines, link
from bot.services import assessment as sa
from db.models import AssessmentState, Light


def _heading(tr: Translator, sheet: sa.Sheet) -> Html:
    return lines(
        bold(tr.gettext("ISO 18091 self-assessment")),
        Html("{} · {}").format(sheet.agency_name, period_label(tr, sheet.period)),
    )


def _back(tr: Translator, sheet_id: int) -> tuple[Button, ...]:
    return (sheet_button(tr.pgettext("button", "Back"), AssessAction.OVERVIEW, sheet_id),)


def overview(tr: Translator, iso: Iso18091, sheet: sa.Sheet, *, coordinator: bool) -> Reply:
    """The four quadrants with how many indicators each has rated."""
    _ = tr.html
    labels = [
        f"{quadrant_name(tr, count.quadrant_id)} {count.rated}/{count.total}"
        for count in sa.counts(sheet, iso)
    ]
    text = lines(
        _heading(tr, sheet),
        italic(iso.note),
        "",
        _("Rated so far: {rated} of {total} indicators.").format(
            rated=sheet.rated, total=len(iso.indicators)
        ),
        "",
        *labels,
        "",
        _("Please choose a quadrant to rate."),
    )
    quadrants = rows(
        *(page_button(label, sheet.id, sa.Position(n, 0)) for n, label in enumerate(labels))
    )
    chart = Button(tr.pgettext("button", "All agencies"), AssessButton(AssessAction.CHART).pack())
    buttons = (
        *quadrants,
        (
            sheet_button(tr.pgettext("button", "Summary"), AssessAction.SUMMARY, sheet.id),
            sheet_button(tr.pgettext("button", "Send assessment"), AssessAction.SUBMIT, sheet.id),
        ),
        (sheet_button(tr.pgettext("button", "About ISO 18091"), AssessAction.ABOUT, sheet.id),),
        *(((chart,),) if coordinator else ()),
        back_to_menu(tr),
    )
    return Reply(text, buttons)


def about(tr: Translator, iso: Iso18091, sheet_id: int) -> Reply:
    """What ISO 18091 is (a guideline, not a certification) and what the lights mean."""
    _ = tr.html
    lights = iso.lights
    text = lines(
        bold(_("About ISO 18091")),
        iso.note,
        "",
        _("What the lights mean (each indicator shows its own short criteria):"),
        Html("{} {}").format(EMOJI[Light.RED], lights.merah),
        Html("{} {}").format(EMOJI[Light.YELLOW], lights.kuning),
        Html("{} {}").format(EMOJI[Light.GREEN], lights.hijau),
        "",
        _("Sources: {sources}").format(
            sources=join((link(source.url, source.title) for source in iso.sources), ", ")
        ),
    )
    return Reply(text, (_back(tr, sheet_id),))


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


def _status(
    tr: Translator, sheet: sa.Sheet, indicator: Indicator, names: dict[int, str], me: int | None
) -> Html:
    """The indicator's light and who gave it, else last quarter's as a hint."""
    _ = tr.html
    rating = sheet.ratings.get(indicator.id)
    if rating is not None and rating.light is not None:
        status = _("Rating: {light}").format(light=light_label(tr, rating.light))
        who = names.get(rating.rated_by_id or 0)
        if who and rating.rated_by_id != me:
            status = Html("{} {}").format(status, _("(by {name})").format(name=who))
        return status
    if (hint := sheet.hints.get(indicator.id)) is not None:
        return _("Not rated yet. Last quarter: {light}").format(light=light_label(tr, hint))
    return _("Not rated yet.")


def _criteria(indicator: Indicator) -> Html:
    """The indicator's own red, yellow and green, one short line each."""
    said = indicator.criteria
    return lines(
        *(
            Html("{} {}").format(EMOJI[light], text)
            for light, text in (
                (Light.RED, said.merah),
                (Light.YELLOW, said.kuning),
                (Light.GREEN, said.hijau),
            )
        )
    )


def _light_row(sheet: sa.Sheet, indicator: Indicator) -> tuple[Button, ...]:
    """🔴 🟡 🟢 in one row, the chosen one ticked."""
    chosen = sheet.light(indicator.id)
    return tuple(
        indicator_button(
            EMOJI[light] + (" ✓" if light is chosen else ""),
            AssessAction.RATE,
            sheet.id,
            indicator.id,
            light,
        )
        for light in Light
    )


def page(
    tr: Translator,
    iso: Iso18091,
    sheet: sa.Sheet,
    position: sa.Position,
    *,
    names: dict[int, str] | None = None,
    me: int | None = None,
    notice: Html | None = None,
) -> Reply:
    """One indicator: its question, what each light means for it, and one row of lights."""
    _ = tr.html
    quadrant = iso.quadrants[position.quadrant]
    count = sa.counts(sheet, iso)[position.quadrant]
    indicator = quadrant.indicators[position.page]
    where = _("indicator {n} of {m}").format(n=position.page + 1, m=len(quadrant.indicators))
    head = Html("{} · {}").format(
        bold(f"{quadrant_name(tr, quadrant.id)} {count.rated}/{count.total}"), where
    )
    rating = sheet.ratings.get(indicator.id)
    note = rating.note if rating is not None else None
    photo = rating is not None and rating.evidence_id is not None
    text = lines(
        *((notice, "") if notice is not None else ()),
        head,
        "",
        bold(indicator.title),
        indicator.question,
        "",
        _criteria(indicator),
        "",
        _status(tr, sheet, indicator, names or {}, me),
        _("Note: {note}").format(note=italic(note)) if note else None,
        _("Photo evidence saved.") if photo else None,
    )
    before, after = _neighbours(iso, position)
    nav = rows(
        page_button("◀ " + tr.pgettext("button", "Previous"), sheet.id, before)
        if before is not None
        else None,
        page_button(tr.pgettext("button", "Next") + " ▶", sheet.id, after)
        if after is not None
        else None,
    )
    evidence = (
        indicator_button(
            tr.pgettext("button", "Add note"), AssessAction.NOTE, sheet.id, indicator.id
        ),
        indicator_button(
            tr.pgettext("button", "Add photo"), AssessAction.PHOTO, sheet.id, indicator.id
        ),
    )
    return Reply(text, (_light_row(sheet, indicator), evidence, *nav, _back(tr, sheet.id)))


def count_line(tr: Translator, count: sa.QuadrantCount) -> Html:
    """ "Tata kelola: 🟢 6 · 🟡 3 · 🔴 1" (with how many are still open, if any)."""
    line = Html("{}: {}").format(
        quadrant_name(tr, count.quadrant_id), tally(count.green, count.yellow, count.red)
    )
    open_ = count.total - count.rated
    if open_:
        line = Html("{} · {}").format(line, tr.html("{n} not rated").format(n=open_))
    return line


def _reading(tr: Translator, per_quadrant: Sequence[sa.QuadrantCount]) -> Html:
    """One line saying where to act first."""
    _ = tr.html
    worst = max(per_quadrant, key=lambda c: (c.red, c.yellow))
    if worst.red == 0 and worst.yellow == 0:
        if all(c.rated == c.total for c in per_quadrant):
            return _("All indicators are green. Well done!")
        return _("No red or yellow so far.")
    return _("Needs attention first: {name} ({red} red, {yellow} yellow).").format(
        name=quadrant_name(tr, worst.quadrant_id), red=worst.red, yellow=worst.yellow
    )


def summary(
    tr: Translator, iso: Iso18091, sheet: sa.Sheet, *, notice: Html | None = None
) -> Reply:
    """Per quadrant the counts of red, yellow and green, and where to act first."""
    _ = tr.html
    per_quadrant = sa.counts(sheet, iso)
    if sheet.state is AssessmentState.SUBMITTED and sheet.submitted_at is not None:
        state = _("Sent on {date}.").format(date=tr.format_date(sheet.submitted_at))
    else:
        state = _("Not sent yet: {rated} of {total} indicators rated.").format(
            rated=sheet.rated, total=len(iso.indicators)
        )
    text = lines(
        *((notice, "") if notice is not None else ()),
        _heading(tr, sheet),
        state,
        "",
        *(count_line(tr, c) for c in per_quadrant),
        "",
        _reading(tr, per_quadrant),
    )
    draft = sheet.state is AssessmentState.DRAFT
    return Reply(text, (*((_back(tr, sheet.id),) if draft else ()), back_to_menu(tr)))


def submitted(tr: Translator, iso: Iso18091, sheet: sa.Sheet) -> Reply:
    notice = tr.html(
        "✅ Thank you. The assessment has been sent to the programme coordinators. "
        "The next quarter starts fresh."
    )
    return summary(tr, iso, sheet, notice=notice)


def incomplete(tr: Translator, iso: Iso18091, sheet: sa.Sheet, missing: int) -> Reply:
    """Submitting too early: how many are left, and the way to the first of them."""
    text = tr.nhtml(
        "There is still {n} indicator without a rating. The assessment can be sent once "
        "all {total} are rated.",
        "There are still {n} indicators without a rating. The assessment can be sent once "
        "all {total} are rated.",
        missing,
    ).format(n=missing, total=len(iso.indicators))
    left = sheet.missing(iso)
    go_on = (
        page_button(
            tr.pgettext("button", "Continue rating"), sheet.id, sa.position_of(iso, left[0])
        )
        if left
        else None
    )
    return Reply(text, (*rows(go_on, width=1), _back(tr, sheet.id)))


def no_agency(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Sorry, your account is not linked to an agency yet, so the self-assessment "
            "cannot be opened. Please ask the programme coordinator to link it."
        ),
        (back_to_menu(tr),),
    )


def _cancel(
    tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str
) -> tuple[tuple[Button, ...]]:
    """Back to the indicator's page."""
    position = sa.position_of(iso, indicator_id)
    return ((page_button(tr.pgettext("button", "Cancel"), sheet_id, position),),)


def ask_note(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    text = tr.html(
        "Please type a short note for <b>{title}</b> (at most {limit} characters)."
    ).format(title=iso.indicator(indicator_id).title, limit=sa.NOTE_LIMIT)
    return Reply(text, _cancel(tr, iso, sheet_id, indicator_id))


def ask_photo(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    text = tr.html("Please send a photo as evidence for <b>{title}</b>.").format(
        title=iso.indicator(indicator_id).title
    )
    return Reply(text, _cancel(tr, iso, sheet_id, indicator_id))


def want_text(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    return Reply(
        tr.html("Sorry, please type the note as text, or tap Cancel."),
        _cancel(tr, iso, sheet_id, indicator_id),
    )


def want_photo(tr: Translator, iso: Iso18091, sheet_id: int, indicator_id: str) -> Reply:
    return Reply(
        tr.html("Sorry, please send a photo, or tap Cancel."),
        _cancel(tr, iso, sheet_id, indicator_id),
    )


def note_saved(tr: Translator) -> Html:
    return Html("✅ {}").format(tr.html("The note has been saved."))


def photo_saved(tr: Translator) -> Html:
    return Html("✅ {}").format(tr.html("The photo has been saved as evidence."))


def rated_toast(tr: Translator, light: Light) -> str:
    return tr.gettext("Saved: {light}").format(light=light_label(tr, light))
