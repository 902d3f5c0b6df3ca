"""`pendamping run` without a token: the local Bot API server, its web chat, and the bot."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable, Collection
from contextlib import AsyncExitStack
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.clock import Clock, SystemClock
from bot.desk import PATH as DESK_PATH
from bot.desk.signin import sign
from bot.localapi import LocalBotApi, Persona, WebChat, history
from bot.runner import (
    prepare_database,
    start_polling,
    status_server,
    stop_polling,
    wait_for_signal,
)
from bot.settings import Settings
from db.models import Role

log = logging.getLogger(__name__)

SIMULATOR_TOKEN = "100000001:SIMULATOR-local-token"
SIMULATOR_FILES = "simulator"  # below BOT_DATA_DIR: files the personas send
COORDINATOR = Persona(
    user_id=710001,
    first_name="Rina",
    label="Koordinator",
    description="Ibu Rina, staf program Pemkot Kupang: undangan, tenggat, rekap",
)
UMKM_OWNER = Persona(
    user_id=710002,
    first_name="Maria",
    label="Pelaku UMKM",
    description="Ibu Maria, pemilik usaha tenun ikat binaan",
)
FOCAL_POINT = Persona(
    user_id=710003,
    first_name="Yohanes",
    label="Petugas penghubung",
    description="Bapak Yohanes, petugas penghubung RSUD S.K. Lerik",
)
SPARE = Persona(
    user_id=710004,
    first_name="Yakob",
    label="Belum diundang",
    description=(
        "Bapak Yakob, perajin sasando. Undang dia sebagai koordinator (Undang peserta), "
        "lalu tempel tautannya di sini"
    ),
)
PERSONAS = [UMKM_OWNER, FOCAL_POINT, COORDINATOR, SPARE]
HISTORY = "webchat"  # below the simulator's data folder: the conversations kept on disk
SAVE_AFTER_SECONDS = 1.0  # a change is written once the chat has been still this long
# What the personas are invited as (the web chat's "Gunakan undangan").
PERSONA_BUSINESS = ("Tenun Ina", "Maria", "tenun")
PERSONA_AGENCY = "RSUD S.K. Lerik"


class DeskPortInUse(Exception):
    """BOT_DESK_PORT is taken by another program."""

    def __init__(self, listen: str) -> None:
        super().__init__(listen)
        self.listen = listen


def simulator_settings(settings: Settings) -> Settings:
    """The simulator's world apart from production: its own database and files, and only the
    coordinator persona as coordinator (BOT_COORDINATORS names real Telegram accounts); the
    desk on its local address unless BOT_DESK_URL names another (BOT_DESK_PORT off: none)."""
    return settings.model_copy(
        update={
            "database_url": settings.simulator_database_url,
            "data_dir": settings.data_dir / SIMULATOR_FILES,
            "bot_coordinators": frozenset({COORDINATOR.user_id}),
            "desk_url": settings.desk_url or local_desk_url(settings.desk_listen),
        }
    )


def local_desk_url(listen: str) -> str:
    """Where a browser on this machine opens the desk served on BOT_DESK_PORT."""
    if not listen:
        return ""
    host, _, port = listen.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):  # every interface: loopback is one of them
        host = "127.0.0.1"
    return f"http://{host}:{port}{DESK_PATH}"


def persona_signer(clock: Clock) -> Callable[[Persona], str]:
    """What Telegram does when a persona opens a Mini App: initData signed with the
    simulator's token, which the bot (holding the same token) verifies."""

    def signed(persona: Persona) -> str:
        user = {"id": persona.user_id, "first_name": persona.first_name, "language_code": "id"}
        return sign(SIMULATOR_TOKEN, user, clock.now(), chat_type="private")

    return signed


async def persona_invitations(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, sectors: Collection[str]
) -> dict[int, str]:
    """Fresh invitation codes for the personas not registered yet (codes are stored hashed)."""
    from bot.services import agencies, businesses, invitations, people

    codes: dict[int, str] = {}
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        maria = await people.find_by_telegram_id(db, UMKM_OWNER.user_id)
        if maria is None or Role.UMKM not in maria.role_set:
            name, owner, sector = PERSONA_BUSINESS
            business = await businesses.find_by_name(db, name)
            if business is None:
                _, _, codes[UMKM_OWNER.user_id] = await invitations.invite_business(
                    db,
                    clock,
                    business_name=name,
                    owner_name=owner,
                    sector=sector,
                    sectors=sectors,
                    created_by_id=None,
                )
            elif business.owner_id is None:
                _, codes[UMKM_OWNER.user_id] = await invitations.reinvite_business(
                    db, clock, business.id, created_by_id=None
                )
        yohanes = await people.find_by_telegram_id(db, FOCAL_POINT.user_id)
        agency = await agencies.find(db, PERSONA_AGENCY)
        if agency is not None and (yohanes is None or Role.FOCAL not in yohanes.role_set):
            _, codes[FOCAL_POINT.user_id] = await invitations.create_invitation(
                db,
                clock,
                role=Role.FOCAL,
                invitee_name=FOCAL_POINT.first_name,
                created_by_id=None,
                agency_id=agency.id,
            )
    return codes


async def joined(
    sessions: async_sessionmaker[AsyncSession], user_ids: Collection[int]
) -> set[int]:
    """Which of these personas have a role now (their invitation is used)."""
    from bot.services import people

    found: set[int] = set()
    async with sessions() as db:
        for user_id in user_ids:
            person = await people.find_by_telegram_id(db, user_id)
            if person is not None and person.role_set:
                found.add(user_id)
    return found


class Invitations:
    """The web chat's "Gunakan undangan" buttons, withdrawn once their persona has joined."""

    def __init__(self, chat: WebChat) -> None:
        self.chat = chat
        self.sessions: async_sessionmaker[AsyncSession] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def update_done(self, update_id: int) -> None:
        """After each update: did it make a persona with a button join?"""
        if self.sessions is None or not self.chat.start_links:
            return
        task = asyncio.get_running_loop().create_task(self._withdraw(self.sessions))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _withdraw(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        for user_id in await joined(sessions, list(self.chat.start_links)):
            self.chat.set_start_link(user_id, None)


async def keep_history(api: LocalBotApi, folder: Path) -> None:
    """Write the conversations whenever they changed and then stayed still a moment."""
    while not api.closing:
        if not await api.wait_for_activity(3600):
            continue
        while await api.wait_for_activity(SAVE_AFTER_SECONDS):
            pass  # still busy: write once it settles
        await history.save(api, folder)


async def serve_simulator(settings: Settings, port: int) -> None:
    """Migrate the simulator's database, serve the web chat on port and run the bot on it;
    the conversations of the last run come back."""
    own = simulator_settings(settings)
    await asyncio.to_thread(prepare_database, own)
    api = LocalBotApi(token=SIMULATOR_TOKEN, bot_username="PendampingUMKMBot", port=port)
    clock = SystemClock()
    chat = api.enable_webchat(PERSONAS, sign_init_data=persona_signer(clock))
    folder = own.data_dir / HISTORY
    if await asyncio.to_thread(history.load, api, folder):
        log.info("the web chat's earlier conversations are back")
    await api.start()
    local = {"telegram_api_url": api.base_url, "telegram_file_url": api.base_file_url}
    invitations = Invitations(chat)
    app = build_application(
        own.model_copy(update=local),
        clock=clock,
        token=SIMULATOR_TOKEN,
        on_update_done=invitations.update_done,
    )
    saver: asyncio.Task[None] | None = None
    try:
        await start_polling(app)
        deps = app.bot_data.require()
        codes = await persona_invitations(deps.sessions, deps.clock, deps.content.sector_keys)
        for user_id, code in codes.items():
            chat.set_start_link(user_id, code)
        invitations.sessions = deps.sessions
        saver = asyncio.create_task(keep_history(api, folder))
        async with AsyncExitStack() as serving:
            try:  # the desk that the web chat's Mini App buttons open
                await serving.enter_async_context(status_server(app, desk=True))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise DeskPortInUse(own.desk_listen) from None
            print(f"Simulator ready: open http://127.0.0.1:{api.port} in a browser", flush=True)
            await wait_for_signal()
    finally:
        await stop_polling(app)
        if saver is not None:
            saver.cancel()
        await history.save(api, folder)
        await api.stop()
