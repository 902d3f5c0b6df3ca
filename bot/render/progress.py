"""/kemajuan: readiness with its change, per-section bars, modules read, next steps."""

from __future__ import annotations

from bot.callbacks import MENU
from bot.i18n import Translator
from bot.render import Button, Reply
from bot.render.checklist import next_step_buttons, next_step_lines, section_lines
from bot.render.common import back_to_menu
from bot.services.checklists import Progress


def progress(tr: Translator, data: Progress, modules_done: int, modules_total: int) -> Reply:
    _ = tr.gettext
    lines: list[str] = []
    latest = data.latest
    if latest is not None:
        percent = latest.score.percent
        head = _("Your business's readiness: <b>{percent}%</b>").format(percent=percent)
        previous = data.previous
        if previous is not None:
            change = percent - previous.score.percent
            since = tr.format_short_date(previous.submitted_at)
            if change > 0:
                head += " " + _("(up {n}% since {date})").format(n=change, date=since)
            elif change < 0:
                head += " " + _("(down {n}% since {date})").format(n=-change, date=since)
            else:
                head += " " + _("(the same as on {date})").format(date=since)
        lines += [head, *section_lines(tr, latest.score)]
        lines.append(_("Last sent: {date}").format(date=tr.format_date(latest.submitted_at)))
    elif data.draft is not None:
        lines.append(
            _("Your readiness so far: <b>{percent}%</b> (the checklist is not sent yet)").format(
                percent=data.draft.percent
            )
        )
        lines += section_lines(tr, data.draft)
    else:
        lines.append(
            _("You have not filled in the readiness checklist yet. It takes about 10 minutes.")
        )
    lines += [
        "",
        _("Guidance modules read: {done} of {total}").format(
            done=modules_done, total=modules_total
        ),
    ]
    if data.steps:
        lines += [
            "",
            _("The three most important next steps:"),
            *next_step_lines(tr, data.steps),
        ]
    buttons = (
        *next_step_buttons(tr, data.steps),
        (
            Button(_("Readiness check"), MENU.pack("checklist")),
            Button(_("SNI guidance"), MENU.pack("guide")),
        ),
        back_to_menu(tr),
    )
    return Reply("\n".join(lines), buttons)
