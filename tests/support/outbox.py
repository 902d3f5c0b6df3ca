"""Outbox rows a test needs in the database: requests for help, due now, one per person."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.localapi import LocalBotApi
from bot.services import agencies, outbox
from bot.services.deadlines.answers import HELP, HelpAsked
from db.models import Agency, Deadline, DeadlineKind, Person, Recurrence

HELP_TEXT = "Mohon bantuan"  # in every such message: what a test counts


async def plan_help_requests(
    sessions: async_sessionmaker[AsyncSession], api: LocalBotApi, telegram_ids: Sequence[int]
) -> None:
    """A request for help due now to each of these people (added when unknown)."""
    clock = SystemClock()
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        agency = await db.scalar(select(Agency).order_by(Agency.id).limit(1))
        assert agency is not None
        deadline = Deadline(
            agency_id=agency.id,
            title="Laporan triwulan",
            due_at=clock.now(),
            kind=DeadlineKind.REPORT,
            recurrence=Recurrence.NONE,
            created_at=clock.now(),
        )
        asker = Person(telegram_id=1, full_name="Yohanes", created_at=clock.now())
        db.add_all([deadline, asker])
        await db.flush()
        for telegram_id in telegram_ids:
            person = await db.scalar(select(Person).where(Person.telegram_id == telegram_id))
            if person is None:
                api.add_chat_user(telegram_id, f"Orang {telegram_id}")
                person = Person(
                    telegram_id=telegram_id,
                    full_name=f"Orang {telegram_id}",
                    created_at=clock.now(),
                )
                db.add(person)
                await db.flush()
            await outbox.plan(
                db,
                clock,
                kind=HELP,
                recipient_id=person.id,
                dedupe_key="help",
                due_at=clock.now(),
                payload=HelpAsked(
                    deadline_id=deadline.id,
                    agency_id=agency.id,
                    person_id=asker.id,
                    message=f"{HELP_TEXT} untuk {telegram_id}",
                ),
            )
