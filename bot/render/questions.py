"""Screens of mentoring questions: asking, the mentors' copy, answering, the open list."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from bot.callbacks import ANSWER, ASK, MENU
from bot.content import Content
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import back_to_menu
from bot.services.questions import MAX_QUESTION, AnswerView, QuestionView

QUOTE_CHARS = 160  # how much of a question an answer or a list quotes


def _cancel(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    return ((Button(tr.pgettext("button", "Cancel"), MENU.pack("home")),),)


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """The start of a text, cut at a word, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut + "…"


def topic_title(content: Content, sector: str, ref: str | None) -> str | None:
    """A readable name for a module id or checklist item id (None when unknown)."""
    if not ref:
        return None
    module = content.modules.get(ref)
    if module is not None:
        return module.title
    checklist = content.checklists.get(sector)
    if checklist is not None:
        try:
            return shorten(checklist.item(ref).question, 80)
        except KeyError:
            return None
    return None


def sector_name(content: Content, sector: str) -> str:
    try:
        return content.sector(sector).name
    except KeyError:
        return sector


def days_ago(tr: Translator, moment: datetime, now: datetime) -> str:
    """ "hari ini", "kemarin", "3 hari lalu", in local calendar days."""
    days = (tr.local(now).date() - tr.local(moment).date()).days
    if days <= 0:
        return tr.gettext("today")
    if days == 1:
        return tr.gettext("yesterday")
    return tr.ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}


# --- the business asks ----------------------------------------------------------------------


def ask_prompt(tr: Translator, topic: str | None) -> Reply:
    _ = tr.gettext
    lines = [_("<b>Ask a mentor</b>")]
    if topic:
        lines.append(_("About: <i>{topic}</i>").format(topic=html.escape(topic)))
    lines.append(
        _(
            "Please type your question in one message. You may also send a photo "
            "with your question as its caption."
        )
    )
    return Reply("\n".join(lines), _cancel(tr))


def too_long(tr: Translator, length: int) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Sorry, your question is too long ({length} characters). Please shorten it to at "
            "most {limit} characters and send it again. Your message is still above, so you "
            "can copy it."
        ).format(length=length, limit=MAX_QUESTION),
        _cancel(tr),
    )


def answer_too_long(tr: Translator, length: int, limit: int) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Sorry, this answer is too long ({length} characters). Please shorten it to at "
            "most {limit} characters and send it again."
        ).format(length=length, limit=limit),
        _cancel(tr),
    )


def need_text(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("Sorry, please type your question as text, or send a photo with a caption."),
        _cancel(tr),
    )


def need_answer_text(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(_("Sorry, please type the answer as text."), _cancel(tr))


def photo_received(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _("The photo is saved. Now please type your question about it."),
        _cancel(tr),
    )


def asked(tr: Translator, expected_by: datetime) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "✅ Thank you, your question has reached our mentors.\n"
            "An answer usually comes by {moment}. We will send it to you here."
        ).format(moment=tr.format_datetime(expected_by)),
        (back_to_menu(tr),),
    )


def no_business(tr: Translator) -> Reply:
    _ = tr.gettext
    return Reply(
        _(
            "Sorry, your account is not linked to a business yet. Please contact the "
            "programme coordinator."
        ),
        (back_to_menu(tr),),
    )


# --- the mentors ----------------------------------------------------------------------------


def _question_block(tr: Translator, q: QuestionView, sector: str, topic: str | None) -> str:
    _ = tr.gettext
    head = _("From <b>{business}</b> ({sector}) · {owner}").format(
        business=html.escape(q.business_name),
        sector=html.escape(sector),
        owner=html.escape(q.owner_name),
    )
    lines = [head]
    if topic:
        lines.append(_("About: <i>{topic}</i>").format(topic=html.escape(topic)))
    lines.append("")
    lines.append(html.escape(q.text))
    return "\n".join(lines)


def answer_button(tr: Translator, question_id: int) -> Button:
    return Button(tr.pgettext("button", "Answer"), ANSWER.pack(question_id))


def question_to_mentor(
    tr: Translator,
    q: QuestionView,
    sector: str,
    topic: str | None,
    photo: Attachment | None = None,
) -> Reply:
    _ = tr.gettext
    text = "{title}\n{block}\n\n{hint}".format(
        title="<b>{}</b>".format(_("📌 New question for the mentors")),
        block=_question_block(tr, q, sector, topic),
        hint=_("Tap Answer, or reply to this message directly."),
    )
    return Reply(text, ((answer_button(tr, q.id),),), attachment=photo)


def escalation(
    tr: Translator,
    q: QuestionView,
    sector: str,
    topic: str | None,
    now: datetime,
    photo: Attachment | None = None,
) -> Reply:
    _ = tr.gettext
    text = "{title}\n{why}\n\n{block}".format(
        title="<b>{}</b>".format(_("⏰ A question is still waiting")),
        why=_(
            "Asked {ago} and not answered for two working days. Please answer or pass it on."
        ).format(ago=days_ago(tr, q.asked_at, now)),
        block=_question_block(tr, q, sector, topic),
    )
    return Reply(text, ((answer_button(tr, q.id),),), attachment=photo)


def answer_prompt(tr: Translator, q: QuestionView, sector: str, topic: str | None) -> Reply:
    _ = tr.gettext
    text = "{block}\n\n{ask}".format(
        block=_question_block(tr, q, sector, topic),
        ask="<b>{}</b>".format(_("Please type your answer in one message.")),
    )
    return Reply(text, _cancel(tr))


def already_answered(tr: Translator, mentor_name: str) -> Reply:
    _ = tr.gettext
    if mentor_name:
        text = _("This question has already been answered by {name}. Thank you!").format(
            name=html.escape(mentor_name)
        )
    else:
        text = _("This question has already been answered. Thank you!")
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Open questions"), MENU.pack("questions")),
            Button(_("Main menu"), MENU.pack("home")),
        ),
    )


def answer_sent(tr: Translator, business_name: str) -> Reply:
    _ = tr.gettext
    return Reply(
        _("✅ Thank you! Your answer is on its way to {business}.").format(
            business=html.escape(business_name)
        ),
        rows(
            Button(tr.pgettext("button", "Open questions"), MENU.pack("questions")),
            Button(_("Main menu"), MENU.pack("home")),
        ),
    )


def open_list(
    tr: Translator,
    questions: Sequence[QuestionView],
    total: int,
    sectors: dict[str, str],
    now: datetime,
) -> Reply:
    _ = tr.gettext
    if not questions:
        return Reply(_("No question is waiting for an answer. Thank you!"), (back_to_menu(tr),))
    count = tr.ngettext(
        "%(n)d question waiting, oldest first",
        "%(n)d questions waiting, oldest first",
        total,
    )
    lines = [f"<b>{count % {'n': total}}</b>"]
    buttons: list[Button] = []
    for number, q in enumerate(questions, start=1):
        business = html.escape(q.business_name)
        sector = html.escape(sectors.get(q.sector, q.sector))
        ago = days_ago(tr, q.asked_at, now)
        lines.append(f"\n{number}. <b>{business}</b> · {sector} · {ago}")
        lines.append(html.escape(shorten(q.text)))
        buttons.append(Button(_("Answer {n}").format(n=number), ANSWER.pack(q.id)))
    if total > len(questions):
        lines.append("\n" + _("The newer ones follow once these are answered."))
    return Reply("\n".join(lines), (*rows(*buttons, width=3), back_to_menu(tr)))


# --- the business gets its answer -----------------------------------------------------------


def answer_to_business(tr: Translator, a: AnswerView) -> Reply:
    _ = tr.gettext
    text = "{title}\n<i>{quote}</i>\n\n{answer}\n\n— {mentor}".format(
        title="<b>{}</b>".format(_("💬 A mentor answered your question")),
        quote=html.escape(shorten(a.question.text)),
        answer=html.escape(a.text),
        mentor=html.escape(a.mentor_name),
    )
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Ask again"), ASK.pack(a.question.topic_ref or "-")),
            Button(_("Main menu"), MENU.pack("home")),
        ),
    )
