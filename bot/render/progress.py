"""/kemajuan: readiness with its change, per-section bars, modules read, next steps."""

from __future__ import annotations

from bot.i18n import Translator
from bot.render import Button, Reply
from bot.render.checklist import next_step_buttons, next_step_lines, section_lines
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.text import Html, lines
from bot.services.checklists import Progress


def _readiness(tr: Translator, data: Progress) -> list[Html | str]:
    """The latest readiness with its change and sections, the draft's, or an invitation."""
    _ = tr.html
    latest = data.latest
    if latest is None and data.draft is not None:
        head = _(
            "Your readiness so far: <b>{percent}%</b> (the checklist is not sent yet)"
        ).format(percent=data.draft.percent)
        return [head, *section_lines(tr, data.draft)]
    if latest is None:
        return [
            _("You have not filled in the readiness checklist yet. It takes about 10 minutes.")
        ]
    percent = latest.score.percent
    head = _("Your business's readiness: <b>{percent}%</b>").format(percent=percent)
    previous = data.previous
    if previous is not None:
        change = percent - previous.score.percent
        since = tr.format_short_date(previous.submitted_at)
        if change > 0:
            trend = _("(up {n}% since {date})").format(n=change, date=since)
        elif change < 0:
            trend = _("(down {n}% since {date})").format(n=-change, date=since)
        else:
            trend = _("(the same as on {date})").format(date=since)
        head = Html("{} {}").format(head, trend)
    last_sent = _("Last sent: {date}").format(date=tr.format_date(latest.submitted_at))
    return [head, *section_lines(tr, latest.score), last_sent]


def progress(tr: Translator, data: Progress, modules_done: int, modules_total: int) -> Reply:
    _ = tr.html
    next_steps = (
        ("", _("The three most important next steps:"), *next_step_lines(tr, data.steps))
        if data.steps
        else ()
    )
    text = lines(
        *_readiness(tr, data),
        "",
        _("Guidance modules read: {done} of {total}").format(
            done=modules_done, total=modules_total
        ),
        *next_steps,
    )
    buttons = (
        *next_step_buttons(tr, data.steps),
        (
            Button(tr.gettext("Readiness check"), MenuButton(MenuKey.CHECKLIST).pack()),
            Button(tr.gettext("SNI guidance"), MenuButton(MenuKey.GUIDE).pack()),
        ),
        back_to_menu(tr),
    )
    return Reply(text, buttons)
