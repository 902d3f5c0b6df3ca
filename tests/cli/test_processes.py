"""The real `pendamping` process, with a token, against a Bot API server it is pointed at."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.localapi import LocalBotApi
from tests.support.cli import command_env

TOKEN = "515151:PROCESS-test-token"
COORDINATOR = 8_100_001


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN, bot_username="PendampingUMKMBot")
    await server.start()
    server.add_chat_user(COORDINATOR, "Yuliana")
    try:
        yield server
    finally:
        await server.stop()


async def _start(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=command_env(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    text = stderr.decode()
    assert process.returncode == 0, text
    assert "Traceback" not in text, text[text.find("Traceback") - 300 :][:2500]
    assert TOKEN not in text, "the token leaked into the log"
    return text


def _env(api: LocalBotApi, tmp_path: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "TELEGRAM_FILE_URL": api.base_file_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_COORDINATORS": str(COORDINATOR),
        "LOG_LEVEL": "DEBUG",
    }


async def test_polling_process_answers_through_the_given_server(
    api: LocalBotApi, tmp_path: Path
) -> None:
    process = await _start(["run"], _env(api, tmp_path), tmp_path)
    try:
        await api.user_sends_text(COORDINATOR, "/start")
        reply = await api.wait_for_bot_message(COORDINATOR, timeout=30)
        assert "Halo, Bapak/Ibu Yuliana!" in reply.text
    finally:
        await _stop(process)
    assert api.violations == []


async def test_webhook_process_checks_the_secret_and_answers(
    api: LocalBotApi, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **_env(api, tmp_path),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": "s3cret-webhook-token",
        "WEBHOOK_PORT": str(port),
        # At DEBUG, PTB logs the refused forged request below with its traceback.
        "LOG_LEVEL": "INFO",
    }
    process = await _start(["webhook"], env, tmp_path)
    try:
        for _ in range(300):  # until the worker has registered its webhook
            if api.webhook.get("url"):
                break
            await asyncio.sleep(0.1)
        assert api.webhook["secret_token"] == "s3cret-webhook-token"
        await api.user_sends_text(COORDINATOR, "/start")
        reply = await api.wait_for_bot_message(COORDINATOR, timeout=30)
        assert "Halo, Bapak/Ibu Yuliana!" in reply.text
        # A request without the secret is refused by the worker.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        await writer.drain()
        status = (await reader.readline()).decode()
        writer.close()
        assert " 403 " in status
    finally:
        log = await _stop(process)
    assert "s3cret-webhook-token" not in log


async def test_killed_mid_dialogue_a_new_process_continues_it(
    api: LocalBotApi, tmp_path: Path
) -> None:
    from tests.support.people import Person

    koordinator = Person(api, COORDINATOR + 1, "Rina")
    env = {**_env(api, tmp_path), "BOT_COORDINATORS": str(COORDINATOR + 1), "LOG_LEVEL": "INFO"}
    first = await _start(["run"], env, tmp_path)
    try:
        await koordinator.send("/undang")
        await koordinator.press("Pelaku UMKM")
        await koordinator.send("Tenun Ina")
        await koordinator.expect("nama pemilik")
        await asyncio.sleep(0.5)  # its next getUpdates confirms the update it handled
    finally:
        first.kill()  # no shutdown: the process just dies
        await first.wait()
    second = await _start(["run"], env, tmp_path)
    try:
        await koordinator.send("Maria Ndun")
        await koordinator.expect("sektor", timeout=30)
        await koordinator.press("Tenun ikat")
        await koordinator.press("Lewati")
        summary = await koordinator.expect("Mohon periksa undangan")
        assert "Tenun Ina" in summary.text
        assert "Maria Ndun" in summary.text
    finally:
        await _stop(second)
