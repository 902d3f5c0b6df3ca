"""A seeded end-to-end fuzz: random inputs from several kinds of person against the real bot.

Texts of every length and script, known and unknown commands with arguments, photos and odd
documents, stale, forged and garbage taps, edits, group messages and replies. Whatever comes
in, nobody gets the incident reply, nothing is logged as an error, every answer is Indonesian
(but to someone who chose English) and the Bot API server sees no violation (the world
fixture checks that). A failure names the seed and the input's number to replay it.
"""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from db.models import Person as PersonRow
from tests.support import drive
from tests.support.drive import Reaction
from tests.support.fuzz import Edit, File, Group, Input, Inputs, Tap, Text
from tests.support.people import Person
from tests.support.replies import problems, shown
from tests.support.sides import Kind, persona, seed_other_side
from tests.support.world import World

INPUTS_PER_SEED = 520
SEEDS = (20261207, 8086)
GONE_MESSAGE = 999_999  # a message id no chat has


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_inputs_never_break_the_bot(
    world: World, seed: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    other = await seed_other_side(world)
    people = [await persona(world, kind) for kind in Kind]
    inputs = Inputs(seed, other.ints, other.strs)
    sent: dict[int, list[int]] = {p.user_id: [] for p in people}  # their own message ids
    failures: list[str] = []
    started = time.monotonic()
    for number in range(INPUTS_PER_SEED):
        who = inputs.rng.choice(people)
        given = inputs.next()
        reaction = await _give(world, who, given, sent[who.user_id], inputs)
        for problem in await _problems(world, reaction):
            failures.append(f"seed {seed} input {number} {given!r:.160} by {who}: {problem}")
    took = time.monotonic() - started
    print(
        f"\nfuzz seed {seed}: {INPUTS_PER_SEED} inputs from {len(people)} people in {took:.1f} s"
    )
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"errors logged: {errors[:5]}"
    assert not failures, f"{len(failures)} inputs failed:\n" + "\n".join(failures[:30])


async def _give(
    world: World, who: Person, given: Input, sent: list[int], inputs: Inputs
) -> Reaction:
    """Send one input as `who`, waited for by the bot's "update done" signal."""
    match given:
        case Text(text, reply_to_bot):
            replied = who.messages[-1].message_id if reply_to_bot and who.messages else None
            reaction, message_id = await drive.send_message(
                world, who, text, reply_to_message_id=replied
            )
            sent.append(message_id)
            return reaction
        case Group(text, chat_id, chat_type):
            return await drive.send(world, who, text, chat_id=chat_id, chat_type=chat_type)
        case File(data, name, mime, caption):
            return await drive.send_file(world, who, data, name=name, mime=mime, caption=caption)
        case Edit(text):
            if not sent:
                reaction, message_id = await drive.send_message(world, who, text)
                sent.append(message_id)
                return reaction
            return await drive.edit(world, who, inputs.rng.choice(sent), text)
        case Tap(data, "own"):
            old = inputs.old_button(who.messages)
            if old is None:
                return await drive.send(world, who, "/start")
            return await drive.press(world, who, old[0], old[1])
        case Tap(data, where):
            last = who.messages[-1].message_id if who.messages and where == "last" else None
            return await drive.press(world, who, data, last or GONE_MESSAGE)
    raise AssertionError(f"unknown input {given!r}")


async def _problems(world: World, reaction: Reaction) -> list[str]:
    """What is wrong with everything the bot sent or edited for one input."""
    texts = [shown(m) for m in reaction.messages] + ([reaction.toast] if reaction.toast else [])
    found = problems(texts, world.deps.i18n)
    if not any(p.startswith("English") for p in found):
        return found
    # English is right for a reader who chose it (a forged language tap does that).
    english_readers = await _english_readers(world)
    found = problems(texts, world.deps.i18n, english_ok=True)
    for msg in reaction.messages:
        if msg.chat_id not in english_readers:
            found += problems([shown(msg)], world.deps.i18n)
    if reaction.toast and not (
        reaction.messages and reaction.messages[0].chat_id in english_readers
    ):
        found += problems([reaction.toast], world.deps.i18n)
    return sorted(set(found))


async def _english_readers(world: World) -> set[int]:
    async with world.sessions() as db:
        rows = await db.scalars(select(PersonRow.telegram_id).where(PersonRow.locale == "en"))
        return set(rows.all())
