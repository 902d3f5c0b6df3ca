"""/rekap: the coordinators' progress overview and its drill-down lists."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime

from bot.callbacks import REPORT
from bot.i18n import Translator
from bot.render import Button, Reply, rows
from bot.render.assessment import period_label
from bot.render.checklist import next_step_lines, section_lines
from bot.render.common import ROLE_NAMES, back_to_menu
from bot.render.questions import days_ago
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


def _e(value: object) -> str:
    return html.escape(str(value))


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sector(sectors: Mapping[str, str], key: str) -> str:
    return _e(sectors.get(key, key))


def _nav(tr: Translator, view: str, page: int, pages: int) -> tuple[Button, ...]:
    buttons = []
    if page > 0:
        buttons.append(Button(tr.pgettext("report", "◀ Previous"), REPORT.pack(view, page - 1)))
    if page + 1 < pages:
        buttons.append(Button(tr.pgettext("report", "Next ▶"), REPORT.pack(view, page + 1)))
    return tuple(buttons)


def _footer(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    # Translators: button back to the progress overview (/rekap)
    return ((Button(tr.pgettext("report", "Overview"), REPORT.pack("s", "-")),), back_to_menu(tr))


def _page_line(tr: Translator, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    return " " + tr.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)


# --- businesses -------------------------------------------------------------------------------


def _business_state(tr: Translator, row: BusinessRow, now_active: str) -> str:
    _ = tr.gettext
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
) -> str:
    when = days_ago(tr, row.active_at, now)
    state = _business_state(tr, row, when)
    return f"<b>{_e(_short(row.name, NAME_CHARS))}</b> ({_sector(sectors, row.sector)}) · {state}"


# --- the summary --------------------------------------------------------------------------------


def _deadline_line(tr: Translator, row: DeadlineRow, now: datetime) -> str:
    _ = tr.gettext
    when = tr.relative_days(row.due_at, now)
    answers = _("{answered} of {agencies} answered, {done} done").format(
        answered=row.answered, agencies=row.agencies, done=row.done
    )
    line = f"• <b>{_e(_short(row.title, NAME_CHARS))}</b> ({_e(when)}) · {answers}"
    if row.late:
        line += " · " + tr.ngettext("%(n)d agency late", "%(n)d agencies late", row.late) % {
            "n": row.late
        }
    return line


def _hint(tr: Translator, row: UnreachableRow) -> str:
    _ = tr.gettext
    if row.phone:
        return _("please call {phone}").format(phone=_e(row.phone))
    if row.agency:
        return _("please call their office")
    return _("please contact them by phone")


def _unreachable_line(tr: Translator, row: UnreachableRow, now: datetime) -> str:
    _ = tr.gettext
    roles = ", ".join(_(ROLE_NAMES[r]) for r in Role if r in row.roles) or _("no role")
    where = row.business or row.agency
    who = "<b>{name}</b> ({roles}{where})".format(
        name=_e(_short(row.name, NAME_CHARS)),
        roles=roles,
        where=f", {_e(_short(where, NAME_CHARS))}" if where else "",
    )
    since = _("since {when}").format(when=days_ago(tr, row.since, now))
    return f"• {who} · {since} → {_hint(tr, row)}"


def summary(tr: Translator, data: Summary, sectors: Mapping[str, str]) -> Reply:
    """The first screen of /rekap: one paragraph per block."""
    _ = tr.gettext
    now = data.now
    b = data.businesses
    blocks = ["<b>{}</b> · {}".format(_("Programme progress"), _e(tr.format_date(now)))]

    lines = [
        "<b>{}</b>".format(_("Businesses")),
        _("Invited {invited} · joined {joined} · checklist sent {submitted}").format(
            invited=b.invited, joined=b.joined, submitted=b.submitted
        ),
    ]
    if b.average is not None:
        lines.append(_("Average readiness: <b>{percent}%</b>").format(percent=b.average))
    if b.attention:
        lines.append(_("Needing attention first:"))
        lines += [
            f"{n}. {_business_line(tr, row, sectors, now)}"
            for n, row in enumerate(b.attention, start=1)
        ]
    if b.invited == 0:
        lines.append(_("No business has been invited yet. Use /undang to invite one."))
    blocks.append("\n".join(lines))

    late = sum(1 for d in data.deadlines if d.late)
    head = _("Agency deadlines (next {days} days)").format(days=UPCOMING.days)
    lines = [f"<b>{head}</b>"]
    if late:
        lines.append(
            "🔴 "
            + tr.ngettext("%(n)d deadline is overdue", "%(n)d deadlines are overdue", late)
            % {"n": late}
        )
    lines += [_deadline_line(tr, row, now) for row in data.deadlines[:SUMMARY_DEADLINES]]
    if len(data.deadlines) > SUMMARY_DEADLINES:
        more = len(data.deadlines) - SUMMARY_DEADLINES
        lines.append(_("… and {n} more: see Agencies.").format(n=more))
    if not data.deadlines:
        lines.append(_("No deadline is due or overdue. Everything is on track."))
    blocks.append("\n".join(lines))

    lines = [f"<b>ISO 18091 · {_e(period_label(tr, data.period))}</b>"]
    if data.iso:
        lines.append(
            " · ".join(
                "{name} {rated}/{total}{sent}".format(
                    name=_e(row.short_name),
                    rated=row.rated,
                    total=data.indicators,
                    sent=" ✓" if row.submitted else "",
                )
                for row in data.iso[:SUMMARY_ISO]
            )
        )
        if len(data.iso) > SUMMARY_ISO:
            lines.append(_("… and {n} more: see Agencies.").format(n=len(data.iso) - SUMMARY_ISO))
        if any(row.submitted for row in data.iso):
            lines.append(_("✓ = sent to the coordinators"))
    else:
        lines.append(_("No agency is registered yet."))
    blocks.append("\n".join(lines))

    q = data.questions
    lines = ["<b>{}</b>".format(_("Mentoring questions"))]
    if q.open and q.oldest_at is not None:
        lines.append(
            _("{n} waiting for an answer, the oldest asked {when}.").format(
                n=q.open, when=days_ago(tr, q.oldest_at, now)
            )
        )
    else:
        lines.append(_("Every question has been answered."))
    blocks.append("\n".join(lines))

    lines = ["<b>{}</b>".format(_("Cannot be reached (blocked the bot)"))]
    if data.unreachable_total:
        lines += [_unreachable_line(tr, row, now) for row in data.unreachable]
        rest = data.unreachable_total - len(data.unreachable)
        if rest > 0:
            lines.append(_("… and {n} more.").format(n=rest))
    else:
        lines.append(_("Everyone can be reached."))
    blocks.append("\n".join(lines))

    buttons = (
        (
            # Translators: button to the list of businesses (UMKM) in /rekap
            Button(tr.pgettext("report", "Businesses"), REPORT.pack("b", 0)),
            # Translators: button to the list of agencies (perangkat daerah) in /rekap
            Button(tr.pgettext("report", "Agencies"), REPORT.pack("a", "-")),
        ),
        # Translators: button to the people who blocked the bot, in /rekap
        (Button(tr.pgettext("report", "Unreachable"), REPORT.pack("u", 0)),),
        back_to_menu(tr),
    )
    return Reply("\n\n".join(blocks), buttons)


# --- drill-down ---------------------------------------------------------------------------------


def businesses(
    tr: Translator, page: Page[BusinessRow], sectors: Mapping[str, str], now: datetime
) -> Reply:
    """The businesses, PAGE_SIZE per page; a button opens each."""
    _ = tr.gettext
    head = "<b>{}</b>{}".format(
        tr.ngettext("%(n)d business", "%(n)d businesses", page.total) % {"n": page.total},
        _page_line(tr, page.page, page.pages),
    )
    if not page.rows:
        return Reply(
            "\n".join([head, _("No business has been invited yet. Use /undang to invite one.")]),
            _footer(tr),
        )
    first = page.page * PAGE_SIZE
    lines = [
        f"{first + n}. {_business_line(tr, row, sectors, now)}"
        for n, row in enumerate(page.rows, start=1)
    ]
    openers = rows(
        *(
            Button(_short(row.name), REPORT.pack("bd", f"{row.id}.{page.page}"))
            for row in page.rows
        ),
        width=2,
    )
    nav = _nav(tr, "b", page.page, page.pages)
    return Reply(
        "\n".join([head, *lines, "", _("Tap a business to see its checklist.")]),
        (*openers, nav, *_footer(tr)),
    )


def business(
    tr: Translator, data: BusinessDetail, sectors: Mapping[str, str], list_page: int
) -> Reply:
    """One business: its latest readiness per section and next steps."""
    _ = tr.gettext
    row = data.row
    lines = [
        f"<b>{_e(row.name)}</b> ({_sector(sectors, row.sector)})",
        _business_state(tr, row, days_ago(tr, row.active_at, data.now)),
    ]
    progress = data.progress
    if progress.latest is not None:
        lines += [
            "",
            _("Readiness: <b>{percent}%</b>, sent {date}").format(
                percent=progress.latest.score.percent,
                date=_e(tr.format_date(progress.latest.submitted_at)),
            ),
            *section_lines(tr, progress.latest.score),
        ]
        if progress.previous is not None:
            change = progress.latest.score.percent - progress.previous.score.percent
            lines.append(_("Change since the version before: {change:+d}%").format(change=change))
    elif progress.draft is not None:
        lines += [
            "",
            _("Not sent yet; so far <b>{percent}%</b>:").format(percent=progress.draft.percent),
            *section_lines(tr, progress.draft),
        ]
    else:
        lines += ["", _("The readiness checklist has not been started yet.")]
    if progress.steps and (progress.latest is not None or progress.draft is not None):
        lines += ["", _("Next steps:"), *next_step_lines(tr, progress.steps)]
    buttons = (
        # Translators: button back to the list of businesses in /rekap
        (Button(tr.pgettext("report", "Business list"), REPORT.pack("b", list_page)),),
        *_footer(tr),
    )
    return Reply("\n".join(lines), buttons)


def _agency_block(tr: Translator, row: AgencyRow, data: Agencies) -> str:
    _ = tr.gettext
    lines = [f"<b>{_e(row.name)}</b>"]
    if row.late or row.upcoming:
        status = _("Deadlines: {late} overdue, {upcoming} in the next {days} days").format(
            late=row.late, upcoming=row.upcoming, days=UPCOMING.days
        )
        if row.late:
            status = "🔴 " + status
        lines.append(status)
    else:
        lines.append(_("Deadlines: nothing due or overdue"))
    if row.next_title is not None and row.next_due is not None:
        lines.append(
            _("Next: {title} ({when})").format(
                title=_e(row.next_title), when=_e(tr.relative_days(row.next_due, data.now))
            )
        )
    iso = _("ISO 18091: {rated}/{total} rated").format(rated=row.iso_rated, total=data.indicators)
    if row.iso_submitted:
        iso += ", " + _("sent")
    lines.append(iso)
    return "\n".join(lines)


def agencies(tr: Translator, data: Agencies) -> Reply:
    """Every agency: deadlines overdue and coming, the next one, ISO 18091 this quarter."""
    _ = tr.gettext
    head = "<b>{}</b> · ISO 18091 {}".format(_("Agencies"), _e(period_label(tr, data.period)))
    if not data.rows:
        return Reply("\n".join([head, _("No agency is registered yet.")]), _footer(tr))
    return Reply(
        "\n\n".join([head, *(_agency_block(tr, r, data) for r in data.rows)]), _footer(tr)
    )


def unreachable(tr: Translator, page: Page[UnreachableRow], now: datetime) -> Reply:
    """People who blocked the bot, with what to do about each."""
    _ = tr.gettext
    head = "<b>{}</b>{}".format(
        _("Cannot be reached (blocked the bot)"),
        _page_line(tr, page.page, page.pages),
    )
    if not page.rows:
        return Reply("\n".join([head, _("Everyone can be reached.")]), _footer(tr))
    lines = [head, *(_unreachable_line(tr, row, now) for row in page.rows)]
    lines += [
        "",
        _(
            "Messages reach them again as soon as they open the bot and send /start. "
            "Reminders meant for them in the meantime are not sent."
        ),
    ]
    nav = _nav(tr, "u", page.page, page.pages)
    return Reply("\n".join(lines), (nav, *_footer(tr)))
