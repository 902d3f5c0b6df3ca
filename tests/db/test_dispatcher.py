"""The outbox dispatcher on real databases, sending to the local Bot API server."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot import dispatcher
from bot.clock import FakeClock
from bot.compose import KINDS, Kind
from bot.content import DEFAULT_CONTENT_ROOT, Content, load_content
from bot.context import Deps
from bot.dispatcher import (
    BACKOFF,
    LEASE,
    DispatchReport,
    Pacer,
    claim_due,
    expire_leases,
    unreachable_people,
)
from bot.dispatcher.passes import _Ledger
from bot.dispatcher.rows import Expired, mark_sending, settle
from bot.i18n import I18n, Translator
from bot.localapi import LocalBotApi
from bot.render import Reply
from bot.render.text import plain
from bot.services import outbox, people
from bot.services.outbox import Payload
from bot.settings import load_settings
from db.models import OutboxMessage, OutboxState, Person
from db.session import create_engine, create_session_factory

TOKEN = "515151:dispatcher-test"
KIND = "test_db_note"
_user_ids = itertools.count(700_001)


class Note(Payload):
    """The test kind's payload."""

    KINDS = (KIND,)

    text: str
    pointless: bool = False
    subject: str | None = None


async def _compose_note(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, note: Note
) -> Reply | None:
    """The test kind: the payload's text; None when the payload says it became pointless."""
    if note.pointless:
        return None
    late = " (terlambat)" if row.late else ""
    return Reply(plain(f"{note.text}{late}"))


PROBE = "test_db_probe"


class Probe(Payload):
    """A kind whose composer reads the database, with a broken statement when asked."""

    KINDS = (PROBE,)

    broken: bool = False


async def _compose_probe(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, probe: Probe
) -> Reply:
    if probe.broken:  # PostgreSQL then refuses every later statement of the transaction
        await db.execute(text("SELECT no_such_column FROM person"))
    people_known = await db.scalar(select(func.count()).select_from(Person))
    return Reply(plain(f"Probe {bool(people_known)}"))


# The bot's table and the test kinds.
NOTES = {**KINDS, KIND: Kind(Note, _compose_note), PROBE: Kind(Probe, _compose_probe)}


async def dispatch_once(deps: Deps, bot: Bot, **options: Any) -> DispatchReport:
    """A dispatcher pass that knows the test kind."""
    return await dispatcher.dispatch_once(deps, bot, kinds=NOTES, **options)


@cache
def _content() -> Content:
    return load_content(DEFAULT_CONTENT_ROOT)


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert server.violations == []


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    made = ExtBot(TOKEN, base_url=api.base_url, defaults=Defaults(parse_mode=ParseMode.HTML))
    await made.initialize()
    try:
        yield made
    finally:
        await made.shutdown()


def _deps(
    database_url: str, api: LocalBotApi, engine: AsyncEngine, clock: FakeClock, rate: float = 1000
) -> Deps:
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=database_url,
        BOT_MAX_SENDS_PER_SECOND=rate,
    )
    return Deps(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock,
        i18n=I18n(settings.timezone),
        content=_content(),
    )


@pytest.fixture
def deps(database_url: str, api: LocalBotApi, engine: AsyncEngine, clock: FakeClock) -> Deps:
    return _deps(database_url, api, engine, clock)


async def _people(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, api: LocalBotApi, n: int
) -> list[tuple[int, int]]:
    """n people known to the bot and to the server: (person id, telegram id)."""
    telegram_ids = [next(_user_ids) for _ in range(n)]
    for tid in telegram_ids:
        api.add_chat_user(tid, f"Ibu {tid}")
    async with sessions() as db, db.begin():
        await db.execute(
            insert(Person),
            [
                {
                    "telegram_id": t,
                    "full_name": f"Ibu {t}",
                    "locale": "id",
                    "created_at": clock.now(),
                }
                for t in telegram_ids
            ],
        )
        found = await db.execute(
            select(Person.id, Person.telegram_id).where(Person.telegram_id.in_(telegram_ids))
        )
        pairs = {tid: pid for pid, tid in found.all()}
    return [(pairs[t], t) for t in telegram_ids]


async def _plan(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    person_id: int,
    key: str,
    due_in: timedelta = timedelta(0),
    **payload: Any,
) -> int:
    async with sessions() as db, db.begin():
        row = await outbox.plan(
            db,
            clock,
            kind=KIND,
            recipient_id=person_id,
            dedupe_key=key,
            due_at=clock.now() + due_in,
            payload=Note(text=f"Pesan {key}", **payload),
        )
        return row.id


async def _row(sessions: async_sessionmaker[AsyncSession], row_id: int) -> OutboxMessage:
    async with sessions() as db:
        row = await db.get(OutboxMessage, row_id)
        assert row is not None
        return row


def _texts(api: LocalBotApi, chat_id: int) -> list[str]:
    return [m.text for m in api.chat_messages(chat_id)]


# --- claiming -------------------------------------------------------------------------------


async def test_claim_takes_due_rows_oldest_first_up_to_the_limit(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, api: LocalBotApi
) -> None:
    [(pid, _)] = await _people(sessions, clock, api, 1)
    late = await _plan(sessions, clock, pid, "c", -timedelta(minutes=1))
    oldest = await _plan(sessions, clock, pid, "a", -timedelta(hours=3))
    middle = await _plan(sessions, clock, pid, "b", -timedelta(hours=2))
    future = await _plan(sessions, clock, pid, "d", timedelta(minutes=1))

    async with sessions() as db, db.begin():
        first = await claim_due(db, clock, "w1", 2)
    async with sessions() as db, db.begin():
        second = await claim_due(db, clock, "w1", 2)
    async with sessions() as db, db.begin():
        third = await claim_due(db, clock, "w1", 2)

    assert (first, second, third) == ([oldest, middle], [late], [])
    claimed = await _row(sessions, oldest)
    assert (claimed.state, claimed.attempts, claimed.claimed_by) == (OutboxState.CLAIMED, 1, "w1")
    assert claimed.claimed_at == clock.now()
    assert claimed.late is True  # three hours after its due time
    assert (await _row(sessions, late)).late is False
    assert (await _row(sessions, future)).state is OutboxState.PENDING


async def test_two_claimers_on_two_engines_take_every_row_exactly_once(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
) -> None:
    pairs = await _people(sessions, clock, api, 1)
    for i in range(300):
        await _plan(sessions, clock, pairs[0][0], f"r{i}", -timedelta(seconds=i % 17))
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        factories = [create_session_factory(e) for e in engines]
        taken: dict[str, list[int]] = {}

        async def claimer(name: str, factory: async_sessionmaker[AsyncSession]) -> None:
            mine = taken.setdefault(name, [])
            while True:
                async with factory() as db, db.begin():
                    ids = await claim_due(db, clock, name, 7)
                if not ids:
                    return
                mine.extend(ids)
                await asyncio.sleep(0)

        await asyncio.gather(
            *(claimer(f"w{i}", factories[i % 2]) for i in range(6))  # three per engine
        )
    finally:
        for e in engines:
            await e.dispose()
    every = [row_id for ids in taken.values() for row_id in ids]
    assert len(every) == 300
    assert len(set(every)) == 300
    assert sum(1 for ids in taken.values() if ids) >= 2  # they really raced
    async with sessions() as db:
        owners = dict((await db.execute(select(OutboxMessage.id, OutboxMessage.claimed_by))).all())
    for name, ids in taken.items():
        assert all(owners[row_id] == name for row_id in ids)


async def test_two_dispatchers_racing_send_every_row_once(
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
) -> None:
    pairs = await _people(sessions, clock, api, 300)
    async with sessions() as db, db.begin():
        await db.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": KIND,
                    "recipient_id": pid,
                    "dedupe_key": "race",
                    "payload": {"text": f"Halo {tid}"},
                    "due_at": clock.now() - timedelta(seconds=pid % 11),
                    "state": OutboxState.PENDING,
                    "attempts": 0,
                    "created_at": clock.now(),
                }
                for pid, tid in pairs
            ],
        )
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        passes = [
            dispatch_once(
                _deps(database_url, api, engines[i % 2], clock), bot, worker_id=f"w{i}", limit=25
            )
            for i in range(4)
        ]
        reports = await asyncio.gather(*passes)
    finally:
        for e in engines:
            await e.dispose()
    assert sum(r.claimed for r in reports) == 300
    assert sum(r.sent for r in reports) == 300
    assert sum(1 for r in reports if r.sent) >= 2
    for _, tid in pairs:
        assert _texts(api, tid) == [f"Halo {tid}"]
    async with sessions() as db:
        states = (
            await db.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            )
        ).all()
    assert dict(states) == {OutboxState.SENT: 300}


async def test_expired_lease_gives_back_a_row_never_tried(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    row_id = await _plan(sessions, clock, pid, "crash")
    async with sessions() as db, db.begin():  # a process claims, then dies before sending
        assert await claim_due(db, clock, "dead:1:abc", 10) == [row_id]

    clock.advance(LEASE - timedelta(seconds=1))
    async with sessions() as db, db.begin():
        assert await expire_leases(db, clock) == Expired(0, 0)
    assert (await _row(sessions, row_id)).state is OutboxState.CLAIMED
    clock.advance(seconds=2)
    report = await dispatch_once(deps, bot, worker_id="alive:2:def")

    assert (report.released, report.unknown, report.claimed, report.sent) == (1, 0, 1, 1)
    row = await _row(sessions, row_id)
    assert (row.state, row.attempts, row.claimed_by) == (OutboxState.SENT, 1, "alive:2:def")
    clock.advance(hours=1)
    assert (await dispatch_once(deps, bot, worker_id="alive:2:def")).claimed == 0
    assert _texts(api, tid) == ["Pesan crash"]


async def test_expired_lease_of_a_started_send_is_unknown_and_never_resent(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    row_id = await _plan(sessions, clock, pid, "crash")
    async with sessions() as db, db.begin():  # a process claims, starts sending, then dies
        assert await claim_due(db, clock, "dead:1:abc", 10) == [row_id]
    async with sessions() as db, db.begin():
        assert await mark_sending(db, "dead:1:abc", [row_id]) == {row_id}

    clock.advance(LEASE + timedelta(seconds=1))
    report = await dispatch_once(deps, bot, worker_id="alive:2:def")

    assert (report.unknown, report.released, report.claimed, report.sent) == (1, 0, 0, 0)
    row = await _row(sessions, row_id)
    assert (row.state, row.claimed_by) == (OutboxState.UNKNOWN, "dead:1:abc")
    assert row.error is not None
    assert "stopped" in row.error
    clock.advance(hours=1)
    assert (await dispatch_once(deps, bot, worker_id="alive:2:def")).claimed == 0
    assert _texts(api, tid) == []


async def test_a_row_taken_from_a_slow_worker_is_not_sent_by_it(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
) -> None:
    [(pid, _)] = await _people(sessions, clock, api, 1)
    row_id = await _plan(sessions, clock, pid, "slow")
    async with sessions() as db, db.begin():
        assert await claim_due(db, clock, "slow:1:abc", 10) == [row_id]
    clock.advance(LEASE + timedelta(seconds=1))
    async with sessions() as db, db.begin():  # another process gives it back, then claims it
        assert await expire_leases(db, clock) == Expired(1, 0)
        assert await claim_due(db, clock, "other:2:def", 10) == [row_id]

    async with sessions() as db, db.begin():  # the slow one reaches its send: not its row
        assert await mark_sending(db, "slow:1:abc", [row_id]) == set()
    async with sessions() as db, db.begin():
        assert await mark_sending(db, "other:2:def", [row_id]) == {row_id}


async def test_marks_gathered_together_are_written_before_any_send_or_not_at_all(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, api: LocalBotApi
) -> None:
    pairs = await _people(sessions, clock, api, 4)
    for pid, _ in pairs:
        await _plan(sessions, clock, pid, "mark")
    async with sessions() as db, db.begin():
        first, second, third, fourth = await claim_due(db, clock, "w", 10)
    ledger = _Ledger(sessions, clock, "w", DispatchReport())

    # Asked for together: one write, and each sender learns its row is marked.
    assert list(await asyncio.gather(ledger.mark(first), ledger.mark(second))) == [True, True]
    assert (await _row(sessions, first)).state is OutboxState.SENDING
    assert (await _row(sessions, second)).state is OutboxState.SENDING

    # A group cancelled while it gathers: nothing of it is marked, so nothing counts as tried.
    leader = asyncio.create_task(ledger.mark(third))
    follower = asyncio.create_task(ledger.mark(fourth))
    for _ in range(10):  # a few turns of the loop: both wait for the group's write
        await asyncio.sleep(0)
    assert set(ledger.marks) == {third, fourth}
    leader.cancel()
    for task in (leader, follower):
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (await _row(sessions, third)).state is OutboxState.CLAIMED
    assert (await _row(sessions, fourth)).state is OutboxState.CLAIMED
    async with sessions() as db, db.begin():
        assert await settle(db, "w", [third, fourth]) == (2, 0)  # pending again, untried


async def test_a_cancelled_pass_gives_back_what_it_never_tried(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    database_url: str,
    engine: AsyncEngine,
) -> None:
    pairs = await _people(sessions, clock, api, 12)
    ids = [await _plan(sessions, clock, pid, "batch") for pid, _ in pairs]
    slow = _deps(database_url, api, engine, clock, rate=4)  # three seconds for the batch

    running = asyncio.create_task(dispatch_once(slow, bot, worker_id="w", pacer=Pacer(4)))
    assert await api.wait_for_activity(5)  # the first message went out; the next in 0.25 s
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    async with sessions() as db:
        states = dict((await db.execute(select(OutboxMessage.id, OutboxMessage.state))).all())
    held = [OutboxState.CLAIMED, OutboxState.SENDING]
    assert not [i for i in ids if states[i] in held]  # nothing stays held by the pass
    tried = [i for i in ids if states[i] is not OutboxState.PENDING]
    assert [states[i] for i in tried] == [OutboxState.SENT]  # its outcome was kept
    report = await dispatch_once(slow, bot, worker_id="w2", pacer=Pacer(1000))
    assert (report.claimed, report.sent) == (11, 11)  # the untried rows, at once
    assert [len(_texts(api, tid)) for _, tid in pairs] == [1] * 12  # each exactly once


async def test_the_same_reminder_cannot_be_planned_twice(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, api: LocalBotApi
) -> None:
    [(pid, _)] = await _people(sessions, clock, api, 1)
    first = await _plan(sessions, clock, pid, "h-7")
    assert await _plan(sessions, clock, pid, "h-7", timedelta(hours=1)) == first
    with pytest.raises(IntegrityError):
        async with sessions() as db, db.begin():
            db.add(
                OutboxMessage(
                    kind=KIND,
                    recipient_id=pid,
                    dedupe_key="h-7",
                    payload={},
                    due_at=clock.now(),
                    created_at=clock.now(),
                )
            )
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 1


# --- sending and outcomes -------------------------------------------------------------------


async def test_due_row_is_sent_once_with_its_message_id(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    now_id = await _plan(sessions, clock, pid, "now")
    later_id = await _plan(sessions, clock, pid, "later", timedelta(hours=2))

    report = await dispatch_once(deps, bot, worker_id="w")
    again = await dispatch_once(deps, bot, worker_id="w")

    assert (report.claimed, report.sent, again.claimed) == (1, 1, 0)
    row = await _row(sessions, now_id)
    [message] = api.chat_messages(tid)
    assert (row.state, row.sent_at, row.telegram_message_id, row.error) == (
        OutboxState.SENT,
        clock.now(),
        message.message_id,
        None,
    )
    assert message.text == "Pesan now"
    assert (await _row(sessions, later_id)).state is OutboxState.PENDING


async def test_unreachable_person_gets_nothing_and_is_listed(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    (gone_pid, gone_tid), (ok_pid, ok_tid), (known_pid, _) = await _people(sessions, clock, api, 3)
    api.user_blocks_bot(gone_tid)
    async with sessions() as db, db.begin():
        await people.mark_unreachable(db, clock, known_pid)
    first = await _plan(sessions, clock, gone_pid, "a")
    ok = await _plan(sessions, clock, ok_pid, "a")
    known = await _plan(sessions, clock, known_pid, "a")

    report = await dispatch_once(deps, bot, worker_id="w")

    assert (report.sent, report.blocked) == (1, 2)
    assert (await _row(sessions, ok)).state is OutboxState.SENT
    assert _texts(api, ok_tid) == ["Pesan a"]
    blocked = await _row(sessions, first)
    assert blocked.state is OutboxState.BLOCKED
    assert blocked.error is not None
    assert "Forbidden" in blocked.error
    assert (await _row(sessions, known)).state is OutboxState.BLOCKED
    # The 403 marked the person unreachable: their next row is not even tried.
    later = await _plan(sessions, clock, gone_pid, "b")
    calls = len(api.calls)
    await dispatch_once(deps, bot, worker_id="w")
    assert (await _row(sessions, later)).state is OutboxState.BLOCKED
    assert len(api.calls) == calls
    async with sessions() as db:
        listed = [p.id for p in await unreachable_people(db)]
    assert sorted(listed) == sorted([gone_pid, known_pid])


async def test_pointless_row_is_skipped_unknown_kind_and_bad_payload_fail(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    pointless = await _plan(sessions, clock, pid, "p", pointless=True)
    async with sessions() as db, db.begin():  # rows written by another version of the bot
        stray, broken = (
            OutboxMessage(
                kind=kind,
                recipient_id=pid,
                dedupe_key="x",
                payload=payload,
                due_at=clock.now(),
                created_at=clock.now(),
            )
            for kind, payload in (("no_such_kind", {}), (KIND, {"words": "Halo"}))
        )
        db.add_all([stray, broken])

    report = await dispatch_once(deps, bot, worker_id="w")

    assert (report.skipped, report.failed, report.sent) == (1, 2, 0)
    assert (await _row(sessions, pointless)).state is OutboxState.SKIPPED
    failed = await _row(sessions, stray.id)
    assert (failed.state, failed.error) == (
        OutboxState.FAILED,
        "no composer for kind 'no_such_kind'",
    )
    refused = await _row(sessions, broken.id)
    assert refused.state is OutboxState.FAILED
    assert refused.error is not None
    assert refused.error.startswith("payload is not a Note")
    assert _texts(api, tid) == []


async def test_a_failing_composer_fails_its_row_and_the_rows_after_it_still_go(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    pairs = await _people(sessions, clock, api, 3)
    ids = []
    for (pid, _), broken in zip(pairs, (True, False, False), strict=True):
        async with sessions() as db, db.begin():  # one chunk, the broken row first
            planned = await outbox.plan(
                db,
                clock,
                kind=PROBE,
                recipient_id=pid,
                dedupe_key="probe",
                due_at=clock.now(),
                payload=Probe(broken=broken),
            )
            ids.append(planned.id)

    report = await dispatch_once(deps, bot, worker_id="w")

    assert (report.failed, report.sent) == (1, 2)
    failed = await _row(sessions, ids[0])
    assert failed.state is OutboxState.FAILED
    assert failed.error is not None
    assert failed.error.startswith("composer failed")
    assert [_texts(api, tid) for _, tid in pairs] == [[], ["Probe True"], ["Probe True"]]


async def test_a_payload_of_another_kind_is_refused_when_planned(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, api: LocalBotApi
) -> None:
    [(pid, _)] = await _people(sessions, clock, api, 1)
    async with sessions() as db, db.begin():
        with pytest.raises(ValueError, match="not the payload of kind 'nudge'"):
            await outbox.plan(
                db,
                clock,
                kind="nudge",
                recipient_id=pid,
                dedupe_key="x",
                due_at=clock.now(),
                payload=Note(text="Halo"),
            )
    with pytest.raises(ValidationError):
        Note(text="Halo", words="extra")  # type: ignore[call-arg]  # what the test is about


async def test_catch_up_sends_only_the_newest_on_one_subject_and_marks_it_late(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    h7 = await _plan(sessions, clock, pid, "h-7", timedelta(hours=1), subject="deadline:4")
    h3 = await _plan(sessions, clock, pid, "h-3", timedelta(hours=2), subject="deadline:4")
    other = await _plan(sessions, clock, pid, "x", timedelta(hours=3), subject="deadline:5")
    plain = await _plan(sessions, clock, pid, "y", timedelta(hours=4))

    clock.advance(hours=6)  # the bot was down: everything is due at once
    report = await dispatch_once(deps, bot, worker_id="w")

    assert (report.sent, report.skipped) == (3, 1)
    skipped = await _row(sessions, h7)
    assert skipped.state is OutboxState.SKIPPED
    assert skipped.error == f"made pointless by a later message ({h3})"
    assert [(await _row(sessions, i)).state for i in (h3, other, plain)] == [OutboxState.SENT] * 3
    assert _texts(api, tid) == [
        "Pesan h-3 (terlambat)",
        "Pesan x (terlambat)",
        "Pesan y (terlambat)",
    ]


async def test_no_connection_is_retried_with_backoff_then_sent(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
    deps: Deps,
) -> None:
    [(pid, tid)] = await _people(sessions, clock, api, 1)
    row_id = await _plan(sessions, clock, pid, "net")
    await api.stop()  # Telegram cannot be reached: nothing went out
    try:
        report = await dispatch_once(deps, bot, worker_id="w")
    finally:
        await api.start()

    assert report.retried == 1
    row = await _row(sessions, row_id)
    assert (row.state, row.attempts, row.due_at) == (
        OutboxState.PENDING,
        1,
        clock.now() + BACKOFF[0],
    )
    assert row.error is not None
    assert "NetworkError" in row.error
    clock.advance(BACKOFF[0])
    assert (await dispatch_once(deps, bot, worker_id="w")).sent == 1
    row = await _row(sessions, row_id)
    assert (row.state, row.attempts, row.error) == (OutboxState.SENT, 2, None)
    assert _texts(api, tid) == ["Pesan net"]


async def test_sends_are_paced_overall_and_per_person(
    database_url: str,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    api: LocalBotApi,
    bot: Bot,
) -> None:
    rate = 40.0
    pairs = await _people(sessions, clock, api, 20)
    for pid, _ in pairs:
        await _plan(sessions, clock, pid, "one")
    lone_pid, lone_tid = pairs[0]
    for key in ("two", "three"):
        await _plan(sessions, clock, lone_pid, key)
    loop = asyncio.get_running_loop()
    started = loop.time()
    report = await dispatch_once(
        _deps(database_url, api, engine, clock, rate), bot, worker_id="w", pacer=Pacer(rate)
    )
    elapsed = loop.time() - started

    assert report.sent == 22
    # 22 sends evenly spaced at 40 a second take at least 21/40 s; one person's three
    # messages come a second apart, so the pass lasts at least two seconds.
    assert elapsed >= 2.0
    assert _texts(api, lone_tid) == ["Pesan one", "Pesan two", "Pesan three"]
    pacer = Pacer(rate)
    started = loop.time()
    await asyncio.gather(*(pacer.slot(tid) for _, tid in pairs))
    assert loop.time() - started >= (len(pairs) - 1) / rate - 0.01
