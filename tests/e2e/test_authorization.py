"""Authorization, proven: every registered route, tried by every kind of person, on others' ids.

The routes come from `handlers.ROUTERS` (tests/support/routes.py), so a new command, menu entry
or button is tried here without editing this file. Before the person under test joins, two
other parties are seeded so that ids 1 and 2 of every table are theirs. Each input is checked:

- a person whose role the route is not for gets the polite refusal, and no row changes;
  one whose role it is for is not refused for their role (unless the ids are others');
- anyone else who is not a coordinator may act only on their own rows: no row of the other
  side changes, no new row points at one, and no reply shows their data;
- nobody gets the incident reply or an error in the log, and every reply is Indonesian.

After an input that changed something the database is put back, so each input meets the same
seeded state.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pytest

from bot.render import common as render
from db.models import Role, Salutation
from tests.support import drive, tables
from tests.support.people import Person
from tests.support.replies import problems, shown
from tests.support.routes import Case, cases
from tests.support.sides import Kind, OtherSide, persona, seed_other_side
from tests.support.world import World

# Buttons tried per route: enough for every value of every field to show up once.
PER_ROUTE = 7
PER_REFUSED_ROUTE = 2  # the role check comes before the data is looked at
# What a kind of person may see of the other side: mentors answer every business's questions.
MAY_SEE = {Kind.MENTOR: frozenset({"question", "business", "owner"})}


@dataclass(frozen=True)
class Tried:
    """The person under test and what the inputs are measured against."""

    world: World
    who: Person
    kind: Kind
    roles: frozenset[Role]
    other: OtherSide
    theirs: tables.Rows  # the other side's rows, as seeded
    baseline: tables.Rows  # every row before each input


@pytest.mark.parametrize("kind", list(Kind))
async def test_every_route_refuses_what_a_person_may_not_do(
    world: World, kind: Kind, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    caplog.set_level(logging.ERROR)
    shared = tables.visible(await tables.read(world.sessions))  # the agencies, for one
    other = await seed_other_side(world)
    theirs = tables.only_in(tables.visible(await tables.read(world.sessions)), shared)
    theirs["agency"] = {k: r for k, r in shared["agency"].items() if k[0] in other.agency_ids}
    who = await persona(world, kind)
    await who.send("/start")  # a message of the bot to press buttons on
    baseline = await tables.read(world.sessions)
    me = _me(baseline, who)
    roles = frozenset(
        Role(r["role"]) for r in baseline["person_role"].values() if me and r["person_id"] == me
    )
    tried = Tried(world, who, kind, roles, other, theirs, baseline)
    inputs = cases(other.ints, other.strs, PER_ROUTE, PER_REFUSED_ROUTE, roles)
    failures: list[str] = []
    for case in inputs:
        failures += [f"{kind.value} {case}: {f}" for f in await _check(tried, case)]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    took = time.monotonic() - started
    routes = len({c.route for c in inputs})
    print(f"\n{kind.value}: {len(inputs)} inputs over {routes} routes in {took:.1f} s")
    assert not errors, f"errors logged: {errors[:5]}"
    assert not failures, f"{len(failures)} of {len(inputs)} inputs failed:\n" + "\n".join(failures)


def _me(rows: tables.Rows, who: Person) -> int | None:
    return next((k[0] for k, p in rows["person"].items() if p["telegram_id"] == who.user_id), None)


async def _check(tried: Tried, case: Case) -> list[str]:
    """Send one input and say everything wrong with what followed."""
    world, who, baseline = tried.world, tried.who, tried.baseline
    if case.command is not None:
        reaction = await drive.send(world, who, case.command)
    else:
        assert case.data is not None
        reaction = await drive.press(world, who, case.data, who.messages[-1].message_id)
    mine = reaction.in_chat(who.user_id)
    texts = [shown(m) for m in mine] + ([reaction.toast] if reaction.toast else [])
    after = await tables.read(world.sessions)
    before_shown, after_shown = tables.visible(baseline), tables.visible(after)
    found: list[str] = []
    me = _me(after, who)
    tr = world.deps.i18n.translator("id")
    chose_english = me is not None and after["person"][(me,)]["locale"] == "en"
    found += problems(texts, world.deps.i18n, english_ok=chose_english)
    refusal = str(render.not_allowed(tr, _Someone(tried.roles) if me is not None else None).text)
    refused = any(m.html == refusal for m in mine)
    if not case.allows(tried.roles):
        if not refused:
            found.append(f"no polite refusal: {[t[:100] for t in texts]}")
        found += tables.differences(before_shown, after_shown)
    elif refused and tried.roles and not case.foreign:
        # (A stranger's refusal is the welcome, their usual answer; others' ids may be refused.)
        found.append("refused for the role although the route allows it")
    elif Role.COORDINATOR not in tried.roles:
        found += _kept_apart(tried, texts, before_shown, after_shown)
    if after_shown != before_shown or after["dialogue_state"] != baseline["dialogue_state"]:
        await world.tick()  # what the input planned is sent before its rows go
        await tables.restore(world.sessions, baseline)
    return found


def _kept_apart(
    tried: Tried, texts: list[str], before: tables.Rows, after: tables.Rows
) -> list[str]:
    """What an allowed input did to the other side: nothing, and showed them nothing."""
    changed = tables.touched(before, after)
    found = [f"changed their {n} {k}" for n, k in changed if k in tried.theirs.get(n, {})]
    written = {(n, k) for n, k in changed if k in after.get(n, {})}  # added or changed
    found += tables.references(after, tried.theirs, written)
    visible_to_me = MAY_SEE.get(tried.kind, frozenset())
    for what, secret in tried.other.secrets.items():
        if what not in visible_to_me and any(secret in t for t in texts):
            found.append(f"shows their {what}: {[t[:100] for t in texts]}")
    return found


@dataclass(frozen=True)
class _Someone:
    """Enough of a person for the refusal screen (it looks at the roles)."""

    role_set: frozenset[Role]
    full_name: str = ""
    salutation: Salutation | None = None


async def test_a_stranger_reads_the_privacy_notice_from_the_welcome(world: World) -> None:
    stranger = world.person("Orang Asing")
    await stranger.send("/start")
    notice = await stranger.press("Tentang privasi")
    assert "Cara kami menjaga data" in notice.text
