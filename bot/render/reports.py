"""/rekap: the coordinators' progress overview and its drill-down lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.assessment import period_label
from bot.render.checklist import next_step_lines, section_lines
from bot.render.common import ROLE_NAMES, back_to_menu
from bot.render.questions import days_ago
from bot.render.text import Html, bold, join, lines
from bot.services.reports.views import (
    PAGE_SIZE,
    UPCOMING,
    Agencies,
    AgencyRow,
    BusinessDetail,
    BusinessRow,
    DeadlineRow,
    Page,
    Summary,
    UnreachableRow,
)
from db.models import Role

SUMMARY_DEADLINES = 6  # deadlines named on the summary; the agencies list has the rest
LABEL_CHARS = 32  # a business name on a button
NAME_CHARS = 48  # names and titles in lists: the summary stays far below 4096
SUMMARY_ISO = 8  # agencies named one by one in the summary's ISO line


class ReportAction(StrEnum):
    SUMMARY = "s"
    BUSINESSES = "b"
    BUSINESS = "bd"
    AGENCIES = "a"
    UNREACHABLE = "u"
    CHARTS = "c"  # the charts, as photos


@dataclass(frozen=True)
class ReportButton(CallbackData, prefix="rk"):
    """A screen of /rekap; `page` of a list (for one business: the list it was opened from)."""

    action: ReportAction
    page: int = 0
    business: int | None = None


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sector(sectors: Mapping[str, str], key: str) -> str:
    return sectors.get(key, key)


def _button(
    label: str, action: ReportAction, page: int = 0, business: int | None = None
) -> Button:
    return Button(label, ReportButton(action, page, business).pack())


def _nav(tr: Translator, action: ReportAction, page: int, pages: int) -> tuple[Button, ...]:
    buttons = []
    if page > 0:
        buttons.append(_button(tr.pgettext("report", "◀ Previous"), action, page - 1))
    if page + 1 < pages:
        buttons.append(_button(tr.pgettext("report", "Next ▶"), action, page + 1))
    return tuple(buttons)


def _footer(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    # Translators: button back to the progress overview (/rekap)
    overview = _button(tr.pgettext("report", "Overview"), ReportAction.SUMMARY)
    return ((overview,), back_to_menu(tr))


def _head(title: str, tr: Translator, page: int, pages: int) -> Html:
    """A list's bold title, with the page when there are several."""
    if pages <= 1:
        return bold(title)
    where = tr.html("(page {page} of {pages})").format(page=page + 1, pages=pages)
    return Html("{} {}").format(bold(title), where)


# --- businesses -------------------------------------------------------------------------------


def _business_state(tr: Translator, row: BusinessRow, now_active: str) -> Html:
    _ = tr.html
    if not row.joined:
        return _("not joined yet")
    readiness = (
        _("{percent}% ready").format(percent=row.readiness)
        if row.readiness is not None
        else _("checklist not sent yet")
    )
    return _("{readiness} · active {when}").format(readiness=readiness, when=now_active)


def _business_line(
    tr: Translator, row: BusinessRow, sectors: Mapping[str, str], now: datetime
) -> Html:
    state = _business_state(tr, row, days_ago(tr, row.active_at, now))
    name = bold(_short(row.name, NAME_CHARS))
    return Html("{} ({}) · {}").format(name, _sector(sectors, row.sector), state)


# --- the summary --------------------------------------------------------------------------------


def _deadline_line(tr: Translator, row: DeadlineRow, now: datetime) -> Html:
    answers = tr.html("{answered} of {agencies} answered, {done} done").format(
        answered=row.answered, agencies=row.agencies, done=row.done
    )
    title = bold(_short(row.title, NAME_CHARS))
    line = Html("• {} ({}) · {}").format(title, tr.relative_days(row.due_at, now), answers)
    if row.late:
        late = tr.nhtml("%(n)d agency late", "%(n)d agencies late", row.late) % {"n": row.late}
        line = Html("{} · {}").format(line, late)
    return line


def _hint(tr: Translator, row: UnreachableRow) -> Html:
    _ = tr.html
    if row.phone:
        return _("please call {phone}").format(phone=row.phone)
    if row.agency:
        return _("please call their office")
    return _("please contact them by phone")


def _unreachable_line(tr: Translator, row: UnreachableRow, now: datetime) -> Html:
    _ = tr.gettext
    roles = ", ".join(_(ROLE_NAMES[r]) for r in Role if r in row.roles) or _("no role")
    where = row.business or row.agency
    who = Html("<b>{name}</b> ({roles}{where})").format(
        name=_short(row.name, NAME_CHARS),
        roles=roles,
        where=Html(", {}").format(_short(where, NAME_CHARS)) if where else "",
    )
    since = tr.html("since {when}").format(when=days_ago(tr, row.since, now))
    return Html("• {} · {} → {}").format(who, since, _hint(tr, row))


def _businesses_block(tr: Translator, data: Summary, sectors: Mapping[str, str]) -> Html:
    _ = tr.html
    b = data.businesses
    attention = (
        (
            _("Needing attention first:"),
            *(
                Html("{}. {}").format(n, _business_line(tr, row, sectors, data.now))
                for n, row in enumerate(b.attention, start=1)
            ),
        )
        if b.attention
        else ()
    )
    return lines(
        bold(tr.gettext("Businesses")),
        _("Invited {invited} · joined {joined} · checklist sent {submitted}").format(
            invited=b.invited, joined=b.joined, submitted=b.submitted
        ),
        (
            _("Average readiness: <b>{percent}%</b>").format(percent=b.average)
            if b.average is not None
            else None
        ),
        *attention,
        _("No business has been invited yet. Use /undang to invite one.")
        if b.invited == 0
        else None,
    )


def _deadlines_block(tr: Translator, data: Summary) -> Html:
    _ = tr.html
    late = sum(1 for d in data.deadlines if d.late)
    more = len(data.deadlines) - SUMMARY_DEADLINES
    overdue = tr.nhtml("%(n)d deadline is overdue", "%(n)d deadlines are overdue", late)
    return lines(
        bold(tr.gettext("Agency deadlines (next {days} days)").format(days=UPCOMING.days)),
        Html("🔴 {}").format(overdue % {"n": late}) if late else None,
        *(_deadline_line(tr, row, data.now) for row in data.deadlines[:SUMMARY_DEADLINES]),
        _("… and {n} more: see Agencies.").format(n=more) if more > 0 else None,
        None if data.deadlines else _("No deadline is due or overdue. Everything is on track."),
    )


def _iso_block(tr: Translator, data: Summary) -> Html:
    _ = tr.html
    head = bold(f"ISO 18091 · {period_label(tr, data.period)}")
    if not data.iso:
        return lines(head, _("No agency is registered yet."))
    rated = join(
        (
            Html("{name} {rated}/{total}{sent}").format(
                name=row.short_name,
                rated=row.rated,
                total=data.indicators,
                sent=" ✓" if row.submitted else "",
            )
            for row in data.iso[:SUMMARY_ISO]
        ),
        " · ",
    )
    more = len(data.iso) - SUMMARY_ISO
    return lines(
        head,
        rated,
        _("… and {n} more: see Agencies.").format(n=more) if more > 0 else None,
        _("✓ = sent to the coordinators") if any(row.submitted for row in data.iso) else None,
    )


def _questions_block(tr: Translator, data: Summary) -> Html:
    q = data.questions
    if q.open and q.oldest_at is not None:
        state = tr.html("{n} waiting for an answer, the oldest asked {when}.").format(
            n=q.open, when=days_ago(tr, q.oldest_at, data.now)
        )
    else:
        state = tr.html("Every question has been answered.")
    return lines(bold(tr.gettext("Mentoring questions")), state)


def _unreachable_block(tr: Translator, data: Summary) -> Html:
    head = bold(tr.gettext("Cannot be reached (blocked the bot)"))
    if not data.unreachable_total:
        return lines(head, tr.html("Everyone can be reached."))
    rest = data.unreachable_total - len(data.unreachable)
    return lines(
        head,
        *(_unreachable_line(tr, row, data.now) for row in data.unreachable),
        tr.html("… and {n} more.").format(n=rest) if rest > 0 else None,
    )


def summary(tr: Translator, data: Summary, sectors: Mapping[str, str]) -> Reply:
    """The first screen of /rekap: one paragraph per block."""
    title = Html("{} · {}").format(
        bold(tr.gettext("Programme progress")), tr.format_date(data.now)
    )
    text = join(
        (
            title,
            _businesses_block(tr, data, sectors),
            _deadlines_block(tr, data),
            _iso_block(tr, data),
            _questions_block(tr, data),
            _unreachable_block(tr, data),
        ),
        "\n\n",
    )
    buttons = (
        (
            # Translators: button to the list of businesses (UMKM) in /rekap
            _button(tr.pgettext("report", "Businesses"), ReportAction.BUSINESSES),
            # Translators: button to the list of agencies (perangkat daerah) in /rekap
            _button(tr.pgettext("report", "Agencies"), ReportAction.AGENCIES),
        ),
        (
            # Translators: button to the people who blocked the bot, in /rekap
            _button(tr.pgettext("report", "Unreachable"), ReportAction.UNREACHABLE),
            # Translators: button that sends the /rekap charts as photos
            _button(tr.pgettext("report", "📊 Charts"), ReportAction.CHARTS),
        ),
        back_to_menu(tr),
    )
    return Reply(text, buttons)


# --- drill-down ---------------------------------------------------------------------------------


def businesses(
    tr: Translator, page: Page[BusinessRow], sectors: Mapping[str, str], now: datetime
) -> Reply:
    """The businesses, PAGE_SIZE per page; a button opens each."""
    title = tr.ngettext("%(n)d business", "%(n)d businesses", page.total) % {"n": page.total}
    head = _head(title, tr, page.page, page.pages)
    if not page.rows:
        text = lines(head, tr.html("No business has been invited yet. Use /undang to invite one."))
        return Reply(text, _footer(tr))
    first = page.page * PAGE_SIZE
    openers = rows(
        *(
            _button(_short(row.name), ReportAction.BUSINESS, page.page, row.id)
            for row in page.rows
        ),
        width=2,
    )
    text = lines(
        head,
        *(
            Html("{}. {}").format(first + n, _business_line(tr, row, sectors, now))
            for n, row in enumerate(page.rows, start=1)
        ),
        "",
        tr.html("Tap a business to see its checklist."),
    )
    nav = _nav(tr, ReportAction.BUSINESSES, page.page, page.pages)
    return Reply(text, (*openers, nav, *_footer(tr)))


def business(
    tr: Translator, data: BusinessDetail, sectors: Mapping[str, str], list_page: int
) -> Reply:
    """One business: its latest readiness per section and next steps."""
    _ = tr.html
    row = data.row
    progress = data.progress
    found: tuple[Html | str, ...]
    if progress.latest is not None:
        latest = progress.latest
        change = (
            _("Change since the version before: {change:+d}%").format(
                change=latest.score.percent - progress.previous.score.percent
            )
            if progress.previous is not None
            else None
        )
        found = (
            _("Readiness: <b>{percent}%</b>, sent {date}").format(
                percent=latest.score.percent, date=tr.format_date(latest.submitted_at)
            ),
            *section_lines(tr, latest.score),
            *((change,) if change is not None else ()),
        )
    elif progress.draft is not None:
        found = (
            _("Not sent yet; so far <b>{percent}%</b>:").format(percent=progress.draft.percent),
            *section_lines(tr, progress.draft),
        )
    else:
        found = (_("The readiness checklist has not been started yet."),)
    started = progress.latest is not None or progress.draft is not None
    steps = (
        ("", _("Next steps:"), *next_step_lines(tr, progress.steps))
        if progress.steps and started
        else ()
    )
    text = lines(
        Html("{} ({})").format(bold(row.name), _sector(sectors, row.sector)),
        _business_state(tr, row, days_ago(tr, row.active_at, data.now)),
        "",
        *found,
        *steps,
    )
    buttons = (
        # Translators: button back to the list of businesses in /rekap
        (_button(tr.pgettext("report", "Business list"), ReportAction.BUSINESSES, list_page),),
        *_footer(tr),
    )
    return Reply(text, buttons)


def _agency_block(tr: Translator, row: AgencyRow, data: Agencies) -> Html:
    _ = tr.html
    if row.late or row.upcoming:
        status = _("Deadlines: {late} overdue, {upcoming} in the next {days} days").format(
            late=row.late, upcoming=row.upcoming, days=UPCOMING.days
        )
        if row.late:
            status = Html("🔴 {}").format(status)
    else:
        status = _("Deadlines: nothing due or overdue")
    upcoming = (
        _("Next: {title} ({when})").format(
            title=row.next_title, when=tr.relative_days(row.next_due, data.now)
        )
        if row.next_title is not None and row.next_due is not None
        else None
    )
    iso = _("ISO 18091: {rated}/{total} rated").format(rated=row.iso_rated, total=data.indicators)
    if row.iso_submitted:
        iso = Html("{}, {}").format(iso, _("sent"))
    return lines(bold(row.name), status, upcoming, iso)


def agencies(tr: Translator, data: Agencies) -> Reply:
    """Every agency: deadlines overdue and coming, the next one, ISO 18091 this quarter."""
    head = Html("{} · ISO 18091 {}").format(
        bold(tr.gettext("Agencies")), period_label(tr, data.period)
    )
    if not data.rows:
        return Reply(lines(head, tr.html("No agency is registered yet.")), _footer(tr))
    return Reply(
        join([head, *(_agency_block(tr, r, data) for r in data.rows)], "\n\n"), _footer(tr)
    )


def unreachable(tr: Translator, page: Page[UnreachableRow], now: datetime) -> Reply:
    """People who blocked the bot, with what to do about each."""
    head = _head(tr.gettext("Cannot be reached (blocked the bot)"), tr, page.page, page.pages)
    if not page.rows:
        return Reply(lines(head, tr.html("Everyone can be reached.")), _footer(tr))
    text = lines(
        head,
        *(_unreachable_line(tr, row, now) for row in page.rows),
        "",
        tr.html(
            "Messages reach them again as soon as they open the bot and send /start. "
            "Reminders meant for them in the meantime are not sent."
        ),
    )
    nav = _nav(tr, ReportAction.UNREACHABLE, page.page, page.pages)
    return Reply(text, (nav, *_footer(tr)))
