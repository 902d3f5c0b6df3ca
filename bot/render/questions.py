"""Screens of mentoring questions: asking, the mentors' copy, answering, the open list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.callbacks import CallbackData
from bot.content import Content
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.text import Html, bold, italic, lines
from bot.services.questions import MAX_QUESTION, AnswerView, QuestionView

QUOTE_CHARS = 160  # how much of a question an answer or a list quotes


@dataclass(frozen=True)
class AskButton(CallbackData, prefix="ask"):
    """ "Tanya mentor": a question, about a guidance module or checklist item when `topic`."""

    topic: str | None = None


@dataclass(frozen=True)
class QuestionButton(CallbackData, prefix="qa"):
    """A mentor's "Jawab" on a question (the outbox copy, an escalation, /pertanyaan)."""

    question: int


def ask_button(tr: Translator, topic: str | None = None) -> Button:
    return Button(tr.gettext("Ask a mentor"), AskButton(topic).pack())


def _cancel(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    return ((Button(tr.pgettext("button", "Cancel"), MenuButton(MenuKey.HOME).pack()),),)


def _open_questions_or_menu(tr: Translator) -> tuple[tuple[Button, ...], ...]:
    return rows(
        Button(tr.pgettext("button", "Open questions"), MenuButton(MenuKey.QUESTIONS).pack()),
        Button(tr.gettext("Main menu"), MenuButton(MenuKey.HOME).pack()),
    )


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


def _about(tr: Translator, topic: str | None) -> Html | None:
    return tr.html("About: <i>{topic}</i>").format(topic=topic) if topic else None


# --- the business asks ----------------------------------------------------------------------


def ask_prompt(tr: Translator, topic: str | None) -> Reply:
    _ = tr.html
    text = lines(
        _("<b>Ask a mentor</b>"),
        _about(tr, topic),
        _(
            "Please type your question in one message. You may also send a photo "
            "with your question as its caption."
        ),
    )
    return Reply(text, _cancel(tr))


def too_long(tr: Translator, length: int) -> Reply:
    _ = tr.html
    return Reply(
        _(
            "Sorry, your question is too long ({length} characters). Please shorten it to at "
            "most {limit} characters and send it again. Your message is still above, so you "
            "can copy it."
        ).format(length=length, limit=MAX_QUESTION),
        _cancel(tr),
    )


def answer_too_long(tr: Translator, length: int, limit: int) -> Reply:
    _ = tr.html
    return Reply(
        _(
            "Sorry, this answer is too long ({length} characters). Please shorten it to at "
            "most {limit} characters and send it again."
        ).format(length=length, limit=limit),
        _cancel(tr),
    )


def need_text(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, please type your question as text, or send a photo with a caption."),
        _cancel(tr),
    )


def need_answer_text(tr: Translator) -> Reply:
    return Reply(tr.html("Sorry, please type the answer as text."), _cancel(tr))


def photo_received(tr: Translator) -> Reply:
    return Reply(
        tr.html("The photo is saved. Now please type your question about it."), _cancel(tr)
    )


def asked(tr: Translator, expected_by: datetime) -> Reply:
    _ = tr.html
    return Reply(
        _(
            "✅ Thank you, your question has reached our mentors.\n"
            "An answer usually comes by {moment}. We will send it to you here."
        ).format(moment=tr.format_datetime(expected_by)),
        (back_to_menu(tr),),
    )


def no_business(tr: Translator) -> Reply:
    return Reply(
        tr.html(
            "Sorry, your account is not linked to a business yet. Please contact the "
            "programme coordinator."
        ),
        (back_to_menu(tr),),
    )


# --- the mentors ----------------------------------------------------------------------------


def _question_block(tr: Translator, q: QuestionView, sector: str, topic: str | None) -> Html:
    head = tr.html("From <b>{business}</b> ({sector}) · {owner}").format(
        business=q.business_name, sector=sector, owner=q.owner_name
    )
    return lines(head, _about(tr, topic), "", q.text)


def answer_button(tr: Translator, question_id: int) -> Button:
    return Button(tr.pgettext("button", "Answer"), QuestionButton(question_id).pack())


def question_to_mentor(
    tr: Translator,
    q: QuestionView,
    sector: str,
    topic: str | None,
    photo: Attachment | None = None,
) -> Reply:
    text = lines(
        bold(tr.html("📌 New question for the mentors")),
        _question_block(tr, q, sector, topic),
        "",
        tr.html("Tap Answer, or reply to this message directly."),
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
    why = tr.html(
        "Asked {ago} and not answered for two working days. Please answer or pass it on."
    ).format(ago=days_ago(tr, q.asked_at, now))
    text = lines(
        bold(tr.html("⏰ A question is still waiting")),
        why,
        "",
        _question_block(tr, q, sector, topic),
    )
    return Reply(text, ((answer_button(tr, q.id),),), attachment=photo)


def answer_prompt(tr: Translator, q: QuestionView, sector: str, topic: str | None) -> Reply:
    text = lines(
        _question_block(tr, q, sector, topic),
        "",
        bold(tr.html("Please type your answer in one message.")),
    )
    return Reply(text, _cancel(tr))


def already_answered(tr: Translator, mentor_name: str) -> Reply:
    _ = tr.html
    text = (
        _("This question has already been answered by {name}. Thank you!").format(name=mentor_name)
        if mentor_name
        else _("This question has already been answered. Thank you!")
    )
    return Reply(text, _open_questions_or_menu(tr))


def answer_sent(tr: Translator, business_name: str) -> Reply:
    return Reply(
        tr.html("✅ Thank you! Your answer is on its way to {business}.").format(
            business=business_name
        ),
        _open_questions_or_menu(tr),
    )


def open_list(
    tr: Translator,
    questions: Sequence[QuestionView],
    total: int,
    sectors: dict[str, str],
    now: datetime,
) -> Reply:
    _ = tr.html
    if not questions:
        return Reply(_("No question is waiting for an answer. Thank you!"), (back_to_menu(tr),))
    count = tr.nhtml(
        "%(n)d question waiting, oldest first",
        "%(n)d questions waiting, oldest first",
        total,
    )
    parts: list[Html | str] = [bold(count % {"n": total})]
    buttons: list[Button] = []
    for number, q in enumerate(questions, start=1):
        sector = sectors.get(q.sector, q.sector)
        ago = days_ago(tr, q.asked_at, now)
        head = Html("{}. <b>{}</b> · {} · {}").format(number, q.business_name, sector, ago)
        parts += ["", head, shorten(q.text)]
        label = tr.gettext("Answer {n}").format(n=number)
        buttons.append(Button(label, QuestionButton(q.id).pack()))
    if total > len(questions):
        parts += ["", _("The newer ones follow once these are answered.")]
    return Reply(lines(*parts), (*rows(*buttons, width=3), back_to_menu(tr)))


# --- the business gets its answer -----------------------------------------------------------


def answer_to_business(tr: Translator, a: AnswerView) -> Reply:
    text = lines(
        bold(tr.html("💬 A mentor answered your question")),
        italic(shorten(a.question.text)),
        "",
        a.text,
        "",
        Html("— {}").format(a.mentor_name),
    )
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Ask again"), AskButton(a.question.topic_ref).pack()),
            Button(tr.gettext("Main menu"), MenuButton(MenuKey.HOME).pack()),
        ),
    )
