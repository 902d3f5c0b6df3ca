"""Questions to mentors: `/tanya`, "Tanya mentor", `Jawab`, `/pertanyaan`."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import ANSWER, ASK
from bot.context import BotContext, Deps
from bot.render import common as render
from bot.render import questions as screens
from bot.services import dialogue, questions
from db.models import (
    DialogueState,
    Role,
)
from handlers.base import Turn, handler
from handlers.files import has_attachment
from handlers.legacy import FLOWS, flow, menu_action

ASK_FLOW, ANSWER_FLOW = "ask", "answer"


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
    await dialogue.begin(
        t.db, t.clock, t.me.id, ASK_FLOW, "text", {"ref": ref if topic is not None else None}
    )
    t.reply(screens.ask_prompt(t.tr, topic))


@handler(roles={Role.UMKM})
async def cmd_tanya(update: Update, context: BotContext, t: Turn) -> None:
    """/tanya: ask the mentors a question."""
    await _start_ask(t, None)


@menu_action("ask")
async def menu_ask(update: Update, context: BotContext, t: Turn) -> None:
    """Menu "Tanya mentor" (the menu already checked the role)."""
    await _start_ask(t, None)


@handler(roles={Role.UMKM})
async def btn_ask(update: Update, context: BotContext, t: Turn) -> None:
    """ "Tanya mentor" under a guidance step or checklist item: the question has a topic."""
    ref = ASK.unpack(t.data)["ref"]
    await _start_ask(t, None if ref == "-" else ref)


@flow(ASK_FLOW)
async def msg_ask(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    """The question itself: text, or a photo (with the question as caption, or next)."""
    person = t.me
    if Role.UMKM not in person.role_set:
        await dialogue.finish(t.db, person.id)
        t.reply(render.not_allowed(t.tr, person))
        return
    evidence_id = state.data.get("evidence_id")
    message = t.message
    if message is not None and has_attachment(message):
        saved = await t.keep_attachment()
        evidence_id = saved.id
        if not t.text:
            await dialogue.advance(t.db, t.clock, state, "text", evidence_id=evidence_id)
            t.reply(screens.photo_received(t.tr))
            return
    text = t.text
    if not text:
        t.reply(screens.need_text(t.tr))
        return
    if len(text) > questions.MAX_QUESTION:
        # Nothing is lost: their message stays in the chat above, to copy and shorten.
        t.reply(screens.too_long(t.tr, len(text)))
        return
    ref = state.data.get("ref")
    asked = await questions.ask(
        t.db,
        t.clock,
        t.deps.calendar,
        person,
        text,
        topic_ref=ref if isinstance(ref, str) else None,
        evidence_id=evidence_id if isinstance(evidence_id, int) else None,
    )
    await dialogue.finish(t.db, person.id)
    t.reply(screens.asked(t.tr, asked.answer_expected_by))
    _later_wake(t)


# --- answering ------------------------------------------------------------------------------


def _sector_name(t: Turn | Deps, sector: str) -> str:
    deps = t.deps if isinstance(t, Turn) else t
    return screens.sector_name(deps.content, sector)


@handler(roles={Role.MENTOR})
async def btn_answer(update: Update, context: BotContext, t: Turn) -> None:
    """ "Jawab": show the question and wait for the answer."""
    question_id = ANSWER.unpack_int(t.data, "question")
    try:
        q = await questions.open_for_answer(t.db, t.me, question_id)
    except questions.AlreadyAnswered as done:
        t.reply(screens.already_answered(t.tr, done.mentor_name))
        return
    await dialogue.begin(t.db, t.clock, t.me.id, ANSWER_FLOW, "text", {"question_id": q.id})
    topic = screens.topic_title(t.deps.content, q.sector, q.topic_ref)
    t.reply(screens.answer_prompt(t.tr, q, _sector_name(t, q.sector), topic))


async def _answer(t: Turn, question_id: int, text: str) -> None:
    if len(text) > questions.MAX_ANSWER:
        t.reply(screens.answer_too_long(t.tr, len(text), questions.MAX_ANSWER))
        return
    try:
        await questions.answer(t.db, t.clock, t.me, question_id, text)
    except questions.AlreadyAnswered as done:
        await _finish_answering(t, question_id)
        t.reply(screens.already_answered(t.tr, done.mentor_name))
        return
    await _finish_answering(t, question_id)
    q = await questions.view(t.db, question_id)
    t.reply(screens.answer_sent(t.tr, q.business_name))
    _later_wake(t)


async def _finish_answering(t: Turn, question_id: int) -> None:
    state = await dialogue.current(t.db, t.me.id)
    mine = state is not None and state.flow == ANSWER_FLOW
    if mine and state is not None and state.data.get("question_id") == question_id:
        await dialogue.finish(t.db, t.me.id)


@flow(ANSWER_FLOW)
async def msg_answer(update: Update, context: BotContext, t: Turn, state: DialogueState) -> None:
    """The mentor's typed answer."""
    if Role.MENTOR not in t.me.role_set:
        await dialogue.finish(t.db, t.me.id)
        t.reply(render.not_allowed(t.tr, t.me))
        return
    question_id = state.data.get("question_id")
    if not isinstance(question_id, int):
        await dialogue.finish(t.db, t.me.id)
        t.reply(render.stale_button(t.tr))
        return
    if t.message is not None and has_attachment(t.message) and not t.text:
        t.reply(screens.need_answer_text(t.tr))
        return
    if not t.text:
        t.reply(screens.need_answer_text(t.tr))
        return
    await _answer(t, question_id, t.text)


@handler()
async def msg_reply(update: Update, context: BotContext, t: Turn) -> None:
    """A text sent as a Telegram reply: to a question's message it is a mentor's answer."""
    replied = t.message.reply_to_message if t.message is not None else None
    question_id: int | None = None
    if t.person is not None and Role.MENTOR in t.person.role_set and replied is not None:
        question_id = await questions.question_for_reply(t.db, t.person.id, replied.message_id)
    if question_id is None:
        await _route_dialogue(update, context, t)
        return
    await _answer(t, question_id, t.text)


async def _route_dialogue(update: Update, context: BotContext, t: Turn) -> None:
    """What the dialogue router does with any other text (a reply to something else)."""
    if t.person is None or not t.person.role_set:
        t.reply(render.welcome_stranger(t.tr))
        return
    state = await dialogue.current(t.db, t.person.id)
    if state is not None and state.flow in FLOWS:
        await FLOWS[state.flow](update, context, t, state)
        return
    t.reply(render.unexpected_text(t.tr, t.person))


async def _open_list(t: Turn) -> None:
    waiting, total = await questions.open_questions(t.db)
    sectors = {s.key: s.name for s in t.deps.content.sectors}
    t.reply(screens.open_list(t.tr, waiting, total, sectors, t.clock.now()))


@handler(roles={Role.MENTOR})
async def cmd_pertanyaan(update: Update, context: BotContext, t: Turn) -> None:
    """/pertanyaan: open questions, oldest first, each with its `Jawab`."""
    await _open_list(t)


@menu_action("questions")
async def menu_questions(update: Update, context: BotContext, t: Turn) -> None:
    await _open_list(t)
