"""Guidance progress on real databases: steps, resume, completion, stale modules and steps."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import load_content
from bot.services import guidance
from bot.services.errors import NotFound, Stale
from tests.support.business import business_owner


async def test_module_is_resumed_where_left_and_marked_done_at_the_end(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = load_content()
    module = content.modules_for("tenun")[2]
    async with sessions() as db, db.begin():
        business = await business_owner(db, clock, "tenun")
        first = await guidance.open_step(db, clock, content, business, module.id, None)
        assert (first.index, first.total, first.done) == (0, len(module.steps), False)
        await guidance.open_step(db, clock, content, business, module.id, 1)
        marks = await guidance.module_menu(db, content, business)
        assert [m.module.id for m in marks] == [m.id for m in content.modules_for("tenun")]
        assert marks[2].started and not marks[2].done
        assert not marks[0].started
    async with sessions() as db, db.begin():
        business = await guidance.business_of(db, business.owner_id or 0)
        resumed = await guidance.open_step(db, clock, content, business, module.id, None)
        assert resumed.index == 1
        last = await guidance.open_step(
            db, clock, content, business, module.id, len(module.steps) - 1
        )
        assert last.is_last and last.done
        # The suggestion is an unread module the last step points to.
        assert last.suggestion is not None and last.suggestion.id in module.see_also
        assert await guidance.completed_count(db, content, business) == (
            1,
            len(content.modules_for("tenun")),
        )
        # Going back keeps it done; opening it again starts from the top.
        back = await guidance.open_step(db, clock, content, business, module.id, 0)
        assert back.done
        again = await guidance.open_step(db, clock, content, business, module.id, None)
        assert again.index == 0


async def test_gone_modules_and_steps_are_stale(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = load_content()
    async with sessions() as db, db.begin():
        business = await business_owner(db, clock, "kue")
        with pytest.raises(Stale):
            await guidance.open_step(db, clock, content, business, "no-such-module", 0)
        with pytest.raises(Stale):  # another sector's module
            await guidance.open_step(db, clock, content, business, "tenun-pewarna", 0)
        module = content.modules_for("kue")[0]
        with pytest.raises(Stale):
            await guidance.open_step(db, clock, content, business, module.id, len(module.steps))
        assert await guidance.completed_count(db, content, business) == (
            0,
            len(content.modules_for("kue")),
        )
        with pytest.raises(NotFound):
            await guidance.business_of(db, 999_999)
