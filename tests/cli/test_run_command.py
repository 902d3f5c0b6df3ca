"""`make run` for a newcomer: without a token, `pendamping run` serves the simulator."""

from __future__ import annotations

import socket
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from db import migrate
from tests.support.pendamping_run import (
    COORDINATOR_ID,
    STOP_SECONDS,
    UMKM_ID,
    RunningBot,
    conversation,
    pendamping_run,
    plain_text,
)

ANSWER_SECONDS = 30.0


def _send(bot: RunningBot, user_id: int, text: str) -> None:
    response = httpx.post(
        f"{bot.url}sim/api/send",
        json={"user_id": user_id, "text": text},
        headers=bot.headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text


def _bot_messages_after(bot: RunningBot, user_id: int, count: int) -> list[dict[str, Any]]:
    """Wait (bounded) until the bot has sent more than `count` messages to this persona."""
    deadline = time.monotonic() + ANSWER_SECONDS
    since = ""
    while time.monotonic() < deadline:
        chat = conversation(bot, user_id, since)
        from_bot = [m for m in chat["messages"] if m["from_bot"]]
        if len(from_bot) > count:
            return from_bot
        since = chat["version"]
    raise AssertionError(f"the bot did not answer {user_id} in time:\n{bot.stderr}")


def test_run_without_token_serves_the_web_chat_and_the_bot_answers(tmp_path: Path) -> None:
    with pendamping_run(tmp_path) as bot:
        bot.wait_until_ready()
        assert f"http://127.0.0.1:{bot.port}" in bot.stdout

        page = httpx.get(bot.url, timeout=10)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Pendamping UMKM" in page.text

        personas = httpx.get(f"{bot.url}sim/api/personas", headers=bot.headers, timeout=10)
        labels = {p["user_id"]: p["label"] for p in personas.json()["personas"]}
        assert labels[COORDINATOR_ID] == "Koordinator"
        assert labels[UMKM_ID] == "Pelaku UMKM"

        # The coordinator persona is a coordinator of the real bot: /start opens the menu.
        _send(bot, COORDINATOR_ID, "/start")
        menu = _bot_messages_after(bot, COORDINATOR_ID, 0)[-1]
        assert plain_text(menu["tree"]).startswith("Halo")
        labels_of = [b["text"] for row in menu["buttons"] for b in row]
        assert {"Undang peserta", "Bantuan", "Privasi"} <= set(labels_of), labels_of

        # A stranger gets the welcome that asks for the invitation link.
        _send(bot, UMKM_ID, "/start")
        welcome = _bot_messages_after(bot, UMKM_ID, 0)[-1]
        assert "Selamat datang di Pendamping UMKM" in plain_text(welcome["tree"])

        code, seconds = bot.terminate()
    assert code == 0, bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr
    assert "Application.stop() complete" in bot.stderr
    assert seconds < 5, f"stopping took {seconds:.1f} s"
    # Settings came from the environment given, not from a .env or the default ./data folder.
    assert bot.database.exists()


def _roles(database: Path) -> dict[int, set[str]]:
    """Telegram id -> roles, read straight from an SQLite file."""
    roles: dict[int, set[str]] = {}
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT p.telegram_id, r.role FROM person p"
            " LEFT JOIN person_role r ON r.person_id = p.id"
        ).fetchall()
    for telegram_id, role in rows:
        roles.setdefault(int(telegram_id), set()).update({role} if role else set())
    return roles


def test_the_simulator_never_touches_the_production_database(tmp_path: Path) -> None:
    production = tmp_path / "production.db"  # what pendamping_run sets DATABASE_URL to
    migrate.upgrade_sync(f"sqlite+aiosqlite:///{production}")
    before = production.read_bytes()
    # BOT_COORDINATORS names real accounts; here one that shares a persona's id.
    with pendamping_run(tmp_path, settings={"BOT_COORDINATORS": str(UMKM_ID)}) as bot:
        assert bot.production == production
        bot.wait_until_ready()
        _send(bot, COORDINATOR_ID, "/start")
        menu = _bot_messages_after(bot, COORDINATOR_ID, 0)[-1]
        assert plain_text(menu["tree"]).startswith("Halo")
        _send(bot, UMKM_ID, "/start")
        welcome = _bot_messages_after(bot, UMKM_ID, 0)[-1]
        assert "Selamat datang di Pendamping UMKM" in plain_text(welcome["tree"])
        code, _ = bot.terminate()
    assert code == 0, bot.stderr
    assert production.read_bytes() == before
    assert [p.name for p in tmp_path.glob("production.db*")] == ["production.db"]
    assert _roles(production) == {}
    simulated = _roles(bot.database)
    assert "coordinator" in simulated[COORDINATOR_ID]
    assert "coordinator" not in simulated.get(UMKM_ID, set())


@pytest.mark.parametrize("taken_by", ["web chat", "desk"])
def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path, taken_by: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        if taken_by == "desk":
            run = pendamping_run(tmp_path, settings={"BOT_DESK_PORT": f"127.0.0.1:{port}"})
        else:
            run = pendamping_run(tmp_path, port=port)
        with run as bot:
            code = bot.process.wait(timeout=60 + STOP_SECONDS)
    assert code == 2, bot.stderr
    assert "Traceback" not in bot.stderr, bot.stderr
    last = bot.stderr.strip().splitlines()[-1]
    assert f"port {'127.0.0.1:' if taken_by == 'desk' else ''}{port} is already in use" in last
    assert ("BOT_DESK_PORT" if taken_by == "desk" else "--port") in last
