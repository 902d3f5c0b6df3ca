"""Question screens escape what people typed, and their buttons come back as they were packed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import CallbackDataError
from bot.i18n import I18n
from bot.render import Reply
from bot.render import nudges as render_nudges
from bot.render import questions as render
from bot.render.questions import (
    AskButton,
    ListedQuestionButton,
    MediaAction,
    QuestionButton,
    QuestionMediaButton,
)
from bot.services.nudges import NextStep
from bot.services.questions import AnswerView, QuestionView, VoiceNote
from db.models import QuestionStatus

NOW = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
TR = I18n(ZoneInfo("Asia/Makassar")).translator("id")
QUESTION = QuestionView(
    id=12,
    business_name="Tenun <Ina> & Co",
    sector="tenun",
    owner_name="Ibu <b>Maria</b>",
    topic_ref="bahan-1",
    text="Apakah <script> boleh & aman?",
    evidence_id=None,
    asked_at=NOW - timedelta(days=2),
    status=QuestionStatus.OPEN,
    asker_id=3,
)


def _labels(reply: Reply) -> list[str]:
    return [button.label for row in reply.buttons for button in row]


def _data(reply: Reply) -> list[str]:
    return [button.data or "" for row in reply.buttons for button in row]


@pytest.mark.parametrize(
    ("reply", "answer_buttons"),
    [
        (render.question_to_mentor(TR, QUESTION, "Tenun <ikat>", "Benang & warna"), 1),
        (render.escalation(TR, QUESTION, "Tenun <ikat>", "Benang & warna", NOW), 1),
        (render.answer_prompt(TR, QUESTION, "Tenun <ikat>", "Benang & warna", whole=True), 0),
        (render.open_list(TR, [QUESTION], 1, {"tenun": "Tenun <ikat>"}, NOW), 1),
    ],
    ids=["to-mentor", "escalation", "answer-prompt", "open-list"],
)
def test_mentor_screens_escape_every_value_and_keep_their_own_markup(
    reply: Reply, answer_buttons: int
) -> None:
    assert "<Ina>" not in reply.text and "&lt;Ina&gt; &amp; Co" in reply.text
    assert "<script>" not in reply.text and "&lt;script&gt;" in reply.text
    assert "<b>Maria</b>" not in reply.text
    assert "<ikat>" not in reply.text and "&lt;ikat&gt;" in reply.text
    assert "<b>" in reply.text  # the catalog's own bold stays markup
    answers = [
        (QuestionButton if d.startswith("qa:") else ListedQuestionButton).unpack(d).question
        for d in _data(reply)
        if d.startswith(("qa:", "ql:"))
    ]
    assert answers == [12] * answer_buttons


def test_answer_and_thanks_escape_names_and_texts() -> None:
    answer = AnswerView(QUESTION, "Pak <Yohanes>", "Pakai benang <katun> & pewarna alami.", NOW)
    to_business = render.answer_to_business(TR, answer)
    assert "&lt;katun&gt; &amp; pewarna" in to_business.text
    assert "— Pak &lt;Yohanes&gt;" in to_business.text
    assert "<i>Apakah &lt;script&gt; boleh &amp; aman?</i>" in to_business.text
    assert AskButton.unpack(_data(to_business)[0]) == AskButton("bahan-1")
    sent = render.answer_sent(TR, "Tenun <Ina>")
    assert "&lt;Ina&gt;" in sent.text
    taken = render.already_answered(TR, "Pak <Yohanes>")
    assert "&lt;Yohanes&gt;" in taken.text
    prompt = render.ask_prompt(TR, "Benang <tipis>")
    assert "<i>Benang &lt;tipis&gt;</i>" in prompt.text


def test_nudge_escapes_the_names_and_asks_without_a_topic() -> None:
    step = NextStep("sni-dasar", "SNI & Anda")
    reply = render_nudges.nudge(TR, "Ibu <Maria>", "Kue <Oma>", step)
    assert "&lt;Maria&gt;" in reply.text and "&lt;Oma&gt;" in reply.text
    assert "<b>SNI &amp; Anda</b>" in reply.text
    assert AskButton.unpack(_data(reply)[1]) == AskButton(None)
    assert "Lanjutkan panduan" in _labels(reply)


def test_ask_and_answer_buttons_keep_their_old_shape() -> None:
    assert AskButton("bahan-1").pack() == "ask:bahan-1"
    assert AskButton().pack() == "ask:"
    assert AskButton.unpack("ask:-") == AskButton("-")  # old "no topic": no topic is found
    assert QuestionButton(7).pack() == "qa:7"
    for forged in ("qa:x", "qa:", "qa:1:2", "ask:a:b", "ask:<b>"):
        with pytest.raises(CallbackDataError):
            (QuestionButton if forged.startswith("qa") else AskButton).unpack(forged)


SPOKEN = QuestionView(
    id=14,
    business_name="Kue Mama",
    sector="kue",
    owner_name="Ina",
    topic_ref=None,
    text="",
    evidence_id=5,
    asked_at=NOW,
    status=QuestionStatus.OPEN,
    asker_id=3,
    voice=VoiceNote("AwACAgIAAx", 42),
)


def test_a_voice_question_goes_as_a_voice_message_with_its_length_and_the_photo_a_tap_away() -> (
    None
):
    reply = render.question_to_mentor(TR, SPOKEN, "Kue lokal", None)
    assert reply.voice is not None and reply.voice.file_id == "AwACAgIAAx"
    assert reply.voice.seconds == 42 and reply.attachment is None
    assert "🎤 Pesan suara (0:42)" in reply.text
    assert "📷" in reply.text
    photo = QuestionMediaButton(14, MediaAction.PHOTO).pack()
    assert photo in _data(reply)
    listed = render.open_list(TR, [SPOKEN, QUESTION], 2, {}, NOW)
    assert "🎤 Pesan suara (0:42) · 📷" in listed.text
    assert "📷 Foto 1" in _labels(listed) and photo in _data(listed)
    # From the list the prompt plays the question; under the question it does not repeat it.
    from_list = render.answer_prompt(TR, SPOKEN, "Kue lokal", None, whole=True)
    assert from_list.voice == reply.voice
    assert photo in _data(from_list)
    below = render.answer_prompt(TR, QUESTION, "Tenun", None, whole=False)
    assert below.voice is None and "script" not in below.text
    assert "Tenun &lt;Ina&gt; &amp; Co" in below.text
    assert render.shown_whole_in_list(QUESTION) and not render.shown_whole_in_list(SPOKEN)


def test_a_spoken_answer_reaches_the_business_as_a_voice_message() -> None:
    answer = AnswerView(SPOKEN, "Yohanes", "", NOW, VoiceNote("AwACAgIAAy", 75))
    reply = render.answer_to_business(TR, answer)
    assert reply.voice is not None and reply.voice.seconds == 75
    assert "🎤 Pesan suara (1:15)" in reply.text
    assert "🎤 Pesan suara (0:42)" in reply.text  # what was asked, in a line
