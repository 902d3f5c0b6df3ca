"""What an operator runs around the bot: backups, the webhook's registration, health, metrics."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.localapi import LocalBotApi
from tests.support.cli import run_command
from tests.support.deployment import Deployment
from tests.support.pendamping_run import free_port

TOKEN = "535353:OPERATIONS-test-token"
ADD_AGENCY = "INSERT INTO agency (name, short_name, created_at) VALUES (?, ?, '2026-12-07')"


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _agencies(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [name for (name,) in db.execute("SELECT name FROM agency ORDER BY name")]


def test_a_backup_taken_while_in_use_restores_the_database_as_it_was(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    settings = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert run_command(["db", "upgrade"], tmp_path, settings).returncode == 0
    with sqlite3.connect(database) as db:
        db.execute(ADD_AGENCY, ("Dinas Koperasi", "Dinkop"))
    # Another connection holds a write transaction open: the backup still gets a copy.
    busy = sqlite3.connect(database, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    busy.execute(
        "INSERT INTO agency (name, short_name, created_at) VALUES ('Belum', 'Blm', '2026-12-07')"
    )
    backed = run_command(["db", "backup", "backup.db"], tmp_path, settings)
    busy.execute("COMMIT")
    busy.close()
    assert backed.returncode == 0, backed.stderr
    assert "backed up to backup.db" in backed.stdout
    assert (tmp_path / "backup.db").stat().st_mode & 0o077 == 0  # personal data: owner only
    assert _agencies(tmp_path / "backup.db") == ["Dinas Koperasi"]

    again = run_command(["db", "backup", "backup.db"], tmp_path, settings)
    assert again.returncode == 2
    assert again.stderr.strip() == "pendamping: backup.db exists already; choose a new file name"

    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM agency")
    restored = run_command(["db", "restore", "backup.db"], tmp_path, settings)
    assert restored.returncode == 0, restored.stderr
    assert _agencies(database) == ["Dinas Koperasi"]

    (tmp_path / "not-a-db.db").write_text("hello")
    refused = run_command(["db", "restore", "not-a-db.db"], tmp_path, settings)
    assert refused.returncode == 2
    assert "is not a SQLite database" in refused.stderr
    assert _agencies(database) == ["Dinas Koperasi"]


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    settings = {"DATABASE_URL": "postgresql+asyncpg://bot@127.0.0.1:1/pendamping"}
    result = run_command(["db", "backup", "x.dump"], tmp_path, settings)
    assert result.returncode == 2
    assert "pg_dump" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_several_webhook_workers_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "WEBHOOK_URL": "https://bot.example/telegram",
        "WEBHOOK_SECRET": "rahasia",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    result = run_command(["webhook", "--workers", "2"], tmp_path, settings)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "pendamping: several webhook workers need PostgreSQL (DATABASE_URL); "
        "SQLite serves one process"
    )


async def test_webhook_delete_tells_telegram_to_stop(api: LocalBotApi, tmp_path: Path) -> None:
    api.webhook = {"url": "https://bot.example/telegram", "secret_token": "rahasia"}
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    result = await asyncio.to_thread(run_command, ["webhook", "--delete"], tmp_path, settings)
    assert result.returncode == 0, result.stderr
    assert api.webhook == {}


async def test_a_second_poller_is_told_in_one_line_and_exits_2(
    api: LocalBotApi, tmp_path: Path
) -> None:
    api.faults.add("getUpdates", "409")  # Telegram: another getUpdates took over
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_DATA_DIR": str(tmp_path / "data"),
    }
    result = await asyncio.to_thread(run_command, ["run"], tmp_path, settings)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("pendamping: Telegram answered 409 Conflict: another process")
    assert "Traceback" not in result.stderr


async def test_polling_serves_health_and_metrics_on_the_metrics_port(
    api: LocalBotApi, tmp_path: Path
) -> None:
    port = free_port()
    deployment = Deployment(api, f"sqlite+aiosqlite:///{tmp_path}/bot.db", tmp_path, free_port())
    deployment.settings["BOT_METRICS_PORT"] = f"127.0.0.1:{port}"
    process = await deployment.start("run", ["run"])
    try:
        await deployment.ready("run", "health and metrics on")
        await api.user_sends_text(8_500_001, "/bantuan")
        await api.wait_for_bot_message(8_500_001, timeout=30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            # Nothing signals the dispatcher's first tick, nor the counter after the reply.
            health = await _poll(client, "/healthz", lambda text: '"ok": true' in text)
            metrics = await _poll(
                client, "/metrics", lambda text: "pendamping_updates_handled_total 1.0" in text
            )
    finally:
        assert await deployment.stop("run") == 0
    assert process.returncode == 0
    assert '"database": true' in health
    assert '"alive": true' in health
    assert '"inbox_backlog": 0' in health
    assert 'pendamping_outbox_rows{state="pending"} 0.0' in metrics
    assert "pendamping_telegram_429_total 0.0" in metrics


async def _poll(client: httpx.AsyncClient, path: str, good: Callable[[str], bool]) -> str:
    """GET the path every 100 ms until its body is good (30 s at most)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while not good(body := (await client.get(path)).text):
        assert loop.time() < deadline, body
        await asyncio.sleep(0.1)
    return body
