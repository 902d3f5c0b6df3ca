"""Fetching a photo or document a person sent, checked before it is downloaded."""

from __future__ import annotations

from telegram import Message

from bot.context import BotContext
from bot.services import evidence
from bot.services.errors import Invalid
from bot.services.evidence import FileTooLarge, FileUnsupported

PHOTO_MIME = "image/jpeg"  # Telegram re-encodes photos as JPEG


def has_attachment(message: Message | None) -> bool:
    """True when the message carries a photo or a document."""
    return message is not None and (bool(message.photo) or message.document is not None)


# data, checked mime type, the file name as sent: shown to nobody as it is, since
# evidence.save_evidence keeps only its safe form (no path, the extension of the real type).
Downloaded = tuple[bytes, str, str | None]


async def download_attachment(context: BotContext, message: Message) -> Downloaded:
    """The bytes, mime type and file name of the message's photo (largest size) or document.

    Raises FileUnsupported / FileTooLarge (both `Invalid`) before downloading anything when the
    type or the size Telegram reports is not acceptable, and again after download by real size.
    """
    mime: str | None
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        file_id, mime, name, size = photo.file_id, PHOTO_MIME, None, photo.file_size
    elif message.document is not None:
        doc = message.document
        file_id, mime, name, size = doc.file_id, doc.mime_type, doc.file_name, doc.file_size
    else:
        raise FileUnsupported()
    checked = evidence.check_file(mime, size)
    telegram_file = await context.bot.get_file(file_id)
    if telegram_file.file_size is not None and telegram_file.file_size > evidence.MAX_BYTES:
        raise FileTooLarge()
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > evidence.MAX_BYTES:
        raise FileTooLarge()
    return data, checked, name


async def prefetch(context: BotContext, message: Message | None) -> Downloaded | Invalid | None:
    """Download what the person sent before the handler's transaction opens.

    A download is a network wait, and none may happen inside a transaction (on SQLite it
    would hold the one connection). A refusal is kept and raised when the handler asks.
    """
    if not has_attachment(message):
        return None
    assert message is not None
    try:
        return await download_attachment(context, message)
    except Invalid as refused:
        return refused
