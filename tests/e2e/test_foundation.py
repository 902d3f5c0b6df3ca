"""The first behaviour, as people meet it: welcome, coordinator menu, help, privacy, errors."""

from __future__ import annotations

import asyncio
import gc

from sqlalchemy import func, select, text

from bot.services import dialogue, people
from db.models import DialogueState, Person, Role
from tests.support.world import World


async def test_stranger_start_gets_the_indonesian_welcome(world: World) -> None:
    maria = world.person("Maria")
    reply = await maria.send("/start")
    assert "Selamat datang di Pendamping UMKM" in reply.text
    assert "tautan undangan" in reply.text
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 0


async def test_coordinator_is_recorded_and_sees_the_menu(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    reply = await koordinator.send("/start")
    assert "Halo, Yuliana!" in reply.text
    assert "koordinator program" in reply.text
    labels = koordinator.buttons()
    assert {"Undang peserta", "Kelola tenggat", "Rekap kemajuan", "Bantuan", "Privasi"} <= set(
        labels
    )
    async with world.sessions() as db:
        person = await people.find_by_telegram_id(db, koordinator.user_id)
        assert person is not None
        assert person.role_set == {Role.COORDINATOR, Role.MENTOR}


async def test_a_coordinator_gets_their_own_command_menu(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    scope = {"type": "chat", "chat_id": koordinator.user_id}
    mine = {c["command"] for c in world.api.commands(scope)}
    assert {"undang", "tenggat", "rekap", "pertanyaan", "bantuan"} <= mine
    assert "cek" not in mine  # a business's command
    world.api.my_commands.clear()
    await world.restart()  # known coordinators get theirs again when the bot starts
    assert {"undang", "rekap"} <= {c["command"] for c in world.api.commands(scope)}


async def test_the_collector_is_on_again_once_the_bot_polls(world: World) -> None:
    await world.stop()
    gc.disable()  # as `pendamping run` imports and builds the bot
    try:
        await world.start()
        assert gc.isenabled()
    finally:
        gc.enable()


async def test_every_menu_entry_of_a_coordinator_opens_its_feature(world: World) -> None:
    koordinator = world.coordinator()
    menu = await koordinator.send("/start")
    entries = [b.text for row in menu.buttons for b in row]
    assert "Kirim siaran" in entries
    for label in entries:
        await koordinator.send("/menu")
        reply = await koordinator.press(label)
        assert "sedang disiapkan" not in reply.text, label  # none is left "coming soon"


async def test_help_and_privacy_per_role(world: World) -> None:
    stranger = world.person("Tamu")
    help_reply = await stranger.send("/bantuan")
    assert "tautan undangan" in help_reply.text
    assert "/undang" not in help_reply.text
    privacy = await stranger.send("/privasi")
    assert "UU No. 27 Tahun 2022" in privacy.text
    assert "menghapus" in privacy.text

    koordinator = world.coordinator()
    await koordinator.send("/start")
    coordinator_help = await koordinator.send("/bantuan")
    assert "/undang" in coordinator_help.text
    assert "/pertanyaan" in coordinator_help.text  # coordinators are mentors too


async def test_unknown_command_and_unexpected_text_get_a_way_forward(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/start")
    unknown = await koordinator.send("/terbang")
    assert "perintah itu tidak kami kenal" in unknown.text
    assert "/bantuan" in unknown.text
    text = await koordinator.send("halo bot, apa kabar?")
    assert "belum memahami pesan itu" in text.text
    assert "Menu utama" in koordinator.buttons()
    huge = await koordinator.send("x" * 4096)
    assert "belum memahami pesan itu" in huge.text


async def test_forged_and_unknown_buttons_are_stale(world: World) -> None:
    koordinator = world.coordinator()
    start = await koordinator.send("/start")
    forged = await koordinator.press_data("m:no-such-entry", start.message_id)
    assert "tombol ini sudah tidak berlaku" in forged.text
    alien = await koordinator.press_data("zz:1:2", start.message_id)
    assert "tombol ini sudah tidak berlaku" in alien.text


async def test_wrong_role_cannot_use_a_coordinator_button(world: World) -> None:
    maria = world.person("Maria")
    async with world.sessions() as db, db.begin():
        await people.register(db, world.clock, maria.user_id, "Maria", [Role.UMKM])
    start = await maria.send("/start")
    assert "Undang peserta" not in maria.buttons()
    reply = await maria.press_data("m:invite", start.message_id)
    assert "tidak tersedia untuk peran" in reply.text


async def test_groups_hear_only_a_short_note_on_our_commands(world: World) -> None:
    koordinator = world.coordinator()
    await world.api.user_sends_text(
        koordinator.user_id, "halo semua", chat_id=-1001, chat_type="group"
    )
    await world.api.user_sends_text(
        koordinator.user_id, "/start@PendampingUMKMBot", chat_id=-1001, chat_type="group"
    )
    note = await world.api.wait_for_bot_message(-1001, timeout=5)
    assert "hanya melayani percakapan pribadi" in note.text
    assert len(world.api.chat_messages(-1001)) == 1


async def test_commands_are_set_per_scope_in_indonesian(world: World) -> None:
    default = world.api.commands()
    names = {c["command"]: c["description"] for c in default}
    assert names["bantuan"] == "Bantuan"
    assert names["privasi"] == "Cara kami menjaga data Bapak/Ibu"
    english = {c["command"] for c in world.api.commands(language_code="en")}
    assert english == set(names)


async def test_a_stale_dialogue_step_is_answered_not_crashed(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/start")
    async with world.sessions() as db, db.begin():
        person = await people.find_by_telegram_id(db, koordinator.user_id)
        assert person is not None
        # A dialogue whose flow no longer exists in this version of the bot.
        await dialogue.begin(db, world.clock, person.id, "gone", "step")
    reply = await koordinator.send("jawaban saya")
    assert "belum memahami" in reply.text
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(DialogueState)) == 1


async def test_a_failure_inside_a_handler_gets_an_incident_code(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/start")
    async with world.sessions() as db, db.begin():
        await db.execute(text("ALTER TABLE dialogue_state RENAME TO dialogue_state_away"))
    broken = await koordinator.send("halo")
    assert "terjadi kendala" in broken.text
    assert "kode" in broken.text
    assert "Traceback" not in broken.text
    async with world.sessions() as db, db.begin():
        await db.execute(text("ALTER TABLE dialogue_state_away RENAME TO dialogue_state"))
    healed = await koordinator.send("/menu")
    assert "Menu utama" in healed.text


async def test_telegram_errors_while_replying_do_not_stop_the_bot(world: World) -> None:
    koordinator = world.coordinator()
    world.api.faults.add(method="sendMessage", kind="500", count=1)
    await world.api.user_sends_text(koordinator.user_id, "/start")
    reply = await koordinator.send("/menu")
    assert "Menu utama" in reply.text


async def test_restart_loses_nothing(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/start")
    await world.restart()
    again = await koordinator.send("/menu")
    assert "Menu utama" in again.text
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 1


async def test_each_person_reads_their_own_language_even_at_once(world: World) -> None:
    ana, budi = world.coordinator("Ana"), world.coordinator("Budi")
    await ana.send("/start")
    await budi.send("/start")
    await budi.send("/bahasa")
    switched = await budi.press("English")
    assert switched.text == "Done: the bot now speaks this language."
    for _ in range(5):  # both at the same moment: no language leaks from one to the other
        indonesian, english = await asyncio.gather(ana.send("/menu"), budi.send("/menu"))
        assert "Menu utama" in indonesian.text
        assert "Main menu" in english.text
        assert "Undang peserta" in ana.buttons()
        assert "Invite people" in budi.buttons()
