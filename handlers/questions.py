"""Questions to mentors: `/tanya`, "Tanya mentor", `Jawab`, `/pertanyaan`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel
from telegram import Update

from bot.compose.questions import photo_of
from bot.context import BotContext
from bot.i18n import N_
from bot.render import questions as screens
from bot.render.common import MenuKey
from bot.render.questions import (
    AskButton,
    ListedQuestionButton,
    MediaAction,
    QuestionButton,
    QuestionMediaButton,
)
from bot.services import nudges, questions
from bot.services.errors import NotFound
from bot.services.questions import VoiceNote
from db.models import Role
from handlers import dialogue
from handlers.base import Callback, Turn, run
from handlers.files import has_attachment
from handlers.router import Dialogue, Flow, Router
from handlers.routing import Routing

MENTORS = frozenset({Role.MENTOR})
READERS = frozenset({Role.MENTOR, Role.COORDINATOR})  # coordinators get escalated questions

router = Router(
    "questions",
    roles={Role.UMKM},
    outbox_kinds=(
        questions.KIND_QUESTION,
        questions.KIND_ESCALATION,
        questions.KIND_ANSWER,
        nudges.KIND_NUDGE,
    ),
)


class TextStep(StrEnum):
    TEXT = "text"  # waiting for the question or the answer as text


class Asking(BaseModel):
    ref: str | None = None  # the guidance module or checklist item asked about
    evidence_id: int | None = None  # a photo sent before the question's text


class Answering(BaseModel):
    question_id: int


# The names are those of the dialogues stored before the routers, so those still resume.
ASK_FLOW = Flow("ask", TextStep, Asking)
ANSWER_FLOW = Flow("answer", TextStep, Answering)


def _later_wake(t: Turn) -> None:
    deps = t.deps

    async def wake() -> None:
        deps.wake_dispatcher()

    t.later(wake)


# --- asking ---------------------------------------------------------------------------------


async def _start_ask(t: Turn, ref: str | None) -> None:
    business = await questions.business_of(t.db, t.me.id)
    if business is None:
        t.reply(screens.no_business(t.tr))
        return
    topic = screens.topic_title(t.deps.content, business.sector, ref)
    await ASK_FLOW.begin(t, TextStep.TEXT, Asking(ref=ref if topic is not None else None))
    t.reply(screens.ask_prompt(t.tr, topic))


@router.command("tanya", N_("Ask a mentor"))
@router.menu(MenuKey.ASK)
async def ask_question(t: Turn) -> None:
    """Ask the mentors a question."""
    await _start_ask(t, None)


@router.action(AskButton)
async def ask_about(t: Turn, button: AskButton) -> None:
    """ "Tanya mentor" under a guidance step or checklist item: the question has a topic."""
    await _start_ask(t, button.topic)


def voice_sent(t: Turn) -> VoiceNote | None:
    """The voice message the person sent (relayed by file id, never downloaded), or None."""
    voice = t.message.voice if t.message is not None else None
    if voice is None:
        return None
    # As Telegram sent it (whole seconds): PTB's `duration` is turning into a timedelta.
    return VoiceNote(voice.file_id, int(voice.to_dict().get("duration", 0)))


@router.step(ASK_FLOW)
async def take_question(t: Turn, asking: Dialogue[TextStep, Asking]) -> None:
    """The question itself: text, a voice message, or a photo (with the question as caption,
    or next)."""
    evidence_id = asking.data.evidence_id
    voice = voice_sent(t)
    if has_attachment(t.message):
        saved = await t.keep_attachment()
        evidence_id = saved.id
        if not t.text:
            kept = asking.data.model_copy(update={"evidence_id": evidence_id})
            await ASK_FLOW.advance(t, asking, TextStep.TEXT, kept)
            t.reply(screens.photo_received(t.tr))
            return
    text = t.text
    if not text and voice is None:
        t.reply(screens.need_text(t.tr))
        return
    if len(text) > questions.MAX_QUESTION:
        # Nothing is lost: their message stays in the chat above, to copy and shorten.
        t.reply(screens.too_long(t.tr, len(text)))
        return
    asked = await questions.ask(
        t.db,
        t.clock,
        t.deps.calendar,
        t.me,
        text,
        topic_ref=asking.data.ref,
        evidence_id=evidence_id,
        voice=voice,
    )
    await ASK_FLOW.finish(t)
    t.reply(screens.asked(t.tr, asked.answer_expected_by))
    _later_wake(t)


# --- answering ------------------------------------------------------------------------------


@router.action(QuestionButton, roles=MENTORS)
async def open_question(t: Turn, button: QuestionButton) -> None:
    """ "Jawab" under the question's own message: wait for the answer (the question is above)."""
    await _open_for_answer(t, button.question, from_list=False)


@router.action(ListedQuestionButton, roles=MENTORS)
async def open_listed_question(t: Turn, button: ListedQuestionButton) -> None:
    """ "Jawab n" in the open list: the question in full where the list shortened it."""
    await _open_for_answer(t, button.question, from_list=True)


async def _open_for_answer(t: Turn, question_id: int, *, from_list: bool) -> None:
    try:
        q = await questions.open_for_answer(t.db, t.me, question_id)
    except questions.AlreadyAnswered as done:
        t.reply(screens.already_answered(t.tr, done.mentor_name))
        return
    await ANSWER_FLOW.begin(t, TextStep.TEXT, Answering(question_id=q.id))
    content = t.deps.content
    topic = screens.topic_title(content, q.sector, q.topic_ref)
    whole = from_list and not screens.shown_whole_in_list(q)
    sector = screens.sector_name(content, q.sector)
    t.reply(screens.answer_prompt(t.tr, q, sector, topic, whole=whole))


@router.action(QuestionMediaButton, MediaAction.PHOTO, roles=READERS)
async def send_question_photo(t: Turn, button: QuestionMediaButton) -> None:
    """The photo that came with a question, sent to the mentor who opens it."""
    found = await questions.question_photo(t.db, t.me, button.question)
    q = await questions.view(t.db, button.question)
    photo = await photo_of(t.db, t.deps, found.id)
    if photo is None:
        raise NotFound()
    t.reply(screens.question_photo(t.tr, q.business_name, photo))


@router.action(QuestionMediaButton, MediaAction.VOICE, roles=READERS)
async def play_question_voice(t: Turn, button: QuestionMediaButton) -> None:
    """The question's voice message again, with its Answer button."""
    q = await questions.question_voice(t.db, t.me, button.question)
    t.reply(screens.question_voice(t.tr, q))


async def _answer(t: Turn, question_id: int, text: str, voice: VoiceNote | None = None) -> None:
    if len(text) > questions.MAX_ANSWER:
        t.reply(screens.answer_too_long(t.tr, len(text), questions.MAX_ANSWER))
        return
    try:
        await questions.answer(t.db, t.clock, t.me, question_id, text, voice)
    except questions.AlreadyAnswered as done:
        await _finish_answering(t, question_id)
        t.reply(screens.already_answered(t.tr, done.mentor_name))
        return
    await _finish_answering(t, question_id)
    q = await questions.view(t.db, question_id)
    t.reply(screens.answer_sent(t.tr, q.business_name))
    _later_wake(t)


async def _finish_answering(t: Turn, question_id: int) -> None:
    """Close the answer dialogue if it is this question's (a reply may answer another)."""
    answering = await ANSWER_FLOW.current(t)
    if answering is not None and answering.data.question_id == question_id:
        await ANSWER_FLOW.finish(t)


@router.step(ANSWER_FLOW, roles=MENTORS)
async def take_answer(t: Turn, answering: Dialogue[TextStep, Answering]) -> None:
    """The mentor's typed answer or voice message (a photo's caption counts; a bare photo
    does not)."""
    voice = voice_sent(t)
    if not t.text and voice is None:
        t.reply(screens.need_answer_text(t.tr))
        return
    await _answer(t, answering.data.question_id, t.text, voice)


def reply_handler(routing: Routing) -> Callback:
    """A text sent as a Telegram reply: to a question's message it is a mentor's answer;
    any other reply is an ordinary message (the dialogue, else a hint)."""
    otherwise = dialogue.answer_message(routing)

    async def answer_reply(t: Turn) -> None:
        replied = t.message.reply_to_message if t.message is not None else None
        question_id: int | None = None
        if replied is not None and t.allows(MENTORS):
            question_id = await questions.question_for_reply(t.db, t.me.id, replied.message_id)
        if question_id is None:
            await otherwise(t)
            return
        await _answer(t, question_id, t.text, voice_sent(t))

    async def serve(update: Update, context: BotContext) -> None:
        await run(answer_reply, None, update, context)

    return serve


@router.command("pertanyaan", N_("Open questions"), roles=MENTORS)
@router.menu(MenuKey.QUESTIONS, roles=MENTORS)
async def list_open_questions(t: Turn) -> None:
    """Open questions, oldest first, each with its `Jawab`."""
    waiting, total = await questions.open_questions(t.db)
    sectors = {s.key: s.name for s in t.deps.content.sectors}
    t.reply(screens.open_list(t.tr, waiting, total, sectors, t.clock.now()))


# --- what the outbox sends ------------------------------------------------------------------
