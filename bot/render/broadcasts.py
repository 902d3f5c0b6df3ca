"""Broadcast screens: writing, choosing the audience, the preview, the schedule, the live
progress view with its summary, and the list of broadcasts (/siaran)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from babel.numbers import format_decimal

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import back_to_menu
from bot.render.text import Html, bold, italic, join, lines
from bot.services.broadcasts import Content, Counts, Reach, Target, Unreached, View
from db.models import Audience, BroadcastState, FileKind, OutboxState

# Names listed under a finished broadcast; the rest are counted.
MAX_NAMES = 40
# Characters of a broadcast's text shown in the list.
SNIPPET = 40


class BroadcastAction(StrEnum):
    NEW = "n"  # write a new one
    LIST = "l"  # past and scheduled broadcasts
    OPEN = "o"  # one broadcast
    AUDIENCE = "a"  # choose the audience (`audience`, with `sector` or `agency`)
    CHOOSE = "c"  # back to the audience choice
    SEND = "k"  # send now
    SCHEDULE = "j"  # ask for a moment
    RESCHEDULE = "u"  # ask for another moment
    PAUSE = "p"
    RESUME = "r"
    CANCEL = "x"  # cancel a scheduled or running broadcast
    DISCARD = "d"  # drop a draft


@dataclass(frozen=True)
class BroadcastButton(CallbackData, prefix="bc"):
    """A broadcast's buttons; `audience` with its `sector` or `agency` when choosing."""

    action: BroadcastAction
    broadcast: int | None = None
    audience: Audience | None = None
    sector: str | None = None
    agency: int | None = None


def _button(
    label: str,
    action: BroadcastAction,
    broadcast: int | None = None,
    audience: Audience | None = None,
    sector: str | None = None,
    agency: int | None = None,
) -> Button:
    return Button(label, BroadcastButton(action, broadcast, audience, sector, agency).pack())


AUDIENCE_LABELS = {
    Audience.BUSINESSES: N_("All businesses"),
    Audience.SECTOR: N_("Businesses of one sector"),
    Audience.FOCAL: N_("All focal points"),
    Audience.AGENCY: N_("Focal points of one agency"),
    Audience.MENTORS: N_("Mentors"),
    Audience.COORDINATORS: N_("Coordinators"),
    Audience.EVERYONE: N_("Everyone"),
}


def audience_name(tr: Translator, target: Target | None, sectors: dict[str, str]) -> str:
    """The audience as a person reads it: "Pelaku UMKM sektor Kue lokal"."""
    if target is None:
        return "—"
    if target.audience is Audience.SECTOR and target.sector is not None:
        sector = sectors.get(target.sector, target.sector)
        return tr.gettext("Businesses: {sector}").format(sector=sector)
    if target.audience is Audience.AGENCY and target.agency_name is not None:
        return tr.gettext("Focal points: {agency}").format(agency=target.agency_name)
    if target.audience is Audience.PICKED:
        n = len(target.people)
        return tr.ngettext("%(n)d person picked in /orang", "%(n)d people picked in /orang", n) % {
            "n": n
        }
    return tr.gettext(AUDIENCE_LABELS[target.audience])


def duration(tr: Translator, seconds: float) -> str:
    """ "12 detik", "4 menit", "1 jam 5 menit": rounded up, for estimates."""
    whole = max(1, round(seconds))
    if whole < 60:
        return tr.ngettext("%(n)d second", "%(n)d seconds", whole) % {"n": whole}
    minutes = -(-whole // 60)
    if minutes < 60:
        return tr.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    text = tr.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if rest:
        text += " " + tr.ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    return text


def stars(tr: Translator, amount: float) -> str:
    return format_decimal(amount, format="#,##0.#", locale=tr.locale)


# --- what recipients see -------------------------------------------------------------------


def message(content: Content) -> Reply:
    """The broadcast exactly as the coordinator wrote it (their entities, as HTML)."""
    attachment = None
    if content.file_id is not None:
        attachment = Attachment(
            b"", "", is_photo=content.file_kind is FileKind.PHOTO, file_id=content.file_id
        )
    # The text is Telegram's own HTML of the coordinator's message entities: trusted.
    return Reply(Html(content.text), attachment=attachment, paid=content.paid)


# --- writing ----------------------------------------------------------------------------------


def ask_for_message(tr: Translator, *, again: bool = False) -> Reply:
    _ = tr.html
    text = lines(
        bold(tr.gettext("Send a broadcast")),
        _("That is not a message I can send. Please send text, a photo or a document.")
        if again
        else None,
        _(
            "Write the message to send, as you want people to read it. You can use Telegram's "
            "formatting (bold, italics, links) and add one photo or document with a caption."
        ),
    )
    return Reply(
        text,
        (
            (_button(tr.gettext("Past broadcasts"), BroadcastAction.LIST),),
            back_to_menu(tr),
        ),
    )


def choose_audience(tr: Translator, broadcast_id: int, picked: int) -> Reply:
    """The audiences; people picked in /orang too, once somebody was picked there."""
    buttons = [
        _button(tr.gettext(label), BroadcastAction.AUDIENCE, broadcast_id, audience)
        for audience, label in AUDIENCE_LABELS.items()
    ]
    chosen = _button(
        tr.ngettext("%(n)d person picked in /orang", "%(n)d people picked in /orang", picked)
        % {"n": picked},
        BroadcastAction.AUDIENCE,
        broadcast_id,
        Audience.PICKED,
    )
    return Reply(
        lines(
            bold(tr.gettext("Who should receive it?")),
            tr.html("Choose the audience.")
            if picked
            else tr.html(
                "Choose the audience. To send to particular people, pick them first in "
                "/orang (open a person, then “Pick for a broadcast”)."
            ),
        ),
        (
            *rows(*buttons),
            (chosen,) if picked else (),
            (_button(tr.gettext("Cancel"), BroadcastAction.DISCARD, broadcast_id),),
        ),
    )


def choose_sector(tr: Translator, broadcast_id: int, sectors: dict[str, str]) -> Reply:
    buttons = [
        _button(name, BroadcastAction.AUDIENCE, broadcast_id, Audience.SECTOR, sector=key)
        for key, name in sectors.items()
    ]
    return Reply(
        tr.html("Which sector's businesses?"),
        (*rows(*buttons), (_button(tr.gettext("Back"), BroadcastAction.CHOOSE, broadcast_id),)),
    )


def choose_agency(tr: Translator, broadcast_id: int, agencies: Sequence[tuple[int, str]]) -> Reply:
    buttons = [
        _button(name, BroadcastAction.AUDIENCE, broadcast_id, Audience.AGENCY, agency=agency_id)
        for agency_id, name in agencies
    ]
    return Reply(
        tr.html("Which agency's focal points?"),
        (
            *rows(*buttons, width=1),
            (_button(tr.gettext("Back"), BroadcastAction.CHOOSE, broadcast_id),),
        ),
    )


def left_out(tr: Translator, unreachable: int, no_consent: int, paused: int) -> Html | None:
    parts = [
        tr.ngettext("%(n)d blocked the bot", "%(n)d blocked the bot", unreachable)
        % {"n": unreachable}
        if unreachable
        else None,
        tr.ngettext(
            "%(n)d has not agreed to the privacy notice",
            "%(n)d have not agreed to the privacy notice",
            no_consent,
        )
        % {"n": no_consent}
        if no_consent
        else None,
        tr.ngettext("%(n)d has paused access", "%(n)d have paused access", paused) % {"n": paused}
        if paused
        else None,
    ]
    found = [p for p in parts if p is not None]
    if not found:
        return None
    total = unreachable + no_consent + paused
    return tr.nhtml(
        "Left out: %(n)d person ({why}).", "Left out: %(n)d people ({why}).", total
    ).format(why="; ".join(found)) % {"n": total}


def reach_facts(
    tr: Translator,
    target: Target | None,
    reach: Reach,
    sectors: dict[str, str],
    seconds: float,
    cost: float | None,
) -> Html:
    """Whom it reaches, who is left out and why, the time and the cost (chat and desk)."""
    _ = tr.html
    n = len(reach.recipients)
    return lines(
        _("Audience: {audience}").format(audience=audience_name(tr, target, sectors)),
        tr.nhtml("Recipients: %(n)d person", "Recipients: %(n)d people", n) % {"n": n},
        left_out(tr, reach.unreachable, reach.no_consent, reach.paused),
        _("Estimated sending time: about {time}.").format(time=duration(tr, seconds))
        if n
        else None,
        _("Paid broadcast: about {stars} Telegram Stars (0.1 Star per message).").format(
            stars=stars(tr, cost)
        )
        if cost is not None and n
        else None,
        "" if not n else None,
        _("Nobody in this audience can receive it now. Choose another audience.")
        if not n
        else None,
    )


def preview(
    tr: Translator,
    view: View,
    reach: Reach,
    sectors: dict[str, str],
    seconds: float,
    cost: float | None,
) -> Reply:
    """The message as recipients will see it, then what sending it means."""
    _ = tr.html
    n = len(reach.recipients)
    facts = lines(
        bold(tr.gettext("Preview")),
        _("Above is the message exactly as recipients will see it."),
        "",
        reach_facts(tr, view.target, reach, sectors, seconds, cost),
    )
    send = (
        (
            _button(tr.gettext("Send now"), BroadcastAction.SEND, view.id),
            _button(tr.gettext("Schedule"), BroadcastAction.SCHEDULE, view.id),
        )
        if n
        else ()
    )
    card = Reply(
        facts,
        (
            send,
            (
                _button(tr.gettext("Change audience"), BroadcastAction.CHOOSE, view.id),
                _button(tr.gettext("Cancel"), BroadcastAction.DISCARD, view.id),
            ),
        ),
    )
    shown = message(view.content)
    # The coordinator's own preview is one message: never a paid one.
    return Reply(shown.text, attachment=shown.attachment, extra=(card,))


def ask_for_moment(tr: Translator, example: str) -> Reply:
    return Reply(
        tr.html(
            "When should it go out? Type the date and time ({zone}), for example "
            "<code>{example}</code>."
        ).format(zone=tr.zone_label, example=example),
    )


def bad_moment(tr: Translator, example: str) -> Reply:
    return Reply(
        tr.html(
            "I could not read that as a date and time still to come (within a year). Please "
            "type it like <code>{example}</code>."
        ).format(example=example),
    )


def discarded(tr: Translator) -> Reply:
    return Reply(tr.html("The broadcast was not sent."), (back_to_menu(tr),))


# --- after it was sent or scheduled ------------------------------------------------------------


STATUS_NAMES = {
    BroadcastState.DRAFT: N_("draft"),
    BroadcastState.SCHEDULED: N_("scheduled"),
    BroadcastState.SENDING: N_("sending"),
    BroadcastState.PAUSED: N_("paused"),
    BroadcastState.DONE: N_("done"),
    BroadcastState.CANCELLED: N_("cancelled"),
}


def _status(tr: Translator, view: View) -> str:
    return tr.gettext(STATUS_NAMES[view.state])


def scheduled(
    tr: Translator, view: View, sectors: dict[str, str], notice: Html | None = None
) -> Reply:
    _ = tr.html
    when = tr.format_datetime(view.due_at) if view.due_at is not None else "—"
    text = lines(
        notice,
        bold(tr.gettext("Broadcast scheduled")),
        _("It goes out on {when}.").format(when=when),
        _("Audience: {audience}").format(audience=audience_name(tr, view.target, sectors)),
        tr.nhtml("Recipients: %(n)d person", "Recipients: %(n)d people", view.recipients)
        % {"n": view.recipients},
        left_out(tr, view.left_unreachable, view.left_no_consent, view.left_paused),
    )
    return Reply(
        text,
        (
            (
                _button(tr.gettext("Change time"), BroadcastAction.RESCHEDULE, view.id),
                _button(tr.gettext("Cancel broadcast"), BroadcastAction.CANCEL, view.id),
            ),
            (_button(tr.gettext("Broadcasts"), BroadcastAction.LIST),),
        ),
    )


def _count_lines(tr: Translator, counts: Counts) -> list[Html]:
    _ = tr.html
    found = [
        _("Sent: {n}").format(n=counts.sent),
        _("Blocked the bot: {n}").format(n=counts.blocked),
        _("Failed: {n}").format(n=counts.failed),
    ]
    if counts.unknown:
        found.append(_("No answer from Telegram (maybe delivered): {n}").format(n=counts.unknown))
    if counts.skipped:
        found.append(_("Not sent (cancelled or access paused): {n}").format(n=counts.skipped))
    return found


def progress(tr: Translator, view: View, sectors: dict[str, str], seconds_left: float) -> Reply:
    """The live view: counts, time left, and Pause/Go on/Cancel."""
    _ = tr.html
    counts = view.counts
    paused = view.state is BroadcastState.PAUSED
    head = _("<b>Broadcast paused</b>") if paused else _("<b>Sending the broadcast…</b>")
    text = lines(
        head,
        _("Audience: {audience}").format(audience=audience_name(tr, view.target, sectors)),
        "",
        *_count_lines(tr, counts),
        _("Remaining: {n}").format(n=counts.remaining),
        _("Time left: about {time}").format(time=duration(tr, seconds_left))
        if counts.remaining and not paused
        else None,
    )
    toggle = (
        _button(tr.gettext("Go on"), BroadcastAction.RESUME, view.id)
        if paused
        else _button(tr.gettext("Pause"), BroadcastAction.PAUSE, view.id)
    )
    cancel = _button(tr.gettext("Cancel broadcast"), BroadcastAction.CANCEL, view.id)
    return Reply(text, ((toggle, cancel),))


_WHY = {
    OutboxState.BLOCKED: N_("blocked the bot"),
    OutboxState.FAILED: N_("failed"),
    OutboxState.UNKNOWN: N_("maybe delivered"),
}


def summary(
    tr: Translator, view: View, sectors: dict[str, str], unreached: Sequence[Unreached]
) -> Reply:
    """The end: the counts, and who could not be reached."""
    _ = tr.html
    head = (
        _("<b>Broadcast cancelled</b>")
        if view.state is BroadcastState.CANCELLED
        else _("<b>Broadcast finished</b>")
    )
    names = [
        Html("• {} ({})").format(u.name, tr.gettext(_WHY[u.state])) for u in unreached[:MAX_NAMES]
    ]
    more = len(unreached) - len(names)
    text = lines(
        head,
        _("Audience: {audience}").format(audience=audience_name(tr, view.target, sectors)),
        "",
        *_count_lines(tr, view.counts),
        left_out(tr, view.left_unreachable, view.left_no_consent, view.left_paused),
        "" if names else None,
        bold(tr.gettext("Could not be reached:")) if names else None,
        *names,
        tr.nhtml("…and %(n)d more.", "…and %(n)d more.", more) % {"n": more} if more > 0 else None,
    )
    return Reply(
        text,
        ((_button(tr.gettext("Broadcasts"), BroadcastAction.LIST),), back_to_menu(tr)),
    )


def _snippet(content: Content) -> str:
    plain = Html(content.text).striptags()
    if not plain:
        plain = "📎"
    return plain if len(plain) <= SNIPPET else plain[: SNIPPET - 1] + "…"


def _line(tr: Translator, view: View, sectors: dict[str, str]) -> Html:
    when = tr.format_short_date(view.due_at) if view.due_at else ""
    time = tr.format_time(view.due_at) if view.due_at else ""
    counts = view.counts
    figures = (
        tr.html("{n} recipients").format(n=view.recipients)
        if view.state is BroadcastState.SCHEDULED
        else tr.html("sent {sent} of {n}, blocked {blocked}, failed {failed}").format(
            sent=counts.sent, n=view.recipients, blocked=counts.blocked, failed=counts.failed
        )
    )
    return lines(
        Html("<b>#{}</b> · {} {} · {}").format(view.id, when, time, _status(tr, view)),
        Html("{} · {}").format(audience_name(tr, view.target, sectors), figures),
        italic(_snippet(view.content)),
    )


def history(tr: Translator, views: Sequence[View], sectors: dict[str, str]) -> Reply:
    """/siaran: scheduled ones first, then the latest, each with its counts."""
    _ = tr.html
    body = (
        join((_line(tr, v, sectors) for v in views), "\n\n")
        if views
        else _("No broadcast has been sent yet.")
    )
    opened = [
        _button(f"#{v.id} · {_status(tr, v)}", BroadcastAction.OPEN, v.id)
        for v in views
        if v.state in (BroadcastState.SCHEDULED, BroadcastState.SENDING, BroadcastState.PAUSED)
    ]
    return Reply(
        lines(bold(tr.gettext("Broadcasts")), "", body),
        (
            *rows(*opened),
            (_button(tr.gettext("Write a new broadcast"), BroadcastAction.NEW),),
            back_to_menu(tr),
        ),
    )


def moment_example(tr: Translator, moment: datetime) -> str:
    """A typed moment the parser reads: 14-12-2026 09.00."""
    local = tr.local(moment)
    return f"{local:%d-%m-%Y} {local:%H.%M}"
