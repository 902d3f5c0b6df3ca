"""Screens of mentoring questions: asking, the mentors' copy, answering, the open list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.content import Content
from bot.i18n import Translator
from bot.render import Attachment, Button, Reply, Voice, rows
from bot.render.common import MenuButton, MenuKey, back_to_menu
from bot.render.text import Html, bold, italic, join, lines
from bot.services.questions import MAX_QUESTION, AnswerView, QuestionView, VoiceNote

QUOTE_CHARS = 160  # how much of a question an answer or a list quotes


@dataclass(frozen=True)
class AskButton(CallbackData, prefix="ask"):
    """ "Tanya mentor": a question, about a guidance module or checklist item when `topic`."""

    topic: str | None = None


@dataclass(frozen=True)
class QuestionButton(CallbackData, prefix="qa"):
    """A mentor's "Jawab" on a question (the outbox copy, an escalation, /pertanyaan)."""

    question: int


@dataclass(frozen=True)
class ListedQuestionButton(CallbackData, prefix="ql"):
    """ "Jawab n" in /pertanyaan, where the question may be shortened: the prompt shows it."""

    question: int


class MediaAction(StrEnum):
    PHOTO = "p"
    VOICE = "v"


@dataclass(frozen=True)
class QuestionMediaButton(CallbackData, prefix="qm"):
    """A mentor opens the photo sent with a question, or plays its voice message."""

    question: int
    action: MediaAction


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
            "Please type your question in one message, or send it as a voice message. "
            "You may also send a photo with your question as its caption."
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
        tr.html(
            "Sorry, please type your question as text, send a voice message, or send a photo "
            "with a caption."
        ),
        _cancel(tr),
    )


def need_answer_text(tr: Translator) -> Reply:
    return Reply(
        tr.html("Sorry, please type the answer as text or send it as a voice message."),
        _cancel(tr),
    )


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


def voice_length(seconds: int) -> str:
    """ "0:42", "12:05": how long a voice message plays."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def voice_line(tr: Translator, voice: VoiceNote) -> Html:
    return tr.html("🎤 Voice message ({length})").format(length=voice_length(voice.seconds))


def _photo_line(tr: Translator) -> Html:
    return tr.html("📷 A photo came with the question.")


def _question_block(
    tr: Translator, q: QuestionView, sector: str, topic: str | None, *, photo_line: bool = True
) -> Html:
    head = tr.html("From <b>{business}</b> ({sector}) · {owner}").format(
        business=q.business_name, sector=sector, owner=q.owner_name
    )
    return lines(
        head,
        _about(tr, topic),
        "",
        q.text or None,
        voice_line(tr, q.voice) if q.voice else None,
        _photo_line(tr) if photo_line and q.has_photo else None,
    )


def answer_button(tr: Translator, question_id: int) -> Button:
    return Button(tr.pgettext("button", "Answer"), QuestionButton(question_id).pack())


def photo_button(tr: Translator, question_id: int, label: str | None = None) -> Button:
    opened = QuestionMediaButton(question_id, MediaAction.PHOTO).pack()
    return Button(label or tr.pgettext("button", "See the photo"), opened)


def _for_mentor(
    tr: Translator, head: Html, q: QuestionView, block: Html, photo: Attachment | None
) -> Reply:
    """The question as a voice message with its caption, else as text with the photo."""
    buttons = rows(
        answer_button(tr, q.id),
        photo_button(tr, q.id) if q.has_photo and (q.voice or photo is None) else None,
    )
    text = lines(head, block)
    if q.voice is not None:
        return Reply(text, buttons, voice=Voice(q.voice.file_id, q.voice.seconds))
    return Reply(text, buttons, attachment=photo)


def question_to_mentor(
    tr: Translator,
    q: QuestionView,
    sector: str,
    topic: str | None,
    photo: Attachment | None = None,
) -> Reply:
    block = lines(
        _question_block(tr, q, sector, topic, photo_line=q.voice is not None or photo is None),
        "",
        tr.html("Tap Answer, or reply to this message directly."),
    )
    return _for_mentor(tr, bold(tr.html("📌 New question for the mentors")), q, block, photo)


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
    block = lines(
        why,
        "",
        _question_block(tr, q, sector, topic, photo_line=q.voice is not None or photo is None),
    )
    return _for_mentor(tr, bold(tr.html("⏰ A question is still waiting")), q, block, photo)


def answer_prompt(
    tr: Translator, q: QuestionView, sector: str, topic: str | None, *, whole: bool
) -> Reply:
    """What to answer: the question again only when it was not shown whole just above (the
    open list shortens it and cannot play a voice message); then how to answer."""
    ask = bold(tr.html("Please type your answer in one message, or send a voice message."))
    if whole:
        text = lines(_question_block(tr, q, sector, topic), "", ask)
    else:
        text = lines(
            tr.html("Your answer to the question from <b>{business}</b> above.").format(
                business=q.business_name
            ),
            _photo_line(tr) if q.has_photo else None,
            ask,
        )
    buttons = (*rows(photo_button(tr, q.id) if q.has_photo else None), *_cancel(tr))
    voice = Voice(q.voice.file_id, q.voice.seconds) if whole and q.voice else None
    return Reply(text, buttons, voice=voice)


def shown_whole_in_list(q: QuestionView) -> bool:
    """Whether the open list showed the whole question (no voice message, not shortened)."""
    return q.voice is None and shorten(q.text) == " ".join(q.text.split())


def question_photo(tr: Translator, business: str, photo: Attachment) -> Reply:
    return Reply(
        tr.html("📷 The photo sent with the question from <b>{business}</b>.").format(
            business=business
        ),
        attachment=photo,
    )


def question_voice(tr: Translator, q: QuestionView) -> Reply:
    assert q.voice is not None
    return Reply(
        tr.html("🎤 The question from <b>{business}</b>.").format(business=q.business_name),
        ((answer_button(tr, q.id),),),
        voice=Voice(q.voice.file_id, q.voice.seconds),
    )


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


def _gist(tr: Translator, q: QuestionView) -> Html | str:
    """A question in a line: its text shortened, or what kind of message it is."""
    parts: list[Html | str] = []
    if q.text:
        parts.append(shorten(q.text))
    if q.voice is not None:
        parts.append(voice_line(tr, q.voice))
    if q.has_photo:
        parts.append("📷")
    return join(parts, " · ")


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
    photos: list[Button] = []
    for number, q in enumerate(questions, start=1):
        sector = sectors.get(q.sector, q.sector)
        ago = days_ago(tr, q.asked_at, now)
        head = Html("{}. <b>{}</b> · {} · {}").format(number, q.business_name, sector, ago)
        parts += ["", head, _gist(tr, q)]
        label = tr.gettext("Answer {n}").format(n=number)
        buttons.append(Button(label, ListedQuestionButton(q.id).pack()))
        if q.has_photo:
            photos.append(photo_button(tr, q.id, tr.gettext("📷 Photo {n}").format(n=number)))
    if total > len(questions):
        parts += ["", _("The newer ones follow once these are answered.")]
    return Reply(
        lines(*parts), (*rows(*buttons, width=3), *rows(*photos, width=3), back_to_menu(tr))
    )


# --- the business gets its answer -----------------------------------------------------------


def answer_to_business(tr: Translator, a: AnswerView) -> Reply:
    """The answer (text, or the mentor's voice message with this as its caption)."""
    asked = a.question
    text = lines(
        bold(tr.html("💬 A mentor answered your question")),
        italic(shorten(asked.text)) if asked.text else _gist(tr, asked),
        "",
        a.text or None,
        voice_line(tr, a.voice) if a.voice else None,
        "",
        Html("— {}").format(a.mentor_name),
    )
    return Reply(
        text,
        rows(
            Button(tr.pgettext("button", "Ask again"), AskButton(asked.topic_ref).pack()),
            Button(tr.gettext("Main menu"), MenuButton(MenuKey.HOME).pack()),
        ),
        voice=Voice(a.voice.file_id, a.voice.seconds) if a.voice else None,
    )
