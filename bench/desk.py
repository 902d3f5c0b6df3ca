"""How fast the desk's pages answer with a full programme, beside the same with one of each.

Two SQLite databases are filled through the services the chat uses: a full programme
(`--businesses` businesses, most of them joined, with checklist runs over time, submitted
versions, notes, evidence and questions to mentors; `--agencies` agencies, each with a focal
point, deadlines of its own and programme-wide ones with their reminders planned, answers
kept, late and missing, and ISO 18091 self-assessments rated, noted and some submitted) and
a small one (one business and one agency, seeded alike). Each is served as `pendamping run`
serves the desk (`build_application()` and the status server on its own port, BOT_DESK_URL
set), and a coordinator calls every GET route of the desk's API in turn, the two databases
alternating call by call, with initData signed as Telegram signs it. The routes with a path
parameter open the business, agency, deadline and person with the most rows; the export
route downloads everything (`all`), in fewer calls.

    python -m bench.desk [--businesses 1000] [--agencies 100] [--calls 40] [--exports 5]

Per route: p50 and p95 in ms on each database and the SQL statements one call ran on the
full one. The last line is one JSON object: slowest_route, p95_ms (its p95, full),
small_p95_ms (the same route, small), ratio (the two p95s), slowest_page (the slowest
route that is not a download) with page_p95_ms and page_ratio, seed_s, load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import build_application
from bot.clock import FakeClock
from bot.context import BotApplication, Deps
from bot.desk.routes import api as desk_api
from bot.desk.signin import sign
from bot.runner import status_server
from bot.services import agencies, checklists, evidence, people, questions
from bot.services import assessment as sa
from bot.services.deadlines import answers as deadline_answers
from bot.services.deadlines import changes as deadline_changes
from bot.settings import load_settings
from db import migrate
from db.models import AckStatus, Agency, AnswerValue, Business, Light, Role
from tests.support.pendamping_run import free_port
from tests.support.png import tiny_png

TOKEN = "777003:BENCH-DESK"
COORDINATOR = 4_000_000
OWNERS = 4_100_000
FOCALS = 4_900_000
START = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)  # a Monday, 09.00 WITA
BATCH = 100  # businesses per transaction while seeding
ANSWERS = (AnswerValue.YES, AnswerValue.PARTLY, AnswerValue.NO, AnswerValue.YES)
DOWNLOADS = ("/evidence/", "/exports/")
PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")


@dataclass
class Seeded:
    """What the routes with a path parameter open, and how long the seeding took."""

    ids: dict[str, int | str] = field(default_factory=dict)
    seconds: float = 0.0


async def _business(
    db: AsyncSession, deps: Deps, clock: FakeClock, n: int, rich: bool
) -> tuple[Business, int | None]:
    """One business with its checklist answered part of the way (all of it, and once more
    after a submitted version, when `rich`); the evidence id when one was attached."""
    content = deps.content
    sector = content.sector_keys[n % len(content.sector_keys)]
    owner = None
    if rich or n % 10 != 9:  # one in ten invited but not joined yet
        owner = await people.register(db, clock, OWNERS + n, f"Pemilik {n}", [Role.UMKM])
        owner.consent_at = clock.now()
    business = Business(
        name=f"Usaha {n:04d}",
        sector=sector,
        owner_name=f"Pemilik {n}",
        owner_id=owner.id if owner is not None else None,
        profile_confirmed_at=clock.now() if owner is not None else None,
        created_at=clock.now(),
    )
    db.add(business)
    await db.flush()
    if owner is None:
        return business, None
    items = content.checklist_for(sector).items
    run = (await checklists.start_or_resume(db, clock, content, business)).run.id
    answered = len(items) if rich else n % (len(items) + 1)
    for k, item in enumerate(items[:answered]):
        value = ANSWERS[(n + k) % len(ANSWERS)]
        await checklists.record_answer(db, clock, content, business, run, item.id, value)
    photo = None
    if rich or n % 50 == 0:
        await checklists.set_note(db, clock, content, business, run, items[0].id, "catatan")
        found = await evidence.save_evidence(
            db,
            clock,
            deps.settings.data_dir,
            person_id=owner.id,
            data=tiny_png(seed=n),
            mime="image/png",
            filename=f"bukti-{n}.png",
        )
        await checklists.attach_evidence(db, clock, content, business, run, items[0].id, found.id)
        photo = found.id
    if answered == len(items) and (rich or n % 2 == 0):
        await checklists.submit(db, clock, content, business, run)
        again = (await checklists.start_or_resume(db, clock, content, business)).run.id
        for item in items[: len(items) // 2]:
            await checklists.record_answer(
                db, clock, content, business, again, item.id, AnswerValue.YES
            )
    if rich or n % 5 == 0:
        text = f"Bagaimana cara mengurus izin PIRT untuk usaha {n}?"
        await questions.ask(db, clock, deps.calendar, owner, text)
    return business, photo


async def _agencies(
    db: AsyncSession, deps: Deps, clock: FakeClock, count: int
) -> list[tuple[Agency, int]]:
    """`count` agencies (the pilot ones first), each with one focal point: (agency, person id)."""
    if count >= len(agencies.PILOT_AGENCIES):
        await agencies.seed_pilot_agencies(db, clock)
    existing = list(await agencies.all_agencies(db))
    for n in range(len(existing), count):
        agency = Agency(name=f"Dinas {n:03d}", short_name=f"D{n:03d}", created_at=clock.now())
        db.add(agency)
        existing.append(agency)
    await db.flush()
    made = []
    for n, agency in enumerate(existing[:count]):
        focal = await people.register(db, clock, FOCALS + n, f"Fokal {n}", [Role.FOCAL])
        focal.consent_at = clock.now()
        await agencies.add_member(db, clock, agency.id, focal.id)
        made.append((agency, focal.id))
    return made


async def _deadlines(
    db: AsyncSession, deps: Deps, clock: FakeClock, made: list[tuple[Agency, int]], days: int
) -> list[int]:
    """A deadline per agency and one for every agency, due in `days` (reminders planned)."""
    created = []
    for agency, _ in made:
        new = deadline_changes.NewDeadline(
            f"Laporan {agency.short_name}", clock.now() + timedelta(days=days), agency.id
        )
        created.append((await deadline_changes.create(db, clock, deps.calendar, new, None)).id)
    everyone = deadline_changes.NewDeadline("Evaluasi SNI", clock.now() + timedelta(days=days))
    created.append((await deadline_changes.create(db, clock, deps.calendar, everyone, None)).id)
    return created


async def _assess(
    db: AsyncSession, deps: Deps, clock: FakeClock, made: list[tuple[Agency, int]]
) -> None:
    """This quarter's self-assessment: rated in part, a note, every third one submitted."""
    iso = deps.content.iso18091
    period = sa.period_of(clock.now(), deps.settings.timezone)
    lights = (Light.RED, Light.YELLOW, Light.GREEN)
    for n, (_, focal_id) in enumerate(made):
        sheet, _ = await sa.open_current(db, clock, focal_id, period)
        rated = iso.indicators if n % 3 == 0 else iso.indicators[: n % len(iso.indicators)]
        for k, indicator in enumerate(rated):
            await sa.rate(db, clock, iso, focal_id, sheet.id, indicator.id, lights[(n + k) % 3])
        if rated:
            await sa.set_note(db, clock, iso, focal_id, sheet.id, rated[0].id, "Perlu SOP baru")
        if n % 3 == 0:
            await sa.submit(db, clock, iso, focal_id, sheet.id)


async def seed(deps: Deps, clock: FakeClock, businesses: int, agency_count: int) -> Seeded:
    """A programme three months on: deadlines passed (kept, late, missed) and to come."""
    started = time.perf_counter()
    seeded = Seeded()
    async with deps.sessions() as db, db.begin():
        coordinator = await people.register(db, clock, COORDINATOR, "Ibu Rina", [Role.COORDINATOR])
        coordinator.consent_at = clock.now()
        made = await _agencies(db, deps, clock, agency_count)
        first = await _deadlines(db, deps, clock, made, days=14)
        await _assess(db, deps, clock, made)
    for start in range(0, businesses, BATCH):
        clock.advance(hours=12)  # businesses join over weeks: their last activity differs
        async with deps.sessions() as db, db.begin():
            for n in range(start, min(start + BATCH, businesses)):
                business, photo = await _business(db, deps, clock, n, rich=n == 0)
                if n == 0:
                    seeded.ids["business"] = business.id
                    seeded.ids["person"] = business.owner_id or 0
                    seeded.ids["evidence"] = photo or 0
    clock.advance(days=7)
    async with deps.sessions() as db, db.begin():
        for n, ((agency, focal_id), deadline_id) in enumerate(zip(made, first, strict=False)):
            if n % 3 != 2:  # one in three never answers: missed
                status = AckStatus.DONE if n % 3 == 0 else AckStatus.IN_PROGRESS
                await deadline_answers.acknowledge(
                    db, clock, deadline_id, agency.id, focal_id, status
                )
    clock.advance(days=90)  # into the next quarter: the first deadlines are long past
    async with deps.sessions() as db, db.begin():
        await _deadlines(db, deps, clock, made, days=10)
        await _assess(db, deps, clock, made)
    seeded.ids.update(agency=made[0][0].id, deadline=first[0], what="all", format="xlsx")
    seeded.seconds = time.perf_counter() - started
    return seeded


class Statements:
    """SQL statements the engine ran (counted per call: the calls never overlap)."""

    def __init__(self, deps: Deps) -> None:
        self.count = 0
        event.listen(deps.engine.sync_engine, "before_cursor_execute", self._one)

    def _one(self, *_: Any) -> None:
        self.count += 1


@dataclass
class Served:
    name: str
    app: BotApplication
    base: str
    seeded: Seeded
    statements: Statements
    times: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@asynccontextmanager
async def serve(
    name: str, folder: Path, businesses: int, agency_count: int
) -> AsyncIterator[Served]:
    """A seeded database, its desk served as `pendamping run` serves it."""
    url = f"sqlite+aiosqlite:///{folder / name}.db"
    await asyncio.to_thread(migrate.upgrade_sync, url)
    port = free_port()
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=url,
        BOT_DATA_DIR=str(folder / name),
        BOT_DESK_URL=f"http://127.0.0.1:{port}/desk/",
        BOT_DESK_PORT=f"127.0.0.1:{port}",
    )
    clock = FakeClock(START)
    app = build_application(settings, clock=clock, token=TOKEN)
    deps = app.bot_data.require()
    try:
        seeded = await seed(deps, clock, businesses, agency_count)
        async with status_server(app, desk=True):
            yield Served(name, app, f"http://127.0.0.1:{port}/desk/api", seeded, Statements(deps))
    finally:
        await deps.engine.dispose()


def _paths(ids: dict[str, int | str]) -> list[tuple[str, str]]:
    """(route, path) of every GET route, its parameters filled from `ids`."""
    found = []
    for route in desk_api.routes:
        if route.method != "GET":
            continue
        names = PARAMETER.findall(route.path)
        if any(n not in ids for n in names):
            print(f"skipped {route.path}: no value for its parameters {names}")
            continue
        found.append((route.path, PARAMETER.sub(lambda m: str(ids[m.group(1)]), route.path)))
    return found


async def _call(http: ClientSession, served: Served, route: str, path: str) -> None:
    clock = served.app.bot_data.require().clock
    init_data = sign(TOKEN, {"id": COORDINATOR, "first_name": "Rina"}, clock.now())
    before = served.statements.count
    started = time.perf_counter()
    async with http.get(served.base + path, headers={"Authorization": f"tma {init_data}"}) as r:
        await r.read()
        if r.status != 200:
            raise SystemExit(f"{served.name}: GET {path} answered {r.status}")
    served.times.setdefault(route, []).append((time.perf_counter() - started) * 1000)
    served.counts[route] = served.statements.count - before


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


async def main(businesses: int, agency_count: int, calls: int, exports: int) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-desk-"))
    async with (
        serve("small", folder, 1, 1) as small,
        serve("full", folder, businesses, agency_count) as full,
        ClientSession() as http,
    ):
        print(
            f"seeded {businesses:,} businesses and {agency_count} agencies "
            f"in {full.seeded.seconds:.1f} s"
        )
        routes = _paths(full.seeded.ids)
        small_paths = dict(_paths(small.seeded.ids))
        for n in range(calls):
            for route, path in routes:
                if route.startswith("/exports/") and n >= exports:
                    continue
                pair = (small, full) if n % 2 == 0 else (full, small)  # turn the order
                for served in pair:
                    await _call(
                        http, served, route, path if served is full else small_paths[route]
                    )
    print(f"{'route':40} {'small p50/p95 ms':>17} {'full p50/p95 ms':>17} {'SQL':>5} {'ratio':>6}")
    rows = []
    for route, _ in routes:
        a, b = small.times[route], full.times[route]
        ratio = _p95(b) / _p95(a)
        rows.append((route, _p95(b), _p95(a), ratio))
        print(
            f"{route:40} {statistics.median(a):8.1f} {_p95(a):8.1f} "
            f"{statistics.median(b):8.1f} {_p95(b):8.1f} {full.counts[route]:5d} {ratio:6.2f}"
        )
    slowest = max(rows, key=lambda r: r[1])
    page = max((r for r in rows if not r[0].startswith(DOWNLOADS)), key=lambda r: r[1])
    print(f"slowest: {slowest[0]} p95 {slowest[1]:.1f} ms ({slowest[3]:.2f}x the small one)")
    print(f"slowest page: {page[0]} p95 {page[1]:.1f} ms ({page[3]:.2f}x the small one)")
    return {
        "slowest_route": slowest[0],
        "p95_ms": round(slowest[1], 1),
        "small_p95_ms": round(slowest[2], 1),
        "ratio": round(slowest[3], 2),
        "slowest_page": page[0],
        "page_p95_ms": round(page[1], 1),
        "page_ratio": round(page[3], 2),
        "seed_s": round(full.seeded.seconds, 1),
        "load": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--calls", type=int, default=40, help="calls of each route")
    parser.add_argument("--exports", type=int, default=5, help="calls of the export route")
    arguments = parser.parse_args()
    result = asyncio.run(
        main(arguments.businesses, arguments.agencies, arguments.calls, arguments.exports)
    )
    print(json.dumps(result))
