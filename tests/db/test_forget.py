"""What a deletion removes beyond the person row (UU 27/2022), and the unconsented purge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import agencies, evidence, invitations, people, privacy, questions
from bot.services.calendar import work_calendar
from bot.services.deadlines import NewDeadline, create, request_extension, request_help
from db.models import (
    Evidence,
    ExtensionRequest,
    Invitation,
    OutboxMessage,
    Person,
    QuestionAnswer,
    Role,
)
from tests.support.png import tiny_png

CALENDAR = work_calendar(ZoneInfo("Asia/Makassar"), {})


async def _owner(db: AsyncSession, clock: FakeClock, telegram_id: int, name: str) -> Person:
    _, _, code = await invitations.invite_business(
        db,
        clock,
        business_name=f"Usaha {name}",
        owner_name=name,
        sector="tenun",
        sectors=("tenun",),
        created_by_id=None,
        phone=None,
    )
    await invitations.accept(db, clock, code, telegram_id, name)
    person = await people.find_by_telegram_id(db, telegram_id)
    assert person is not None
    return person


async def test_a_photo_two_people_sent_stays_for_the_other(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, tmp_path: Path
) -> None:
    async with sessions() as db, db.begin():
        maria = await _owner(db, clock, 7001, "Maria Ndun")
        yanti = await _owner(db, clock, 7002, "Yanti Lake")
        photo = tiny_png(3)
        first = await evidence.save_evidence(
            db, clock, tmp_path, person_id=maria.id, data=photo, mime="image/png", filename=None
        )
        again = await evidence.save_evidence(
            db, clock, tmp_path, person_id=yanti.id, data=photo, mime="image/png", filename=None
        )
        assert again.id == first.id  # stored once, by its hash
        await questions.ask(db, clock, CALENDAR, yanti, "Apakah ini rapi?", evidence_id=again.id)
        own = await evidence.save_evidence(
            db,
            clock,
            tmp_path,
            person_id=maria.id,
            data=tiny_png(4),
            mime="image/png",
            filename=None,
        )
        own_path = own.path
    async with sessions() as db, db.begin():
        forgotten = await privacy.forget(db, clock, 7001)
    assert forgotten.evidence_paths == (own_path,)  # only the file nobody else uses goes
    async with sessions() as db:
        kept = await db.get(Evidence, first.id)
        assert kept is not None
        assert kept.person_id is None  # no longer says who sent it first
        assert (tmp_path / kept.path).exists()


async def test_names_reasons_and_help_texts_go_with_the_person(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        agency = (await agencies.all_agencies(db))[0]
        await people.register(db, clock, 9001, "Ibu Koordinator", [Role.COORDINATOR])
        focal = await people.register(db, clock, 8002, "Ibu Focal Rina", [Role.FOCAL])
        await agencies.add_member(db, clock, agency.id, focal.id)
        await _owner(db, clock, 7001, "Maria Ndun")
        deadline = await create(
            db,
            clock,
            CALENDAR,
            NewDeadline("Laporan triwulan", clock.now() + timedelta(days=10), agency.id),
            None,
        )
        await request_help(db, clock, deadline.id, agency.id, focal.id, "Rahasia kantor kami")
        await request_extension(
            db,
            clock,
            deadline.id,
            agency.id,
            focal.id,
            clock.now() + timedelta(days=20),
            "Kepala dinas sakit",
        )
    async with sessions() as db, db.begin():
        await privacy.forget(db, clock, 8002)
        await privacy.forget(db, clock, 7001)
    async with sessions() as db:
        reasons = (await db.scalars(select(ExtensionRequest.reason))).all()
        assert reasons == [""]
        invitees = (await db.scalars(select(Invitation.invitee_name))).all()
        assert "Maria Ndun" not in invitees
        rows = (await db.scalars(select(OutboxMessage))).all()
        payloads = [str(row.payload) for row in rows]
        assert any("Laporan" in p or "deadline_id" in p for p in payloads)
        assert not any("Rahasia kantor kami" in p for p in payloads)


async def test_a_mentor_forgotten_is_only_mentor_on_answers(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        mentor = await people.register(db, clock, 8001, "Pak Mentor Agus", [Role.MENTOR])
        owner = await _owner(db, clock, 7001, "Maria Ndun")
        asked = await questions.ask(db, clock, CALENDAR, owner, "Benang apa yang cocok?")
        await questions.answer(db, clock, mentor, asked.question_id, "Benang katun.")
    async with sessions() as db, db.begin():
        await privacy.forget(db, clock, 8001)
    async with sessions() as db:
        names = (await db.scalars(select(QuestionAnswer.mentor_name))).all()
        assert names == [privacy.MENTOR_PLACEHOLDER]


async def test_who_never_consented_is_forgotten_after_seven_days(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await invitations.invite_business(
            db,
            clock,
            business_name="Sasando Oebelo",
            owner_name="Yakob",
            sector="sasando",
            sectors=("sasando",),
            created_by_id=None,
            phone=None,
        )
        # Opening the link records the person; their role waits for consent.
        await people.register(db, clock, 7005, "Yakob")
        await people.register(db, clock, 9001, "Ibu Koordinator", [Role.COORDINATOR])
        consented = await people.register(db, clock, 7006, "Maria")
        await people.record_consent(db, clock, consented)
    clock.advance(timedelta(days=6))
    async with sessions() as db, db.begin():
        assert await privacy.purge_unconsented(db, clock) == []
    clock.advance(timedelta(days=2))
    async with sessions() as db, db.begin():
        purged = await privacy.purge_unconsented(db, clock)
    assert len(purged) == 1
    async with sessions() as db:
        left = set((await db.scalars(select(Person.telegram_id))).all())
        assert left == {9001, 7006}
        assert await db.scalar(select(func.count()).select_from(Invitation)) == 1
