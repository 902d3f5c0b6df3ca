"""A tiny real python-telegram-bot application (Indonesian) for the server's own tests."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)

from bot.localapi import LocalBotApi

TINY_TOKEN = "777000:TINY-token"
TinyApp: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with two buttons."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "Selamat datang, <b>Bapak/Ibu</b>!",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Lanjut", callback_data="st:1")],
                [InlineKeyboardButton("Bantuan", callback_data="hl:0")],
                [InlineKeyboardButton("Situs BSN", url="https://bsn.go.id")],
            ]
        ),
    )


async def _next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap, then edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text("Langkah <i>berikutnya</i>", parse_mode="HTML")


async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with a toast only."""
    assert update.callback_query is not None
    await update.callback_query.answer("Bantuan segera datang")


async def _text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo; 'dua' gets two messages; 'diam' gets nothing."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    if message.text == "diam":
        return
    await message.reply_text(f"Anda menulis: {message.text}")
    if message.text == "dua":
        await message.reply_text("Pesan kedua")


async def _photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fetch the photo and say its size."""
    message = update.effective_message
    assert message is not None
    assert message.photo
    tg_file = await message.photo[-1].get_file()
    data = await tg_file.download_as_bytearray()
    await message.reply_text(f"Foto diterima ({len(data)} bita)")


def build_tiny_app(api: LocalBotApi, token: str = TINY_TOKEN) -> TinyApp:
    """A minimal Indonesian bot against the local server."""
    app: TinyApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_next, pattern="^st:"))
    app.add_handler(CallbackQueryHandler(_help, pattern="^hl:"))
    app.add_handler(MessageHandler(filters.PHOTO, _photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _text))
    return app
