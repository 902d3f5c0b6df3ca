"""Deadlines and their reminder plan on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import agencies, deadlines, people
from bot.services.calendar import WorkCalendar, work_calendar
from bot.services.deadlines.changes import NewDeadline
from bot.services.deadlines.importer import RowProblem
from bot.services.errors import NotAllowed
from db.models import (
    AckStatus,
    Deadline,
    ExtensionStatus,
    OutboxMessage,
    OutboxState,
    Recurrence,
    Role,
)
from tests.support.wita import WITA, wita


@dataclass
class Setup:
    cal: WorkCalendar
    coordinator: int
    focal: int
    focal2: int
    other_focal: int
    rsud: int
    setda: int


@pytest.fixture
async def setup(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> Setup:
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        setda = await agencies.find(db, "Setda")
        assert rsud is not None
        assert setda is not None
        coordinator = await people.ensure_coordinator(db, clock, 7001, "Ibu Koordinator")
        focal = await people.register(db, clock, 7002, "Bapak Yohanes", [Role.FOCAL])
        focal2 = await people.register(db, clock, 7003, "Ibu Maria", [Role.FOCAL])
        other = await people.register(db, clock, 7004, "Bapak Frans", [Role.FOCAL])
        await agencies.add_member(db, clock, rsud.id, focal.id)
        await agencies.add_member(db, clock, rsud.id, focal2.id)
        await agencies.add_member(db, clock, setda.id, other.id)
        return Setup(
            work_calendar(WITA), coordinator.id, focal.id, focal2.id, other.id, rsud.id, setda.id
        )


async def rows(
    db: AsyncSession,
    *,
    recipient: int | None = None,
    kinds: Sequence[str] = (deadlines.REMINDER, deadlines.OVERDUE),
    state: OutboxState | None = OutboxState.PENDING,
) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.kind.in_(kinds))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    if recipient is not None:
        stmt = stmt.where(OutboxMessage.recipient_id == recipient)
    if state is not None:
        stmt = stmt.where(OutboxMessage.state == state)
    return list((await db.scalars(stmt)).all())


async def make(
    db: AsyncSession, clock: FakeClock, s: Setup, due: datetime, **kw: object
) -> Deadline:
    agency_id = kw.pop("agency_id", s.rsud)
    new = NewDeadline(title="Dokumen SOP pelayanan", due_at=due, agency_id=agency_id, **kw)  # type: ignore[arg-type]  # test helper
    return await deadlines.create(db, clock, s.cal, new, s.coordinator)


async def test_reminders_h7_to_h_and_overdue_at_wita_hour(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        # Thursday 17 December 2026, 16.00 WITA.
        deadline = await make(db, clock, setup, wita(2026, 12, 17, 16))
        planned = await rows(db, recipient=setup.focal)
        assert [(r.kind, r.payload["label"], r.due_at) for r in planned] == [
            ("reminder", "h-7", wita(2026, 12, 10, 8)),
            ("reminder", "h-3", wita(2026, 12, 14, 8)),
            ("reminder", "h-1", wita(2026, 12, 16, 8)),
            ("reminder", "h-0", wita(2026, 12, 17, 8)),
            ("overdue", "o1", wita(2026, 12, 18, 8)),
            ("overdue", "o2", wita(2026, 12, 21, 8)),
            ("overdue", "o3", wita(2026, 12, 22, 8)),
            ("overdue", "o4", wita(2026, 12, 23, 8)),  # 24-28: leave, Christmas, weekend
            ("overdue", "o5", wita(2026, 12, 28, 8)),
        ]
        assert planned[0].dedupe_key == f"dl:{deadline.id}:a{setup.rsud}:v1:h-7"
        # Both focal points of the agency, nobody of another agency.
        assert len(await rows(db, recipient=setup.focal2)) == 9
        assert await rows(db, recipient=setup.other_focal) == []
        escalation = await rows(db, kinds=[deadlines.ESCALATION])
        assert [(r.recipient_id, r.due_at) for r in escalation] == [
            (setup.coordinator, wita(2026, 12, 21, 16))
        ]


async def test_weekend_and_holiday_reminders_move_earlier(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        # Monday 28 December: H-1 is Sunday, H-3 is Christmas, 24 is cuti bersama.
        await make(db, clock, setup, wita(2026, 12, 28, 16))
        planned = await rows(db, recipient=setup.focal, kinds=[deadlines.REMINDER])
        assert [(r.payload["label"], r.due_at) for r in planned] == [
            ("h-7", wita(2026, 12, 21, 8)),
            ("h-1", wita(2026, 12, 23, 8)),  # H-3 and H-1 share Wednesday 23: one reminder
            ("h-0", wita(2026, 12, 28, 8)),
        ]


async def test_quiet_hour_reminders_move_to_the_evening(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        await make(db, clock, setup, wita(2026, 12, 18, 23), hour=21, offsets=(3, 1))
        planned = await rows(db, recipient=setup.focal, kinds=[deadlines.REMINDER])
        assert [r.due_at for r in planned] == [wita(2026, 12, 15, 19), wita(2026, 12, 17, 19)]
        overdue = await rows(db, recipient=setup.focal, kinds=[deadlines.OVERDUE])
        # 21.00 is quiet: overdue reminders go out at 07.00 the next working day instead.
        assert overdue[0].due_at == wita(2026, 12, 22, 7)


async def test_past_moments_are_not_planned_and_the_announcement_comes_now(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        friday = await make(db, clock, setup, wita(2026, 12, 11, 16))  # H-7 is past
        labels = [r.payload["label"] for r in await rows(db, recipient=setup.focal)][:3]
        assert labels == ["h-3", "h-1", "h-0"]
        plan = deadlines.reminder_plan(setup.cal, friday, clock.now())
        assert plan == deadlines.ReminderPlan((7,), wita(2026, 12, 8, 8))
        # Due today at 16.00: every reminder moment (08.00 today and before) has passed. The
        # announcement, due now, says it all: no late reminder besides it.
        today = await make(db, clock, setup, wita(2026, 12, 7, 16), agency_id=setup.setda)
        assert await rows(db, recipient=setup.other_focal, kinds=[deadlines.REMINDER]) == []
        told = await rows(db, recipient=setup.other_focal, kinds=[deadlines.CHANGED])
        assert [(r.payload["change"], r.due_at) for r in told] == [("created", clock.now())]
        assert deadlines.reminder_plan(setup.cal, today, clock.now()).next_at is None
        # A focal point who joins later gets no announcement: one reminder comes now instead.
        await deadlines.plan_for_person(db, clock, setup.cal, setup.other_focal)
        late = await rows(db, recipient=setup.other_focal, kinds=[deadlines.REMINDER])
        assert [(r.payload["label"], r.due_at) for r in late] == [("h-0", clock.now())]


async def test_done_stops_the_rest_for_the_agency(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        deadline = await make(db, clock, setup, wita(2026, 12, 17, 16))
        await deadlines.acknowledge(
            db, clock, deadline.id, setup.rsud, setup.focal, AckStatus.IN_PROGRESS
        )
        assert len(await rows(db, recipient=setup.focal)) == 9  # in progress: they go on
        await deadlines.acknowledge(
            db, clock, deadline.id, setup.rsud, setup.focal, AckStatus.DONE
        )
        assert await rows(db, kinds=deadlines.PLAN_KINDS) == []
        skipped = await rows(db, state=OutboxState.SKIPPED, kinds=deadlines.PLAN_KINDS)
        assert len(skipped) == 9 * 2 + 1  # both focal points and the escalation
        with pytest.raises(NotAllowed):
            await deadlines.acknowledge(
                db, clock, deadline.id, setup.rsud, setup.other_focal, AckStatus.DONE
            )


async def test_a_focal_point_sees_only_their_own_agencys_deadline(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        rsuds = await make(db, clock, setup, wita(2026, 12, 17, 16))
        everyone = await make(db, clock, setup, wita(2026, 12, 18, 16), agency_id=None)
        mine = await deadlines.focal_assignment(db, rsuds.id, setup.rsud, setup.focal)
        assert (mine.deadline.id, mine.agency.name) == (rsuds.id, "RSUD S.K. Lerik")
        shared = await deadlines.focal_assignment(db, everyone.id, setup.setda, setup.other_focal)
        assert shared.agency.name == "Setda"
        refused = [
            (rsuds.id, setup.rsud, setup.other_focal),  # another agency's focal point
            (rsuds.id, setup.setda, setup.other_focal),  # their own agency, not its deadline
            (everyone.id, setup.rsud, setup.other_focal),  # for all, but not as RSUD
        ]
        for deadline_id, agency_id, person_id in refused:
            with pytest.raises(NotAllowed):
                await deadlines.focal_assignment(db, deadline_id, agency_id, person_id)


async def test_edit_replans_only_unsent_rows(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        deadline = await make(db, clock, setup, wita(2026, 12, 17, 16))
        first = (await rows(db, recipient=setup.focal))[0]
        first.state = OutboxState.SENT  # H-7 went out already
        await db.flush()
        await deadlines.edit(
            db, clock, setup.cal, deadline.id, setup.coordinator, due_at=wita(2027, 1, 14, 16)
        )
        assert deadline.version == 2
        pending = await rows(db, recipient=setup.focal)
        assert {r.payload["tag"] for r in pending} == {"v2"}
        assert pending[0].due_at == wita(2027, 1, 7, 8)
        sent = await rows(db, recipient=setup.focal, state=OutboxState.SENT)
        assert [r.id for r in sent] == [first.id]
        changed = await rows(db, kinds=[deadlines.CHANGED])
        assert {r.recipient_id for r in changed} == {setup.focal, setup.focal2}
        assert all(r.due_at == clock.now() for r in changed)


async def test_cancel_skips_everything_and_tells(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        deadline = await make(db, clock, setup, wita(2026, 12, 17, 16), agency_id=None)
        assert len(await rows(db, recipient=setup.other_focal)) == 9  # all agencies
        await deadlines.cancel(db, clock, deadline.id, setup.coordinator)
        assert await rows(db, kinds=deadlines.PLAN_KINDS) == []
        changed = await rows(db, kinds=[deadlines.CHANGED])
        assert {r.recipient_id for r in changed} == {setup.focal, setup.focal2, setup.other_focal}


async def test_extension_approved_moves_only_that_agency(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        deadline = await make(db, clock, setup, wita(2026, 12, 17, 16), agency_id=None)
        request = await deadlines.request_extension(
            db, clock, deadline.id, setup.rsud, setup.focal, wita(2027, 1, 8, 16), "Data belum ada"
        )
        asked = await rows(db, kinds=[deadlines.EXTENSION])
        assert [r.recipient_id for r in asked] == [setup.coordinator]
        decision = await deadlines.decide_extension(
            db, clock, setup.cal, request.id, setup.coordinator, approve=True
        )
        assert decision.request.status == ExtensionStatus.APPROVED
        mine = await rows(db, recipient=setup.focal, kinds=[deadlines.REMINDER])
        assert {r.payload["tag"] for r in mine} == {"v1.1"}
        assert mine[-1].due_at == wita(2027, 1, 8, 8)
        others = await rows(db, recipient=setup.other_focal, kinds=[deadlines.REMINDER])
        assert others[-1].due_at == wita(2026, 12, 17, 8)
        told = await rows(db, kinds=[deadlines.EXTENSION_DECIDED])
        assert {r.recipient_id for r in told} == {setup.focal, setup.focal2}
        # A second decision changes nothing.
        again = await deadlines.decide_extension(
            db, clock, setup.cal, request.id, setup.coordinator, approve=False
        )
        assert again.request.status == ExtensionStatus.APPROVED


async def test_new_focal_point_gets_the_open_plan(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        await make(db, clock, setup, wita(2026, 12, 17, 16))
        newcomer = await people.register(db, clock, 7010, "Ibu Sari", [Role.FOCAL])
        await agencies.add_member(db, clock, setup.rsud, newcomer.id)
        clock.advance(days=4)  # Friday 11 December: H-7 has passed
        count = await deadlines.plan_for_person(db, clock, setup.cal, newcomer.id)
        planned = await rows(db, recipient=newcomer.id)
        assert len(planned) == 8
        assert count == 8 + 1  # and the escalation, re-timed (already planned)
        assert planned[0].payload["label"] == "h-3"


async def test_catch_up_skips_the_older_reminder(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        await make(db, clock, setup, wita(2026, 12, 17, 16))
        h7, h3 = (await rows(db, recipient=setup.focal))[:2]
        clock.set(wita(2026, 12, 14, 9))  # the bot was down across H-7 and H-3
        assert await deadlines.superseded(db, h7, clock.now())
        assert not await deadlines.superseded(db, h3, clock.now())


async def test_csv_import_rejects_the_whole_file(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    bad = (
        "agency,title,due,description,recurrence\n"
        "RSUD S.K. Lerik,Laporan triwulan,10-12-2026 16.00,,triwulan\n"
        "Dinas Entah,Dokumen,11-12-2026,,\n"
        ",Swa-penilaian,01-01-2020,,\n"
        "Setda,,11-12-2026,,\n"
        "Setda,Rapat,31-02-2027,,\n"
        "Setda,Rapat,11-12-2026,,kadang\n"
    )
    async with sessions() as db, db.begin():
        result = await deadlines.import_csv(db, clock, setup.cal, bad)
        assert [(r.line, r.problem) for r in result.rejected] == [
            (3, RowProblem.AGENCY),
            (4, RowProblem.DUE_PAST),
            (5, RowProblem.TITLE),
            (6, RowProblem.DUE),
            (7, RowProblem.RECURRENCE),
        ]
        assert result.created == []
        assert (await db.scalars(select(Deadline))).all() == []
        good = (
            "agency,title,due\n"
            "RSUD S.K. Lerik,Laporan,10-12-2026 16.00\n"
            ",Swa-penilaian,10/12/2026\n"
        )
        result = await deadlines.import_csv(db, clock, setup.cal, good)
        assert [d.agency_id for d in result.created] == [setup.rsud, None]
        assert result.created[1].due_at == wita(2026, 12, 10, 16)


# --- recurring series --------------------------------------------------------------------


async def series(db: AsyncSession, first: Deadline) -> list[Deadline]:
    found = await db.scalars(
        select(Deadline).where(Deadline.series_id == first.id).order_by(Deadline.occurrence)
    )
    return list(found.all())


async def test_series_rolls_forward_when_the_due_moment_passes(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        # Thursday 31 December 2026, 14.30 WITA, every month.
        first = await make(
            db, clock, setup, wita(2026, 12, 31, 14, 30), recurrence=Recurrence.MONTHLY
        )
        assert (first.series_id, first.occurrence) == (first.id, 1)
        assert await deadlines.roll_forward(db, clock, setup.cal) == []  # not yet
        clock.set(wita(2026, 12, 31, 14, 31))
        [second] = await deadlines.roll_forward(db, clock, setup.cal)
        # The last day of the month, at the same WITA time.
        assert (second.due_at, second.occurrence) == (wita(2027, 1, 31, 14, 30), 2)
        assert (second.series_id, second.previous_id) == (first.id, first.id)
        assert second.title == first.title
        assert second.agency_id == setup.rsud
        # Its own reminder plan, for both focal points of the agency.
        mine = await rows(db, recipient=setup.focal, kinds=[deadlines.REMINDER])
        assert [r.due_at for r in mine if r.payload["deadline_id"] == second.id] == [
            wita(2027, 1, 22, 8),  # H-7 is Sunday 24: Friday 22
            wita(2027, 1, 28, 8),
            wita(2027, 1, 29, 8),  # H-1 is Saturday 30: Friday 29
        ]
        # Idempotent: a second run (or a second process later) creates nothing.
        assert await deadlines.roll_forward(db, clock, setup.cal) == []
        clock.set(wita(2027, 1, 31, 15))
        [third] = await deadlines.roll_forward(db, clock, setup.cal)
        assert third.due_at == wita(2027, 2, 28, 14, 30)
        clock.set(wita(2027, 2, 28, 15))
        [fourth] = await deadlines.roll_forward(db, clock, setup.cal)
        assert fourth.due_at == wita(2027, 3, 31, 14, 30)  # from the series: not 28 March
        assert [d.occurrence for d in await series(db, first)] == [1, 2, 3, 4]


async def test_series_rolls_forward_when_every_agency_is_done(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        first = await make(
            db,
            clock,
            setup,
            wita(2026, 12, 17, 16),
            agency_id=None,
            recurrence=Recurrence.QUARTERLY,
        )
        await deadlines.acknowledge(
            db, clock, first.id, setup.rsud, setup.focal, AckStatus.DONE, cal=setup.cal
        )
        assert await deadlines.roll_forward(db, clock, setup.cal) == []  # Setda not yet
        # The periodic roll is not needed: the last "done" creates the next one at once.
        await deadlines.acknowledge(
            db, clock, first.id, setup.setda, setup.other_focal, AckStatus.DONE, cal=setup.cal
        )
        [_, second] = await series(db, first)
        assert second.due_at == wita(2027, 3, 17, 16)
        assert await deadlines.roll_forward(db, clock, setup.cal) == []
        # The focal point's list shows the next one instead of the done one.
        [shown] = await deadlines.for_focal_point(db, setup.focal)
        assert shown.deadline.id == second.id
        assert [v.deadline.id for v in await deadlines.overview(db)] == [second.id]


async def test_next_occurrence_is_created_once(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        first = await make(db, clock, setup, wita(2026, 12, 17, 16), recurrence=Recurrence.YEARLY)
        made = await deadlines.create_next(db, clock, setup.cal, first)
        assert made is not None
        assert made.due_at == wita(2027, 12, 17, 16)
        # Another process that missed it tries again: the unique constraint stops it.
        assert await deadlines.create_next(db, clock, setup.cal, first) is None
        assert len(await series(db, first)) == 2
        planned = await rows(db, kinds=deadlines.PLAN_KINDS)
        assert len({(r.recipient_id, r.dedupe_key) for r in planned}) == len(planned)
        assert {r.payload["deadline_id"] for r in planned} == {first.id, made.id}


async def test_series_skips_occurrences_missed_while_stopped(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        first = await make(db, clock, setup, wita(2026, 12, 10, 16), recurrence=Recurrence.MONTHLY)
        clock.set(wita(2027, 3, 1, 9))  # nothing ran for almost three months
        [following] = await deadlines.roll_forward(db, clock, setup.cal)
        assert (following.occurrence, following.due_at) == (4, wita(2027, 3, 10, 16))
        # A cancelled occurrence ends the series.
        await deadlines.cancel(db, clock, following.id, setup.coordinator)
        clock.set(wita(2027, 5, 1, 9))
        assert await deadlines.roll_forward(db, clock, setup.cal) == []
        assert len(await series(db, first)) == 2


async def test_a_deadline_that_does_not_recur_never_rolls(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        once = await make(db, clock, setup, wita(2026, 12, 10, 16))
        assert once.series_id is None
        clock.set(wita(2027, 1, 10, 9))
        assert await deadlines.roll_forward(db, clock, setup.cal) == []
        assert await deadlines.create_next(db, clock, setup.cal, once) is None


async def test_csv_import_reads_hour_and_offsets(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    text = (
        "agency,title,due,description,recurrence,hour,offsets\n"
        'RSUD S.K. Lerik,Laporan,17-12-2026 16.00,,,09.00,"5,2,0"\n'
        "Setda,Dokumen,17-12-2026 16.00,,bulanan,,\n"
    )
    bad = (
        "agency,title,due,hour,offsets\n"
        "Setda,Dokumen,17-12-2026,21.00,\n"
        "Setda,Dokumen,17-12-2026,,61\n"
        'Setda,Dokumen,17-12-2026,,"7,6,5,4,3,2,1"\n'
        "Setda,Dokumen,17-12-2026,pagi,\n"
        "Setda,Dokumen,17-12-2026,07.30,7;3;0\n"
    )
    async with sessions() as db, db.begin():
        result = await deadlines.import_csv(db, clock, setup.cal, bad)
        assert [(r.line, r.problem, r.value) for r in result.rejected] == [
            (2, RowProblem.HOUR, "21.00"),
            (3, RowProblem.OFFSETS, "61"),
            (4, RowProblem.OFFSETS, "7,6,5,4,3,2,1"),
            (5, RowProblem.HOUR, "pagi"),
        ]
        result = await deadlines.import_csv(db, clock, setup.cal, text)
        first, second = result.created
        assert (first.reminder_days, first.reminder_hour, first.reminder_minute) == ("5,2,0", 9, 0)
        assert (second.reminder_days, second.reminder_hour) == ("7,3,1,0", 8)
        assert second.recurrence == Recurrence.MONTHLY
        mine = await rows(db, recipient=setup.focal, kinds=[deadlines.REMINDER])
        assert [r.due_at for r in mine] == [
            wita(2026, 12, 11, 9),  # H-5 is Saturday 12: Friday 11
            wita(2026, 12, 15, 9),
            wita(2026, 12, 17, 9),
        ]


async def test_two_processes_rolling_at_once_create_one_occurrence(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, setup: Setup
) -> None:
    async with sessions() as db, db.begin():
        first = await make(db, clock, setup, wita(2026, 12, 10, 16), recurrence=Recurrence.MONTHLY)
    clock.set(wita(2026, 12, 10, 17))

    async def roll() -> int:
        async with sessions() as db, db.begin():
            return len(await deadlines.roll_forward(db, clock, setup.cal))

    assert sorted(await asyncio.gather(roll(), roll(), roll())) == [0, 0, 1]
    async with sessions() as db:
        assert [d.occurrence for d in await series(db, first)] == [1, 2]
