"""Several real `pendamping` processes on one PostgreSQL database, as a province runs them.

`Deployment` starts `pendamping webhook --workers N` (and `pendamping dispatch`) against the
local Bot API server, knows the webhook's address and secret, posts updates to it as
Telegram does, and reads the database the processes share.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.localapi import LocalBotApi
from bot.services import ops
from bot.webhook import PATH, SECRET_HEADER
from tests.support.cli import command_env

SECRET = "rahasia-webhook-uji"
READY_S = 120.0  # imports, migrations and start-up of several processes on a busy machine
STOP_S = 60.0


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Check a condition nothing signals (a log line, a row) every 20 ms, up to `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.02)


async def messages_at_least(
    api: LocalBotApi, chat_id: int, count: int, seconds: float, keep: Callable[[str], bool]
) -> None:
    """Until the bot has sent `count` messages matching `keep` to the chat (server's signal)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while sum(1 for m in api.chat_messages(chat_id) if keep(m.text)) < count:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"chat {chat_id}: fewer than {count} messages in {seconds} s")
        await api.wait_for_activity(min(remaining, 1.0))


def text_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private text message as Telegram posts it; a leading /command gets its entity."""
    person = {"id": user_id, "is_bot": False, "first_name": f"Orang {user_id}"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": person["first_name"]},
        "from": person,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


@dataclass
class Deployment:
    api: LocalBotApi
    database_url: str
    folder: Path
    port: int
    settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return command_env(
            {
                "TELEGRAM_BOT_TOKEN": self.api.token,
                "TELEGRAM_API_URL": self.api.base_url,
                "TELEGRAM_FILE_URL": self.api.base_file_url,
                "DATABASE_URL": self.database_url,
                "BOT_DATA_DIR": str(self.folder / "data"),
                "WEBHOOK_URL": f"{self.url}{PATH}",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_PORT": str(self.port),
                "BOT_DISPATCH_INTERVAL": "0.5",
                "PYTHONUNBUFFERED": "1",
                **self.settings,
            }
        )

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    async def start(self, name: str, args: Sequence[str]) -> asyncio.subprocess.Process:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *args,
                env=self.env(),
                cwd=self.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self.processes[name] = process
        return process

    async def webhook_workers(self, workers: int) -> None:
        """`pendamping webhook --workers N`, until every worker has said it is ready."""
        await self.start("webhook", ["webhook", "--workers", str(workers)])
        await self.ready("webhook", r"webhook worker \d+ ready", workers)

    async def ready(self, name: str, line: str, count: int = 1) -> None:
        process = self.processes[name]

        def seen() -> bool:
            assert process.returncode is None, self.log(name)
            return len(re.findall(line, self.log(name))) >= count

        await until(seen, READY_S, f"{name}: {count} x {line!r}")

    async def stop(self, name: str) -> int:
        """SIGTERM and the exit code (a clean stop finishes every update in hand)."""
        process = self.processes[name]
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_S):
            return await process.wait()

    async def kill_all(self) -> None:
        """After a failure: SIGTERM (a parent stops its workers), SIGKILL what lingers."""
        for process in self.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()

    async def post(
        self, client: ClientSession, update: dict[str, Any], secret: str | None = SECRET
    ) -> int:
        """POST an update as Telegram does; the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with client.post(f"{self.url}{PATH}", json=update, headers=headers) as response:
            return response.status

    async def dispatcher_pid(self, sessions: async_sessionmaker[AsyncSession]) -> int | None:
        """The process holding the dispatcher's lock, from its heartbeat (host:pid:random)."""
        async with sessions() as db:
            beat = await ops.last_beat(db, ops.DISPATCHER)
        return int(beat.holder.split(":")[1]) if beat is not None else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
