"""`pendamping run` as a newcomer starts it: a real subprocess, no token, nothing mocked."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.localapi.webchat import TOKEN_HEADER
from tests.support.cli import command_env

READY_SECONDS = 90.0  # migrations and imports on a busy 2-core machine
STOP_SECONDS = 10.0  # SIGTERM to exit; a clean stop takes well under a second when idle

TOKEN_RE = re.compile(r'<meta name="sim-token" content="([^"]+)">')

# The personas of bot/simulator.py, as the page and its JSON API name them.
UMKM_ID = 710002
FOCAL_ID = 710003
COORDINATOR_ID = 710001
SPARE_ID = 710004  # not invited: for trying an invitation of one's own


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningBot:
    """One `python -m bot run --port N` and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    database: Path  # SIMULATOR_DATABASE_URL's file
    production: Path  # DATABASE_URL's file, which the simulator must leave alone
    settings: Mapping[str, str] | None = None  # extra settings it was started with
    token: str = ""  # the web chat's, read from its page once it answers

    @property
    def headers(self) -> dict[str, str]:
        """What the web chat's JSON API asks of a request: this run's token."""
        return {TOKEN_HEADER: self.token}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def desk_url(self) -> str:
        """The desk the simulator serves (BOT_DESK_URL's default there)."""
        listen = (self.settings or {})["BOT_DESK_PORT"]
        return f"http://{listen}/desk/"

    @property
    def stdout(self) -> str:
        return (self.workdir / "stdout.txt").read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return (self.workdir / "stderr.txt").read_text(errors="replace")

    def wait_until_ready(self, seconds: float = READY_SECONDS) -> None:
        """Until the web chat answers and the bot polls ("Simulator ready"); fails early if the
        command died."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"pendamping run exited with {self.process.returncode}:\n{self.stderr}"
                )
            if "Simulator ready" in self.stdout:
                try:
                    page = httpx.get(self.url, timeout=2)
                except httpx.TransportError:
                    page = None
                found = TOKEN_RE.search(page.text) if page and page.status_code == 200 else None
                if found:
                    self.token = found.group(1)
                    return
            time.sleep(0.2)
        raise AssertionError(f"pendamping run did not answer in {seconds:.0f} s:\n{self.stderr}")

    def terminate(self, seconds: float = STOP_SECONDS) -> tuple[int, float]:
        """SIGTERM, then the exit code and how long the stop took (fails if it hangs)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"pendamping run still running {seconds:.0f} s after SIGTERM:\n{self.stderr}"
            ) from None
        return code, time.monotonic() - started


@contextmanager
def pendamping_run(
    workdir: Path, port: int | None = None, settings: Mapping[str, str] | None = None
) -> Iterator[RunningBot]:
    """Start the command in workdir (so no developer .env is read); kill it if a test fails.
    The desk gets a free port of its own unless `settings` name one."""
    settings = {"BOT_DESK_PORT": f"127.0.0.1:{free_port()}", **(settings or {})}
    database = workdir / "simulator.db"
    production = workdir / "production.db"
    env = command_env(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{production}",
            "SIMULATOR_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "BOT_DATA_DIR": str(workdir / "data"),
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    port = port or free_port()
    with (workdir / "stdout.txt").open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    bot = RunningBot(process, port, workdir, database, production, settings)
    try:
        yield bot
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_SECONDS)


def conversation(bot: RunningBot, user_id: int, since: str = "") -> dict[str, Any]:
    """The web chat's view of one persona's chat (long-polls while `since` is current)."""
    response = httpx.get(
        f"{bot.url}sim/api/messages",
        params={"user_id": user_id, "since": since},
        headers=bot.headers,
        timeout=30,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def send_text(bot: RunningBot, user_id: int, text: str) -> dict[str, Any]:
    """A persona types a message in the web chat."""
    response = httpx.post(
        f"{bot.url}sim/api/send",
        json={"user_id": user_id, "text": text},
        headers={**bot.headers, "Origin": bot.url.rstrip("/")},
        timeout=30,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def plain_text(tree: list[Any]) -> str:
    """The visible text of a message's HTML tree."""
    parts: list[str] = []
    for node in tree:
        parts.append(node if isinstance(node, str) else plain_text(node.get("children", [])))
    return "".join(parts)
