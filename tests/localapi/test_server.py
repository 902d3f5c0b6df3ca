"""The local Bot API server, driven by a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.localapi import LocalBotApi
from bot.localapi.limits import MAX_TEXT_LENGTH
from tests.support.png import tiny_png

TOKEN = "123456:TEST-token"
USER = 4242


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    async with server:
        server.add_chat_user(USER, "Maria", username="maria_tenun")
        yield server


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_get_me_answers_the_bot_user(api: LocalBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "PendampingUMKMBot"
    assert me.id == 123456
    assert me.is_bot
    assert api.port > 0
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"


async def test_wrong_token_is_unauthorized(api: LocalBotApi) -> None:
    other = Bot("999:WRONG", base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await other.initialize()
    await other.shutdown()


async def test_send_message_html_keyboard_is_stored_as_telegram_would(
    api: LocalBotApi, bot: Bot
) -> None:
    sent = await bot.send_message(
        USER,
        "<b>Selamat datang</b>, Ibu &amp; Bapak!\n<i>Pilih:</i>",
        parse_mode="HTML",
        reply_markup=keyboard(("Lanjut", "gd:1"), ("Bantuan", "hl:0")),
    )
    assert sent.text == "Selamat datang, Ibu & Bapak!\nPilih:"
    assert sent.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 14),
        MessageEntity(MessageEntity.ITALIC, 29, 6),
    )
    assert sent.chat.id == USER
    assert sent.from_user is not None
    assert sent.from_user.username == "PendampingUMKMBot"
    assert sent.reply_markup is not None
    stored = api.chat_messages(USER)
    assert [m.message_id for m in stored] == [sent.message_id]
    assert stored[0].buttons == [[("Lanjut", "gd:1")], [("Bantuan", "hl:0")]]
    assert stored[0].html.startswith("<b>Selamat")
    assert api.violations == []


async def test_edit_applies_and_repeat_is_not_modified(api: LocalBotApi, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Langkah 1", reply_markup=keyboard(("Lanjut", "s:1")))
    edited = await bot.edit_message_text("Langkah 2", chat_id=USER, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "Langkah 2"
    msg = api.chat_messages(USER)[-1]
    assert (msg.text, msg.buttons, msg.edits) == ("Langkah 2", [], 1)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Langkah 2", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Ya", "y:1"))
    )
    assert api.chat_messages(USER)[-1].buttons == [[("Ya", "y:1")]]
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Ya", "y:1"))
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert await bot.delete_message(USER, sent.message_id)
    assert api.chat_messages(USER) == []
    assert api.violations == []


async def test_unknown_chat_is_not_found(api: LocalBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "Halo")
    assert api.violations == []


async def test_commands_are_stored_per_scope_and_language(api: LocalBotApi, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeChat

    await bot.set_my_commands([BotCommand("start", "Mulai")], language_code="id")
    await bot.set_my_commands(
        [BotCommand("undang", "Buat undangan")], scope=BotCommandScopeChat(USER)
    )
    assert api.commands(language_code="id") == [{"command": "start", "description": "Mulai"}]
    assert [c["command"] for c in api.commands({"type": "chat", "chat_id": USER})] == ["undang"]
    got = await bot.get_my_commands(language_code="id")
    assert [c.command for c in got] == ["start"]
    await bot.set_chat_menu_button()
    await bot.send_chat_action(USER, "typing")
    assert api.chat_actions == [(USER, "typing")]
    assert api.violations == []


async def test_violations_answer_400_and_are_recorded(api: LocalBotApi, bot: Bot) -> None:
    cases: list[tuple[Callable[[], Awaitable[object]], str]] = [
        (lambda: bot.send_message(USER, "x" * (MAX_TEXT_LENGTH + 1)), "too long"),
        (lambda: bot.send_message(USER, "<b>tebal", parse_mode="HTML"), "can't parse entities"),
        (lambda: bot.send_message(USER, "<b>a</i>", parse_mode="HTML"), "Unmatched end tag"),
        (lambda: bot.send_message(USER, "1 < 2", parse_mode="HTML"), "Unsupported start tag"),
        (
            lambda: bot.send_message(USER, "Pilih", reply_markup=keyboard(("Ya", "é" * 33))),
            "BUTTON_DATA_INVALID",
        ),
        (
            lambda: bot.send_message(USER, "Halo", api_kwargs={"colour": "merah"}),
            "unknown parameter",
        ),
        (lambda: bot.send_message(USER, "  "), "text is empty"),
    ]
    for call, fragment in cases:
        with pytest.raises(BadRequest, match=f"(?i){fragment}"):
            await call()
    assert len(api.violations) == len(cases)
    # Visible length counts, not markup: 4096 visible characters inside tags pass.
    await bot.send_message(USER, f"<b>{'x' * MAX_TEXT_LENGTH}</b>", parse_mode="HTML")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})
    assert api.violations[-1] == "unknown method 'sendTelepathy'"


async def test_faults_end_in_the_expected_exceptions(api: LocalBotApi, bot: Bot) -> None:
    api.faults.add("sendMessage", "429", retry_after=3)
    with pytest.raises(RetryAfter) as too_many:
        await bot.send_message(USER, "a")
    assert "Retry in 3 seconds" in too_many.value.message
    api.faults.add("sendMessage", "403", chat_id=USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "b")
    api.faults.add("sendMessage", "500")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "c")
    api.faults.add("sendMessage", "timeout", seconds=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "d", read_timeout=0.2)
    api.faults.add("sendMessage", "delay", seconds=0.3)
    started = time.monotonic()
    await bot.send_message(USER, "e")
    assert time.monotonic() - started >= 0.3
    api.user_blocks_bot(USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "f")
    # Only the timed-out call and the delayed one reached the chat.
    assert [m.text for m in api.chat_messages(USER)] == ["d", "e"]
    assert api.faults.pending == []
    assert api.violations == []


async def test_photo_upload_get_file_and_download_round_trip(api: LocalBotApi, bot: Bot) -> None:
    png = tiny_png(width=3, height=2)
    sent = await bot.send_photo(USER, photo=png, caption="<b>Bukti</b>", parse_mode="HTML")
    assert sent.caption == "Bukti"
    size = sent.photo[-1]
    assert (size.width, size.height) == (3, 2)
    tg_file = await bot.get_file(size.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == png
    assert api.chat_messages(USER)[-1].photo == png
    again = await bot.send_photo(USER, photo=size.file_id)
    assert again.photo[-1].file_id == size.file_id
    doc = await bot.send_document(USER, document=b"a;b\n1;2\n", filename="rekap.csv")
    assert doc.document is not None
    assert doc.document.file_name == "rekap.csv"
    assert api.chat_messages(USER)[-1].document == b"a;b\n1;2\n"
    # A user's photo can be fetched by the bot too.
    update = await api.user_sends_photo(USER, png, caption="foto produk")
    file_id = update["message"]["photo"][-1]["file_id"]
    user_file = await bot.get_file(file_id)
    assert bytes(await user_file.download_as_bytearray()) == png
    assert api.violations == []


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with one button."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "Halo <b>Ibu</b>!", reply_markup=keyboard(("Lanjut", "st:1"))
    )


async def _next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap, then edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Oke")
    await query.edit_message_text("Langkah berikutnya")


async def test_polling_application_round_trip_long_polls(api: LocalBotApi) -> None:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_next, pattern="^st:"))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5, poll_interval=0)
        try:
            mark = api.activity_mark()
            await api.user_sends_text(USER, "/start")
            greeting = await api.wait_for_bot_message(USER, after_index=mark, timeout=5)
            assert greeting.text == "Halo Ibu!"
            mark = api.activity_mark()
            query_id = await api.user_presses(USER, greeting.message_id, "st:1")
            edited = await api.wait_for_bot_message(USER, after_index=mark, timeout=5)
            assert edited.message_id == greeting.message_id
            assert edited.text == "Langkah berikutnya"
            assert api.callback_answers[query_id]["text"] == "Oke"
            # Idle: a held getUpdates means almost no calls in a second.
            await asyncio.sleep(0.2)
            before = sum(1 for name, _ in api.calls if name == "getUpdates")
            await asyncio.sleep(1.0)
            after = sum(1 for name, _ in api.calls if name == "getUpdates")
            assert after - before <= 1
        finally:
            await app.updater.stop()
            await app.stop()
    assert api.violations == []


async def test_double_answer_is_too_old_and_a_violation(api: LocalBotApi, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Pilih", reply_markup=keyboard(("A", "a:1")))
    query_id = await api.user_presses(USER, sent.message_id, "a:1")
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="too old"):
        await bot.answer_callback_query(query_id)
    assert len(api.violations) == 1


async def test_get_updates_holds_until_an_update_arrives(api: LocalBotApi, bot: Bot) -> None:
    waiter = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not waiter.done()
    await api.user_sends_text(USER, "/start abc")
    updates = await asyncio.wait_for(waiter, 2)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/start abc"
    assert message.entities[0].type == MessageEntity.BOT_COMMAND
    started = time.monotonic()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert time.monotonic() - started < 0.5


async def test_deep_link_with_bad_start_parameter_is_a_violation(api: LocalBotApi) -> None:
    await api.user_opens_link(USER, "https://t.me/PendampingUMKMBot?start=ABC_12-x")
    assert api.pending_updates[-1]["message"]["text"] == "/start ABC_12-x"
    await api.user_opens_link(USER, "https://t.me/PendampingUMKMBot?start=a+b")
    assert len(api.violations) == 1


async def test_voice_messages_go_both_ways_and_are_relayed_by_file_id(
    api: LocalBotApi, bot: Bot
) -> None:
    update = await api.user_sends_voice(USER, b"OggS-voice", 42, caption="pertanyaan")
    got = Update.de_json(update, bot)
    assert got.message is not None and got.message.voice is not None
    assert got.message.voice.to_dict()["duration"] == 42
    assert got.message.caption == "pertanyaan"
    file_id = got.message.voice.file_id

    relayed = await bot.send_voice(USER, file_id, caption="<b>Dari Maria</b>", parse_mode="HTML")
    assert relayed.voice is not None and relayed.voice.file_id == file_id
    assert relayed.caption == "Dari Maria"
    assert api.chat_messages(USER)[-1].voice == b"OggS-voice"
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_voice(USER, "AgAD-not-a-file")
    uploaded = await bot.send_voice(USER, b"OggS-new", duration=3, filename="jawab.ogg")
    assert uploaded.voice is not None and uploaded.voice.file_id != file_id
    assert api.chat_messages(USER)[-1].voice_duration == 3


async def test_edit_message_media_swaps_the_photo_in_place(api: LocalBotApi, bot: Bot) -> None:
    first, second = tiny_png(width=3, height=3), tiny_png(width=5, height=5)
    sent = await bot.send_photo(
        USER, first, caption="Triwulan IV", reply_markup=keyboard(("A", "a"))
    )
    edited = await bot.edit_message_media(
        InputMediaPhoto(second, caption="<b>Triwulan III</b>", parse_mode="HTML"),
        chat_id=USER,
        message_id=sent.message_id,
        reply_markup=keyboard(("B", "b")),
    )
    assert isinstance(edited, Message)
    assert edited.message_id == sent.message_id and edited.caption == "Triwulan III"
    [stored] = api.chat_messages(USER)
    assert stored.photo == second and stored.edits == 1
    assert [b.text for row in stored.buttons for b in row] == ["B"]
    # By file id, the same photo with the same caption and keyboard: not modified.
    assert stored.photo_file is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_media(
            InputMediaPhoto(
                stored.photo_file.file_id, caption="<b>Triwulan III</b>", parse_mode="HTML"
            ),
            chat_id=USER,
            message_id=sent.message_id,
            reply_markup=keyboard(("B", "b")),
        )
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.edit_message_media(
            InputMediaPhoto(first, caption="x" * 1025), chat_id=USER, message_id=sent.message_id
        )
    assert api.violations == ["editMessageMedia: Bad Request: message caption is too long"]
    api.violations.clear()
