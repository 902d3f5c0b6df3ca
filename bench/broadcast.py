"""A broadcast to 2,000 people at Telegram's real limits, and how fast a person is answered.

The local Bot API server runs in a child process and enforces Telegram's send rates: at most
30 messages in any second, 1,000 with allow_paid_broadcast; beyond them it answers 429. The
real application (SQLite, polling, its JobQueue, its one limiter) runs here.

1. Quiet: a person (a mentor, not in the audience) opens /menu and taps Bantuan, 20 times:
   `quiet_p95_ms`.
2. Free: a broadcast to 2,000 business owners at 30/s. Meanwhile the same person keeps
   tapping (about once a second): `interactive_p95_ms`. `ratio` is every message the server
   accepted from the bot while the broadcast ran (the broadcast, the replies to the taps,
   the progress view's edits: what the 30/s limit counts) over that limit (goal at least
   0.95, and `provoked_429` 0); `broadcast_ratio` counts the broadcast's messages alone.
3. Paid: the same 2,000 again with allow_paid_broadcast. A bare `telegram.Bot` (32 sends at
   once, no limiter, no database) sends 2,000 messages to the same server in the same run
   with the limits lifted: `paid_ratio` is the achieved rate over min(1,000/s, the bare
   rate).

Every recipient must get each broadcast exactly once: `duplicates` and `lost` count those who
got one twice or not at all.

    python -m bench.broadcast [--people 2000] [--taps 20]

The last line is one JSON object: ratio, broadcast_ratio, paid_ratio, provoked_429,
duplicates, lost, free_per_s, paid_per_s, bare_per_s, interactive_p95_ms, quiet_p95_ms,
interactive_taps.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import shutil
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import insert, select
from telegram import Bot

from bot import sending
from bot.app import build_application
from bot.context import BotApplication, Deps
from bot.localapi import LocalBotApi
from bot.localapi.limits import SendRates
from bot.runner import start_polling, stop_polling
from bot.services import broadcasts
from bot.services.broadcasts import Content, Target
from bot.settings import load_settings
from bot.transport import new_request
from db import migrate
from db.models import Audience, Person, PersonRole, Role, RoleSource

TOKEN = "777002:BENCH-BROADCAST"
FIRST_USER = 3_000_000
COORDINATOR = 2_999_001
TAPPER = 2_999_002
FREE, PAID = 30, 1000
FREE_TEXT = "Siaran gratis: rapat koordinasi Senin pukul 09.00."
PAID_TEXT = "Siaran berbayar: pelatihan label kemasan Selasa pukul 10.00."
BARE_TEXT = "Uji kirim bebas: pelatihan label kemasan Selasa pukul 10.00."  # as long
TAP_GAP_S = 1.2  # a person taps about once a second: under the bot's own flood limit (20 in 10 s)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000 if ordered else 0.0


# --- the server and the tapping person, in a child process -----------------------------------


async def _tap(api: LocalBotApi, rounds: int, stop: asyncio.Event | None) -> list[float]:
    """/menu then Bantuan, `rounds` times (or until `stop` is set); the latencies."""
    latencies: list[float] = []
    done = 0
    while (stop is None and done < rounds) or (stop is not None and not stop.is_set()):
        mark = api.activity_mark()
        began = time.perf_counter()
        await api.user_sends_text(TAPPER, "/menu")
        menu = await api.wait_for_bot_message(TAPPER, timeout=60, after_index=mark)
        latencies.append(time.perf_counter() - began)
        found = [b.data for row in menu.buttons for b in row if b.text == "Bantuan"]
        if not found:
            raise RuntimeError(f"no Bantuan button under {menu.text!r}")
        data = found[0]
        mark = api.activity_mark()
        began = time.perf_counter()
        await api.user_presses(TAPPER, menu.message_id, data)
        await api.wait_for_bot_message(TAPPER, timeout=60, after_index=mark)
        latencies.append(time.perf_counter() - began)
        done += 1
        await asyncio.sleep(TAP_GAP_S)
    return latencies


def _server_process(conn: Connection, people: int) -> None:
    async def serve() -> None:
        api = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
        await api.start()
        for i in range(people):
            api.add_chat_user(FIRST_USER + i, f"Pemilik {i}")
        api.add_chat_user(COORDINATOR, "Koordinator")
        api.add_chat_user(TAPPER, "Mentor")
        conn.send({"base_url": api.base_url, "base_file_url": api.base_file_url})
        tapping: asyncio.Task[list[float]] | None = None
        stop = asyncio.Event()
        try:
            while True:
                command, argument = await asyncio.to_thread(conn.recv)
                if command == "rates":
                    api.rates = SendRates(free=FREE, paid=PAID) if argument else None
                    conn.send(True)
                elif command == "taps":
                    conn.send(await _tap(api, argument, None))
                elif command == "tap-on":
                    stop.clear()
                    tapping = asyncio.create_task(_tap(api, 0, stop))
                    conn.send(True)
                elif command == "tap-off":
                    assert tapping is not None
                    stop.set()
                    conn.send(await tapping)
                elif command == "received":
                    conn.send(
                        [
                            sum(1 for m in api.chat_messages(FIRST_USER + i) if m.text == argument)
                            for i in range(people)
                        ]
                    )
                elif command == "arrived":  # recipients who have the message
                    conn.send(
                        sum(
                            any(m.text == argument for m in api.chat_messages(FIRST_USER + i))
                            for i in range(people)
                        )
                    )
                elif command == "refused":
                    conn.send(api.rates.refused if api.rates is not None else 0)
                elif command == "accepted":
                    conn.send(api.rates.accepted if api.rates is not None else 0)
                else:
                    break
        finally:
            await api.stop()

    asyncio.run(serve())


class Server:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.urls: dict[str, str] = conn.recv()

    async def ask(self, command: str, argument: Any = None) -> Any:
        self.conn.send((command, argument))
        return await asyncio.to_thread(self.conn.recv)


# --- the database and the application ---------------------------------------------------------


def _fill(path: Path, people: int) -> None:
    """Business owners who agreed to the privacy notice, the tapping mentor, the coordinator."""
    now = datetime.now(UTC)
    members = [(FIRST_USER + i, f"Pemilik {i}", Role.UMKM) for i in range(people)]
    members += [(TAPPER, "Mentor", Role.MENTOR), (COORDINATOR, "Koordinator", Role.COORDINATOR)]
    engine = create_sync_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "telegram_id": telegram_id,
                    "full_name": name,
                    "locale": "id",
                    "consent_at": now,
                    "created_at": now,
                }
                for telegram_id, name, _ in members
            ],
        )
        ids = dict(conn.execute(select(Person.telegram_id, Person.id)).all())
        source = {Role.COORDINATOR: RoleSource.SETTING}  # BOT_COORDINATORS names it
        conn.execute(
            insert(PersonRole),
            [
                {
                    "person_id": ids[telegram_id],
                    "role": role,
                    "granted_at": now,
                    "source": source.get(role, RoleSource.MANUAL),
                }
                for telegram_id, _, role in members
            ],
        )
    engine.dispose()


def _app(server: Server, database: Path, paid: bool) -> BotApplication:
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.urls["base_url"],
        TELEGRAM_FILE_URL=server.urls["base_file_url"],
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        BOT_COORDINATORS=str(COORDINATOR),
        BOT_MAX_SENDS_PER_SECOND=FREE,
        BOT_PAID_BROADCAST=paid,
        BOT_DATA_DIR=str(database.parent / "data"),
    )
    return build_application(settings)


async def _broadcast(deps: Deps, server: Server, text: str, paid: bool) -> float:
    """Send one broadcast to all businesses now; seconds until the server has given it to
    every recipient (asked of the server: polling the bot's database would slow it)."""
    async with deps.sessions() as db, db.begin():
        coordinator = (
            await db.scalars(select(Person).where(Person.telegram_id == COORDINATOR))
        ).one()
        draft = await broadcasts.create_draft(
            db, deps.clock, coordinator.id, Content(text, None, None, paid)
        )
        await broadcasts.set_target(db, draft.id, Target(Audience.BUSINESSES))
        began = time.perf_counter()
        view = await broadcasts.send_now(
            db, deps.clock, draft.id, coordinator.id, (COORDINATOR, None)
        )
    deps.wake_dispatcher()
    took = 0.0
    while not took:  # polled: the server is another process
        if await server.ask("arrived", text) >= view.recipients:
            took = time.perf_counter() - began
        else:
            await asyncio.sleep(0.1)
    while True:  # every row's outcome recorded, before the application stops
        async with deps.sessions() as db:
            if (await broadcasts.counts(db, draft.id)).remaining == 0:
                return took
        await asyncio.sleep(0.1)


async def _bare(server: Server, n: int) -> float:
    """A bare telegram.Bot sending n messages, 32 at once, no limiter, no database.

    Each call is a paid broadcast's as the application's bot sends it: through the same
    transport, HTML, no link preview, allow_paid_broadcast, a text of the same length."""
    bot = Bot(TOKEN, base_url=server.urls["base_url"], request=new_request(256))
    await bot.initialize()
    queue = list(range(n))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await bot.send_message(
                FIRST_USER + i,
                BARE_TEXT,
                parse_mode=sending.PARSE_MODE,
                link_preview_options=sending.NO_PREVIEWS,
                allow_paid_broadcast=True,
            )

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(32)))
        return time.perf_counter() - began
    finally:
        await bot.shutdown()


async def _check(server: Server, text: str) -> tuple[int, int]:
    received = await server.ask("received", text)
    return sum(1 for n in received if n > 1), sum(1 for n in received if n == 0)


async def main(people: int, taps: int) -> dict[str, float]:
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="pendamping-bench-broadcast-"))
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_server_process, args=(child, people), daemon=True)
    process.start()
    server = Server(parent)
    try:
        database = folder / "bot.db"
        await migrate.upgrade(f"sqlite+aiosqlite:///{database}")
        _fill(database, people)
        await server.ask("rates", True)

        # 1 and 2: free, with a person tapping meanwhile
        app = _app(server, database, paid=False)
        await start_polling(app)
        try:
            quiet = await server.ask("taps", taps)
            await server.ask("tap-on")
            before = await server.ask("accepted")
            free_s = await _broadcast(app.bot_data.require(), server, FREE_TEXT, paid=False)
            counted = await server.ask("accepted") - before
            interactive = await server.ask("tap-off")
        finally:
            await stop_polling(app)
        free_rate, all_rate = people / free_s, counted / free_s
        print(
            f"free   {people:,} in {free_s:6.1f} s = {free_rate:6.1f}/s broadcast,"
            f" {all_rate:6.1f}/s with replies and progress edits, of {FREE}/s"
        )

        # 3: paid, against a bare sender in the same run
        app = _app(server, database, paid=True)
        await start_polling(app)
        try:
            paid_s = await _broadcast(app.bot_data.require(), server, PAID_TEXT, paid=True)
        finally:
            await stop_polling(app)
        refused = await server.ask("refused")
        await server.ask("rates", False)
        bare_s = await _bare(server, people)
        paid_rate, bare_rate = people / paid_s, people / bare_s
        print(f"paid   {people:,} in {paid_s:6.1f} s = {paid_rate:6.1f}/s")
        print(f"bare   {people:,} in {bare_s:6.1f} s = {bare_rate:6.1f}/s")
        free_dup, free_lost = await _check(server, FREE_TEXT)
        paid_dup, paid_lost = await _check(server, PAID_TEXT)
        print(f"taps: quiet p95 {_p95(quiet):.0f} ms, broadcasting {_p95(interactive):.0f} ms")
        return {
            "ratio": round(all_rate / FREE, 3),
            "broadcast_ratio": round(free_rate / FREE, 3),
            "paid_ratio": round(paid_rate / min(PAID, bare_rate), 3),
            "provoked_429": refused,
            "duplicates": free_dup + paid_dup,
            "lost": free_lost + paid_lost,
            "free_per_s": round(free_rate, 1),
            "paid_per_s": round(paid_rate, 1),
            "bare_per_s": round(bare_rate, 1),
            "interactive_p95_ms": round(_p95(interactive), 1),
            "quiet_p95_ms": round(_p95(quiet), 1),
            "interactive_taps": len(interactive),
        }
    finally:
        parent.send(("stop", None))
        process.join(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--taps", type=int, default=20, help="quiet rounds of /menu + a tap")
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.people, arguments.taps))))
