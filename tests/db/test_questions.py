"""Mentoring questions on a real database: asking, answering once, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import people, questions
from bot.services.calendar import WorkCalendar
from bot.services.errors import Invalid, NotAllowed
from db.models import (
    Business,
    OutboxMessage,
    OutboxState,
    Person,
    QuestionAnswer,
    QuestionStatus,
    Role,
)

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar(WITA)


async def _owner(db: AsyncSession, clock: FakeClock, telegram_id: int, name: str) -> Person:
    person = await people.register(db, clock, telegram_id, f"Ibu {name}", [Role.UMKM])
    db.add(
        Business(
            name=name,
            sector="tenun",
            owner_name=f"Ibu {name}",
            owner_id=person.id,
            created_at=clock.now(),
        )
    )
    await db.flush()
    return person


async def _cast(db: AsyncSession, clock: FakeClock) -> dict[str, Person]:
    return {
        "maria": await _owner(db, clock, 7001, "Tenun Ina"),
        "yohanes": await people.register(db, clock, 7002, "Bapak Yohanes", [Role.MENTOR]),
        "agnes": await people.register(db, clock, 7003, "Ibu Agnes", [Role.MENTOR]),
        "koordinator": await people.ensure_coordinator(db, clock, 7004, "Ibu Koordinator"),
    }


async def _rows(db: AsyncSession, kind: str) -> list[OutboxMessage]:
    found = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    )
    return list(found.all())


async def test_question_goes_to_every_mentor_and_the_answer_to_the_business(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    async with sessions() as db, db.begin():
        cast = await _cast(db, clock)
        asked = await questions.ask(
            db, clock, calendar, cast["maria"], "  Benang apa yang cocok?  ", topic_ref="-"
        )
    assert asked.mentors_told == 3  # two mentors and the coordinator (a mentor too)
    async with sessions() as db, db.begin():
        sent = await _rows(db, questions.KIND_QUESTION)
        recipients = {r.recipient_id for r in sent}
        assert recipients == {cast[k].id for k in ("yohanes", "agnes", "koordinator")}
        assert all(r.due_at == clock.now() and r.state is OutboxState.PENDING for r in sent)
        assert all(r.payload == {"question_id": asked.question_id} for r in sent)
        view = await questions.view(db, asked.question_id)
        assert view.text == "Benang apa yang cocok?"
        assert view.topic_ref is None
        assert view.status is QuestionStatus.OPEN
        assert view.business_name == "Tenun Ina"

        done = await questions.answer(
            db, clock, cast["yohanes"], asked.question_id, "Benang katun mercerisasi."
        )
        assert done.asker_id == cast["maria"].id
    async with sessions() as db:
        view = await questions.view(db, asked.question_id)
        assert view.status is QuestionStatus.ANSWERED
        [answer_row] = await _rows(db, questions.KIND_ANSWER)
        assert answer_row.recipient_id == cast["maria"].id
        assert answer_row.due_at == clock.now()
        # Nobody is told about an answered question any more.
        assert {r.state for r in await _rows(db, questions.KIND_QUESTION)} == {OutboxState.SKIPPED}
        assert {r.state for r in await _rows(db, questions.KIND_ESCALATION)} == {
            OutboxState.SKIPPED
        }
        found = await questions.answer_of(db, asked.question_id)
        assert found is not None
        assert (found.mentor_name, found.text) == ("Bapak Yohanes", "Benang katun mercerisasi.")


async def test_second_answer_is_refused_and_the_first_stays(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    async with sessions() as db, db.begin():
        cast = await _cast(db, clock)
        asked = await questions.ask(db, clock, calendar, cast["maria"], "Berapa lama uji luntur?")
        await questions.answer(db, clock, cast["agnes"], asked.question_id, "Sekitar seminggu.")
    async with sessions() as db, db.begin():
        with pytest.raises(questions.AlreadyAnswered) as refused:
            await questions.answer(db, clock, cast["yohanes"], asked.question_id, "Dua hari.")
        assert refused.value.mentor_name == "Ibu Agnes"
        with pytest.raises(questions.AlreadyAnswered):
            await questions.open_for_answer(db, cast["yohanes"], asked.question_id)
    async with sessions() as db:
        answers = (await db.scalars(select(QuestionAnswer))).all()
        assert [(a.mentor_name, a.text) for a in answers] == [("Ibu Agnes", "Sekitar seminggu.")]
        assert len(await _rows(db, questions.KIND_ANSWER)) == 1


async def test_only_mentors_answer_and_only_businesses_ask(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    async with sessions() as db, db.begin():
        cast = await _cast(db, clock)
        asked = await questions.ask(db, clock, calendar, cast["maria"], "Apakah perlu label?")
        with pytest.raises(NotAllowed):
            await questions.answer(db, clock, cast["maria"], asked.question_id, "Saya jawab.")
        with pytest.raises(NotAllowed):
            await questions.open_for_answer(db, cast["maria"], asked.question_id)
        with pytest.raises(NotAllowed):
            await questions.ask(db, clock, calendar, cast["yohanes"], "Pertanyaan mentor?")
        with pytest.raises(Invalid):
            await questions.ask(
                db, clock, calendar, cast["maria"], "x" * (questions.MAX_QUESTION + 1)
            )
        with pytest.raises(Invalid):
            await questions.ask(db, clock, calendar, cast["maria"], "   ")
        lonely = await people.register(db, clock, 7009, "Ibu Tanpa Usaha", [Role.UMKM])
        with pytest.raises(questions.NoBusiness):
            await questions.ask(db, clock, calendar, lonely, "Halo?")


async def test_escalation_is_planned_two_working_days_later_and_skipped_when_answered(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    # Friday 11 December 2026, 15.00 WITA: two working days later is Tuesday 15.00.
    clock.set(datetime(2026, 12, 11, 7, 0, tzinfo=UTC))
    async with sessions() as db, db.begin():
        cast = await _cast(db, clock)
        asked = await questions.ask(db, clock, calendar, cast["maria"], "Siapa yang menguji?")
        later = await questions.ask(db, clock, calendar, cast["maria"], "Dan biayanya?")
    tuesday = datetime(2026, 12, 15, 7, 0, tzinfo=UTC)
    assert asked.answer_expected_by == tuesday
    async with sessions() as db, db.begin():
        escalations = await _rows(db, questions.KIND_ESCALATION)
        assert [(r.recipient_id, r.due_at) for r in escalations] == [
            (cast["koordinator"].id, tuesday),
            (cast["koordinator"].id, tuesday),
        ]
        clock.set(tuesday - timedelta(minutes=1))
        assert await questions.mark_escalations(db, clock, calendar) == 0
        await questions.answer(db, clock, cast["agnes"], asked.question_id, "Lab BSPJI.")
    clock.set(tuesday)
    async with sessions() as db, db.begin():
        assert await questions.mark_escalations(db, clock, calendar) == 1
        first, second = await _rows(db, questions.KIND_ESCALATION)
        assert first.state is OutboxState.SKIPPED  # answered meanwhile
        assert second.state is OutboxState.PENDING
        assert (await questions.view(db, later.question_id)).status is QuestionStatus.ESCALATED
        waiting, total = await questions.open_questions(db)
        assert [q.id for q in waiting] == [later.question_id]
        assert total == 1


async def test_open_questions_oldest_first_and_a_reply_finds_its_question(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, calendar: WorkCalendar
) -> None:
    async with sessions() as db, db.begin():
        cast = await _cast(db, clock)
        kue = await _owner(db, clock, 7010, "Kue Oma")
        first = await questions.ask(db, clock, calendar, kue, "Label kue?")
        clock.advance(hours=2)
        second = await questions.ask(db, clock, calendar, cast["maria"], "Pewarna alami?")
        waiting, total = await questions.open_questions(db, limit=1)
        assert [q.id for q in waiting] == [first.question_id]
        assert total == 2
        agnes, yohanes = cast["agnes"].id, cast["yohanes"].id
        row = next(
            r
            for r in await _rows(db, questions.KIND_QUESTION)
            if r.recipient_id == agnes and r.payload["question_id"] == second.question_id
        )
        row.state, row.telegram_message_id = OutboxState.SENT, 555
        await db.flush()
        assert await questions.question_for_reply(db, agnes, 555) == second.question_id
        assert await questions.question_for_reply(db, yohanes, 555) is None
        assert await questions.question_for_reply(db, agnes, 556) is None
