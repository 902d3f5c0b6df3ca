"""Questions to mentors, answers, escalation and weekly nudges, as people meet them."""

from __future__ import annotations

from sqlalchemy import select

from bot.jobs import plan_nudges
from bot.services import people
from db.models import Business, OutboxMessage, OutboxState, Question, QuestionStatus, Role
from tests.support.people import Person
from tests.support.replies import repeated_sentences
from tests.support.world import World


async def _business_owner(world: World, first_name: str, business: str) -> Person:
    """A pilot business whose owner has joined (invitation and consent done)."""
    owner = world.person(first_name)
    async with world.sessions() as db, db.begin():
        person = await people.register(db, world.clock, owner.user_id, first_name, [Role.UMKM])
        person.consent_at = world.clock.now()
        db.add(
            Business(
                name=business,
                sector="tenun",
                owner_name=f"Ibu {first_name}",
                owner_id=person.id,
                profile_confirmed_at=world.clock.now(),
                last_active_at=world.clock.now(),
                created_at=world.clock.now(),
            )
        )
    return owner


async def test_business_asks_mentor_answers_business_receives_it(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")

    prompt = await maria.send("/tanya")
    assert "tulis pertanyaan" in prompt.text
    too_long = await maria.send("panjang " * 300)
    assert "dipersingkat" in too_long.text
    asked = await maria.send("Benang apa yang paling cocok untuk tenun ikat?")
    assert "sudah sampai kepada mentor" in asked.text
    assert "Rabu, 9 Desember 2026 pukul 09.00 WITA" in asked.text  # two working days

    await world.tick()  # the question was due now: the dispatcher was woken already
    question = await koordinator.expect("Pertanyaan baru untuk mentor")
    assert "Tenun Ina" in question.text
    assert "Benang apa yang paling cocok" in question.text
    assert "Jawab" in koordinator.buttons()

    # A business cannot answer, even with a forged button.
    async with world.sessions() as db:
        question_id = await db.scalar(select(Question.id))
    forged = await maria.press_data(f"qa:{question_id}")
    assert "tidak tersedia untuk peran" in forged.text

    prompt = await koordinator.press("Jawab")
    assert "tulis jawaban" in prompt.text
    thanks = await koordinator.send("Gunakan benang katun mercerisasi, Ibu.")
    assert "Terima kasih" in thanks.text
    assert "Tenun Ina" in thanks.text

    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert "Benang apa yang paling cocok" in answer.text  # the question, quoted briefly
    assert "Gunakan benang katun mercerisasi" in answer.text
    assert "Yuliana" in answer.text
    assert "Tanya lagi" in maria.buttons()

    # The coordinator taps Jawab again on the old message: nothing is overwritten.
    again = await koordinator.press("Jawab")
    assert "sudah dijawab oleh Yuliana" in again.text
    async with world.sessions() as db:
        status = await db.scalar(select(Question.status))
        assert status is QuestionStatus.ANSWERED


async def test_mentor_answers_with_a_telegram_reply(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    await maria.send("/menu")
    prompt = await maria.press("Tanya mentor")
    assert "tulis pertanyaan" in prompt.text
    await maria.send("Bagaimana cara mencatat ukuran kain?")
    await world.tick()
    question = await koordinator.expect("Pertanyaan baru untuk mentor")

    mark = world.api.activity_mark()
    await world.api.user_sends_text(
        koordinator.user_id,
        "Catat panjang dan lebar setiap kain selesai ditenun.",
        reply_to_message_id=question.message_id,
    )
    thanks = await world.api.wait_for_bot_message(
        koordinator.user_id, lambda m: "Terima kasih" in m.text, timeout=5, after_index=mark
    )
    assert "Tenun Ina" in thanks.text
    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert "Catat panjang dan lebar" in answer.text


async def test_unanswered_question_reaches_coordinators_after_two_working_days(
    world: World,
) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    await maria.send("/tanya")
    await maria.send("Di mana uji luntur warna bisa dilakukan?")
    await world.tick()
    await koordinator.expect("Pertanyaan baru untuk mentor")

    await world.advance(days=1, hours=23)  # Wednesday 08.00: not yet
    await koordinator.quiet(0.3)
    await world.advance(hours=1)  # Wednesday 09.00: two working days
    escalation = await koordinator.expect("masih menunggu")
    assert "dua hari kerja" in escalation.text
    assert "Di mana uji luntur warna" in escalation.text
    assert "Jawab" in koordinator.buttons()

    async with world.sessions() as db:
        rows = (
            await db.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "question_escalation")
            )
        ).all()
        assert [r.state for r in rows] == [OutboxState.SENT]
    await plan_nudges(world.deps)  # the hourly job also marks the question escalated
    async with world.sessions() as db:
        assert await db.scalar(select(Question.status)) is QuestionStatus.ESCALATED
    listing = await koordinator.send("/pertanyaan")
    assert "1 pertanyaan menunggu" in listing.text
    assert "2 hari lalu" in listing.text
    assert "Jawab 1" in koordinator.buttons()
    await koordinator.press("Jawab 1")
    await koordinator.send("Silakan hubungi laboratorium BSPJI Kupang.")
    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert "laboratorium BSPJI" in answer.text
    empty = await koordinator.send("/pertanyaan")
    assert "Tidak ada pertanyaan yang menunggu" in empty.text


async def test_nudge_arrives_after_a_quiet_week_and_not_after_an_active_one(
    world: World,
) -> None:
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    agnes = await _business_owner(world, "Agnes", "Kue Oma")
    world.clock.advance(days=3)
    await agnes.send("/menu")  # Agnes uses the bot on Thursday; Maria stays quiet

    world.clock.advance(days=4)  # Monday 09.00, a week after both joined
    assert await plan_nudges(world.deps) == 1
    await world.tick()
    nudge = await maria.expect("Sudah seminggu")
    assert "Tenun Ina" in nudge.text
    assert "Lanjutkan panduan" in maria.buttons()
    await agnes.quiet(0.2)

    # The job keeps running all week: no second nudge this week.
    for _ in range(5):
        world.clock.advance(hours=1)
        await plan_nudges(world.deps)
        await world.tick()
    await maria.quiet(0.2)
    async with world.sessions() as db:
        rows = (await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nudge"))).all()
        assert len(rows) == 1


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


async def test_question_with_a_photo_and_a_topic_reaches_the_mentor_with_the_photo(
    world: World,
) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    module = world.deps.content.modules_for("tenun")[0]

    await maria.send("/menu")
    prompt = await maria.press_data(f"ask:{module.id}")  # "Tanya mentor" under a guide step
    assert module.title in prompt.text
    saved = await maria.send_photo(JPEG)
    assert "Foto sudah kami simpan" in saved.text
    asked = await maria.send("Apakah warna benang ini sudah rata?")
    assert "sudah sampai kepada mentor" in asked.text

    await world.tick()
    question = await koordinator.expect("Apakah warna benang ini sudah rata?")
    assert module.title in question.text
    photos = [m for m in koordinator.messages if m.photo_file]
    assert len(photos) == 1
    async with world.sessions() as db:
        stored = await db.scalar(select(Question))
        assert stored is not None
        assert stored.topic_ref == module.id
        assert stored.evidence_id is not None


OGG = b"OggS\x00\x02" + bytes(range(200))  # a voice message as the phone records it


async def test_a_question_may_be_a_voice_message_and_so_may_its_answer(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    prompt = await maria.send("/tanya")
    assert "pesan suara" in prompt.text
    calls = len(world.api.calls)
    asked = await maria.send_voice(OGG, 42)
    assert "sudah sampai kepada mentor" in asked.text
    spoken = world.api.all_messages(maria.user_id)[-2]
    assert spoken.voice_file is not None
    async with world.sessions() as db:
        stored = await db.scalar(select(Question))
        assert stored is not None
        assert (stored.text, stored.voice_seconds) == ("", 42)
        assert stored.voice_file_id == spoken.voice_file.file_id

    # Relayed as it is, by its file id: the bot never downloads it.
    await world.tick()
    question = await koordinator.expect("Pertanyaan baru untuk mentor")
    assert question.voice_file is not None
    assert question.voice_file.file_id == spoken.voice_file.file_id
    assert question.voice_duration == 42
    assert "Pesan suara (0:42)" in question.text
    assert "getFile" not in [name for name, _ in world.api.calls[calls:]]

    # The answer screen does not repeat the question right under it; a voice answer goes back.
    prompt = await koordinator.press("Jawab")
    assert "pertanyaan dari Tenun Ina di atas" in prompt.text
    assert prompt.voice_file is None
    thanks = await koordinator.send_voice(OGG[::-1], 75)
    assert "Terima kasih" in thanks.text
    reply = world.api.all_messages(koordinator.user_id)[-2]
    assert reply.voice_file is not None
    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert answer.voice_file is not None
    assert answer.voice_file.file_id == reply.voice_file.file_id
    assert answer.voice_duration == 75
    assert "Pesan suara (1:15)" in answer.text
    assert "Yuliana" in answer.text
    for person in (koordinator, maria):
        assert repeated_sentences(world.api.all_messages(person.user_id)) == []


async def test_mentor_answers_a_voice_question_with_a_voice_reply(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    await maria.send("/tanya")
    await maria.send_voice(OGG, 9)
    await world.tick()
    question = await koordinator.expect("Pertanyaan baru untuk mentor")

    thanks = await koordinator.send_voice(OGG, 20, reply_to=question.message_id)
    assert "Terima kasih" in thanks.text
    await world.tick()
    answer = await maria.expect("Mentor menjawab pertanyaan")
    assert answer.voice_duration == 20
    async with world.sessions() as db:
        assert await db.scalar(select(Question.status)) is QuestionStatus.ANSWERED


async def test_the_mentor_sees_and_opens_the_photo_from_the_list_and_the_answer_screen(
    world: World,
) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = await _business_owner(world, "Maria", "Tenun Ina")
    await maria.send("/tanya")
    await maria.send_photo(JPEG)
    await maria.send("Apakah warna benang ini sudah rata?")
    await world.tick()
    await koordinator.expect("Apakah warna benang ini sudah rata?")

    listed = await koordinator.send("/pertanyaan")
    assert "Apakah warna benang ini sudah rata? · 📷" in listed.text
    photo = await koordinator.press("📷 Foto 1")
    assert photo.photo == JPEG
    assert "Tenun Ina" in photo.text

    prompt = await koordinator.press("Jawab 1")
    assert "Ada foto bersama pertanyaan ini" in prompt.text
    again = await koordinator.press("Lihat foto")
    assert again.photo == JPEG

    # Only mentors (and coordinators) open it.
    async with world.sessions() as db:
        question_id = await db.scalar(select(Question.id))
    forged = await maria.press_data(f"qm:{question_id}:p")
    assert "tidak tersedia untuk peran" in forged.text
    assert forged.photo is None
