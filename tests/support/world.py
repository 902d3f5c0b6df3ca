"""The world of an end-to-end test: the local Bot API server, the real bot, a fake clock."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.clock import FakeClock
from bot.context import BotApplication, Deps
from bot.dispatcher import DispatchReport, runner_of
from bot.flood import FloodLimits
from bot.localapi import LocalBotApi
from bot.runner import start_polling, stop_polling
from bot.settings import Settings, load_settings
from tests.support.people import Person, UpdatesDone

TOKEN = "424242:E2E-test-token"
COORDINATOR_IDS = frozenset(range(9001, 9006))
# Monday 7 December 2026, 09.00 WITA.
START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
# The fake clock stands still while a test runs, so every update of a test falls into one
# flood window: tests that are not about flooding get room for a whole journey.
UNHURRIED = FloodLimits(person=10_000, coordinator=10_000)


# The dispatch interval of a world whose test wakes the dispatcher itself.
DRIVEN_BY_TEST = 3600.0


@dataclass
class World:
    """One running bot, its server, its database and its clock."""

    api: LocalBotApi
    clock: FakeClock
    database_url: str
    data_dir: Path
    app: BotApplication | None = None
    _next_user: int = 100_001
    _next_coordinator: int = min(COORDINATOR_IDS)
    people: list[Person] = field(default_factory=list)
    dispatch_interval: float = DRIVEN_BY_TEST
    # Every update the bot finishes, across restarts: what people's steps wait for.
    done: UpdatesDone = field(default_factory=UpdatesDone)
    flood: FloodLimits = UNHURRIED
    paid_broadcast: bool = False  # BOT_PAID_BROADCAST
    sends_per_second: float = 30  # BOT_MAX_SENDS_PER_SECOND
    # More settings by name (BOT_DESK_URL=...), for the tests of what they switch on.
    extra_settings: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return load_settings(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api.base_url,
            TELEGRAM_FILE_URL=self.api.base_file_url,
            DATABASE_URL=self.database_url,
            BOT_COORDINATORS=",".join(str(i) for i in sorted(COORDINATOR_IDS)),
            BOT_DATA_DIR=str(self.data_dir),
            # Tests wake the dispatcher themselves, unless one sets a real interval.
            BOT_DISPATCH_INTERVAL=self.dispatch_interval,
            BOT_PAID_BROADCAST=self.paid_broadcast,
            BOT_MAX_SENDS_PER_SECOND=self.sends_per_second,
            **self.extra_settings,
        )

    @property
    def deps(self) -> Deps:
        assert self.app is not None, "the bot is not running"
        deps = self.app.bot_data.deps
        assert deps is not None
        return deps

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.deps.sessions

    async def start(self) -> None:
        self.app = build_application(
            self.settings, clock=self.clock, flood=self.flood, on_update_done=self.done
        )
        await start_polling(self.app)
        if self.dispatch_interval == DRIVEN_BY_TEST:
            # The JobQueue's first pass, a second after start, would race the test's own
            # ticks and take the rows a test's tick is about to report.
            assert self.app.job_queue is not None
            for job in self.app.job_queue.get_jobs_by_name("outbox"):
                job.schedule_removal()

    async def stop(self) -> None:
        if self.app is not None:
            await stop_polling(self.app)
            self.app = None

    async def restart(self) -> None:
        """Stop the bot process and start a new one on the same database."""
        await self.stop()
        await self.start()

    async def tick(self) -> DispatchReport:
        """One dispatcher pass, as the JobQueue would run it: sends everything now due."""
        return await runner_of(self.deps).run_pass()

    async def advance(self, **delta: float) -> DispatchReport:
        """Move the clock (`days=6`, `hours=2`, ...) and let the dispatcher catch up."""
        self.clock.advance(timedelta(**delta))
        return await self.tick()

    def person(self, first_name: str, *, user_id: int | None = None) -> Person:
        """Someone new on Telegram (not yet known to the bot)."""
        if user_id is None:
            user_id, self._next_user = self._next_user, self._next_user + 1
        person = Person(self.api, user_id, first_name, done=self.done)
        self.people.append(person)
        return person

    def coordinator(self, first_name: str = "Ibu Koordinator") -> Person:
        """A person whose id is in BOT_COORDINATORS."""
        user_id, self._next_coordinator = self._next_coordinator, self._next_coordinator + 1
        assert user_id in COORDINATOR_IDS, "add more COORDINATOR_IDS"
        return self.person(first_name, user_id=user_id)


@pytest.fixture
async def world(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[World]:
    database = tmp_path / "bot.db"
    shutil.copy(sqlite_template, database)
    api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await api.start()
    world = World(api, FakeClock(START), f"sqlite+aiosqlite:///{database}", tmp_path / "data")
    try:
        await world.start()
        yield world
    finally:
        await world.stop()
        await api.stop()
    assert api.violations == [], f"the bot broke the Bot API: {api.violations}"
