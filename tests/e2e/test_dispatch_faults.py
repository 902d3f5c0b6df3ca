"""Messages sent later reach people through Telegram's failures: nothing lost, nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.compose import KINDS, Kind
from bot.context import Deps
from bot.dispatcher import BACKOFF, MAX_ATTEMPTS, runner_of, unreachable_people
from bot.i18n import Translator
from bot.render import Reply
from bot.render.text import plain
from bot.services import outbox, people
from bot.services.outbox import Payload
from db.models import OutboxMessage, OutboxState
from tests.support.people import Person
from tests.support.world import World

KIND = "test_note"


class Note(Payload):
    """The test kind's payload."""

    KINDS = (KIND,)

    text: str


async def _compose_note(
    db: AsyncSession, deps: Deps, tr: Translator, row: OutboxMessage, note: Note
) -> Reply | None:
    """The test kind: says the payload's text."""
    return Reply(plain(note.text))


@pytest.fixture(autouse=True)
def _notes(world: World) -> None:
    """The running bot's dispatcher knows the test kind besides its own."""
    _teach(world)


def _teach(world: World) -> None:
    runner_of(world.deps).kinds = {**KINDS, KIND: Kind(Note, _compose_note)}


async def _known(world: World, name: str) -> tuple[Person, int]:
    """Someone who has talked to the bot (a coordinator: known from the first message)."""
    person = world.coordinator(name)
    await person.send("/start")
    async with world.sessions() as db:
        found = await people.find_by_telegram_id(db, person.user_id)
        assert found is not None
        return person, found.id


async def _plan(world: World, person_id: int, text: str, due_in: timedelta = timedelta(0)) -> int:
    async with world.sessions() as db, db.begin():
        row = await outbox.plan(
            db,
            world.clock,
            kind=KIND,
            recipient_id=person_id,
            dedupe_key=text,
            due_at=world.clock.now() + due_in,
            payload=Note(text=text),
        )
        return row.id


async def _row(world: World, row_id: int) -> OutboxMessage:
    async with world.sessions() as db:
        row = await db.get(OutboxMessage, row_id)
        assert row is not None
        return row


def _received(person: Person, text: str) -> int:
    return sum(1 for m in person.messages if m.text == text)


async def test_message_arrives_when_its_moment_comes(world: World) -> None:
    maria, pid = await _known(world, "Maria")
    row_id = await _plan(world, pid, "Tenggat laporan besok.", timedelta(hours=2))

    early = await world.advance(hours=1, minutes=59)
    assert early.sent == 0
    assert _received(maria, "Tenggat laporan besok.") == 0

    report = await world.advance(minutes=1)
    assert report.sent == 1
    assert maria.last.text == "Tenggat laporan besok."
    row = await _row(world, row_id)
    assert (row.state, row.telegram_message_id, row.late) == (
        OutboxState.SENT,
        maria.last.message_id,
        False,
    )


async def test_flood_limit_puts_the_row_back_and_sends_it_once_later(world: World) -> None:
    maria, pid = await _known(world, "Maria")
    world.api.faults.add(method="sendMessage", kind="429", retry_after=1, chat_id=maria.user_id)
    row_id = await _plan(world, pid, "Pengingat H-3")

    first = await world.tick()
    assert (first.claimed, first.retried, first.sent) == (1, 1, 0)
    row = await _row(world, row_id)
    assert (row.state, row.attempts) == (OutboxState.PENDING, 0)  # a 429 is not the row's fault
    assert row.due_at == world.clock.now() + timedelta(seconds=1)
    assert _received(maria, "Pengingat H-3") == 0

    second = await world.advance(seconds=1)
    assert second.sent == 1
    assert _received(maria, "Pengingat H-3") == 1
    assert (await world.advance(hours=1)).claimed == 0
    assert _received(maria, "Pengingat H-3") == 1


async def test_blocked_bot_marks_the_row_and_the_person_unreachable(world: World) -> None:
    maria, pid = await _known(world, "Maria")
    world.api.faults.add(method="sendMessage", kind="403", chat_id=maria.user_id)
    row_id = await _plan(world, pid, "Pengingat H-1")

    report = await world.tick()

    assert report.blocked == 1
    row = await _row(world, row_id)
    assert row.state is OutboxState.BLOCKED
    assert row.error is not None
    assert "blocked" in row.error
    async with world.sessions() as db:
        assert [p.id for p in await unreachable_people(db)] == [pid]
    # Writing to the bot again makes the person reachable; new messages reach them.
    await maria.send("/start")
    async with world.sessions() as db:
        assert list(await unreachable_people(db)) == []
    await _plan(world, pid, "Pengingat hari H")
    assert (await world.tick()).sent == 1
    assert _received(maria, "Pengingat hari H") == 1
    assert _received(maria, "Pengingat H-1") == 0


async def test_server_error_is_retried_with_backoff_then_sent(world: World) -> None:
    maria, pid = await _known(world, "Maria")
    world.api.faults.add(method="sendMessage", kind="500", count=2, chat_id=maria.user_id)
    row_id = await _plan(world, pid, "Unggah dokumen")

    assert (await world.tick()).retried == 1
    assert (await _row(world, row_id)).due_at == world.clock.now() + BACKOFF[0]
    assert (await world.advance(seconds=29)).claimed == 0
    assert (await world.advance(seconds=1)).retried == 1
    assert (await _row(world, row_id)).due_at == world.clock.now() + BACKOFF[1]
    assert (await world.advance(seconds=BACKOFF[1].total_seconds())).sent == 1

    row = await _row(world, row_id)
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)
    assert _received(maria, "Unggah dokumen") == 1


async def test_repeated_server_errors_fail_with_the_reason_after_the_last_attempt(
    world: World,
) -> None:
    maria, pid = await _known(world, "Maria")
    world.api.faults.add(
        method="sendMessage", kind="500", count=MAX_ATTEMPTS + 1, chat_id=maria.user_id
    )
    row_id = await _plan(world, pid, "Isi daftar periksa")

    await world.tick()
    for delay in BACKOFF:
        await world.advance(seconds=delay.total_seconds())

    row = await _row(world, row_id)
    assert (row.state, row.attempts) == (OutboxState.FAILED, MAX_ATTEMPTS)
    assert (
        row.error == f"gave up after {MAX_ATTEMPTS} attempts: NetworkError: Internal Server Error"
    )
    assert (await world.advance(days=1)).claimed == 0
    assert _received(maria, "Isi daftar periksa") == 0


async def test_unanswered_send_is_not_sent_again(world: World) -> None:
    maria, pid = await _known(world, "Maria")
    # Telegram takes the message but answers after the bot stopped waiting (5 s).
    world.api.faults.add(method="sendMessage", kind="timeout", seconds=6, chat_id=maria.user_id)
    row_id = await _plan(world, pid, "Rapat koordinasi")

    report = await world.tick()

    assert report.unknown == 1
    row = await _row(world, row_id)
    assert row.state is OutboxState.UNKNOWN
    assert row.error is not None
    assert "may have been delivered" in row.error
    assert (await world.advance(hours=1)).claimed == 0
    assert _received(maria, "Rapat koordinasi") == 1  # delivered once, never twice


async def test_mixed_failures_lose_nothing_and_send_nothing_twice(world: World) -> None:
    cast = [await _known(world, name) for name in ("Ana", "Beni", "Citra", "Dewi")]
    (ana, _), (beni, _), (citra, _), _ = cast
    world.api.faults.add(method="sendMessage", kind="429", retry_after=1, chat_id=ana.user_id)
    world.api.faults.add(method="sendMessage", kind="500", count=3, chat_id=beni.user_id)
    world.api.faults.add(method="sendMessage", kind="403", chat_id=citra.user_id)
    rows = {
        person.first_name: [await _plan(world, pid, f"{person.first_name} {n}") for n in (1, 2)]
        for person, pid in cast
    }

    await world.tick()
    for _ in range(6):
        await world.advance(minutes=15)

    async with world.sessions() as db:
        states = dict((await db.execute(select(OutboxMessage.id, OutboxMessage.state))).all())
    assert OutboxState.PENDING not in states.values()
    assert OutboxState.CLAIMED not in states.values()
    for person, _ in cast:
        for n, row_id in enumerate(rows[person.first_name], start=1):
            text = f"{person.first_name} {n}"
            if person is citra:
                assert states[row_id] is OutboxState.BLOCKED
                assert _received(person, text) == 0
            else:
                assert states[row_id] is OutboxState.SENT
                assert _received(person, text) == 1


async def test_the_job_queue_wakes_the_dispatcher_by_itself(world: World) -> None:
    """No test tick: the running application's JobQueue finds the due row and sends it."""
    world.dispatch_interval = 0.2
    await world.restart()
    _teach(world)
    rina, rina_id = await _known(world, "Rina")
    await _plan(world, rina_id, "Rapat koordinasi besok pukul 09.00", due_in=timedelta(hours=1))
    await rina.quiet(0.6)  # not due yet: nothing
    world.clock.advance(hours=1)
    arrived = await rina.expect("Rapat koordinasi besok", timeout=5)
    assert arrived.text == "Rapat koordinasi besok pukul 09.00"
