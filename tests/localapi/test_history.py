"""The simulator's conversations survive a restart: saved, then read into a new server."""

from __future__ import annotations

from pathlib import Path

from bot.localapi import LocalBotApi, history
from tests.support.png import tiny_png

MARIA = 601


async def test_conversations_files_and_numbering_come_back_after_a_restart(
    tmp_path: Path,
) -> None:
    first = LocalBotApi()
    first.add_chat_user(MARIA, "Maria")
    chat = first.chats[MARIA]
    await first.user_sends_text(MARIA, "/start")
    first.record_activity(
        first.new_message(chat, from_bot=True, text="Selamat datang", html="<b>Selamat</b> datang")
    )
    photo = tiny_png(width=2, height=2)
    await first.user_sends_photo(MARIA, photo, caption="produk")
    last_update = (await first.user_sends_voice(MARIA, b"OggS", 4))["update_id"]
    desk = {"type": "web_app", "text": "Meja kerja", "web_app": {"url": "http://127.0.0.1/"}}
    first.set_menu_button(MARIA, desk)
    first.set_menu_button(None, {"type": "commands"})
    await history.save(first, tmp_path)

    again = LocalBotApi()
    again.add_chat_user(MARIA, "Maria")
    assert history.load(again, tmp_path)
    kept = again.all_messages(MARIA)
    assert [m.text for m in kept] == ["/start", "Selamat datang", "produk", ""]
    assert kept[1].from_bot and kept[1].html == "<b>Selamat</b> datang"
    assert kept[2].photo == photo and kept[2].sender is not None
    assert kept[3].voice == b"OggS" and kept[3].voice_duration == 4
    # Telegram keeps a chat's menu button; the bot sets it again only when roles change.
    assert again.menu_button(MARIA) == desk
    assert again.menu_buttons[None] == {"type": "commands"}
    # Numbering goes on: the bot keeps update ids, and a reused one would look redelivered.
    assert (await again.user_sends_text(MARIA, "halo"))["update_id"] == last_update + 1
    assert again.all_messages(MARIA)[-1].message_id == kept[-1].message_id + 1
    stored = again.store_file(b"x", "photos", "image/png", None)
    assert stored.file_id not in {m.photo_file.file_id for m in kept if m.photo_file}


def test_a_missing_or_broken_snapshot_starts_empty(tmp_path: Path) -> None:
    api = LocalBotApi()
    assert not history.load(api, tmp_path)
    (tmp_path / history.SNAPSHOT).write_text("{not json", encoding="utf-8")
    assert not history.load(api, tmp_path)
