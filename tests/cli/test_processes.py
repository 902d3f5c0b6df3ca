"""The real `pendamping` process, with a token, against a Bot API server it is pointed at."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.localapi import LocalBotApi
from db.models import InboxUpdate
from db.session import create_engine, create_session_factory
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
        assert "Halo, Yuliana!" in reply.text
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
        assert "Halo, Yuliana!" in reply.text
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
        await _ready(api, COORDINATOR)
        await koordinator.send("/undang")
        await koordinator.press("Pelaku UMKM")
        await koordinator.send("Tenun Ina")
        await koordinator.expect("nama pemilik")
        # Killed at once: if Telegram was not yet told of "Tenun Ina", it comes again, and
        # the new process must not take it for the owner's name.
    finally:
        first.kill()  # no shutdown: the process just dies
        await first.wait()
    second = await _start(["run"], env, tmp_path)
    try:
        await _ready(api, COORDINATOR)
        await koordinator.send("Maria Ndun")
        await koordinator.expect("Bagaimana bot menyapa", timeout=30)
        await koordinator.press("Ibu")
        await koordinator.expect("sektor")
        await koordinator.press("Tenun ikat")
        await koordinator.press("Lewati")
        summary = await koordinator.expect("Mohon periksa undangan")
        assert "Tenun Ina" in summary.text
        assert "Maria Ndun" in summary.text
    finally:
        await _stop(second)


async def _ready(api: LocalBotApi, user_id: int) -> int:
    """Until a freshly started process answers (imports and migrations take a while)."""
    mark = api.activity_mark()
    update = await api.user_sends_text(user_id, "/bantuan")
    await api.wait_for_bot_message(user_id, timeout=60, after_index=mark)
    return int(update["update_id"])


async def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Check a condition the server gives no signal for (its log of calls) every 5 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.005)


def _polled_past(api: LocalBotApi, update_id: int) -> bool:
    """Whether the bot has asked for updates after this one (which tells Telegram it has it)."""
    return any(
        name == "getUpdates" and int(params.get("offset") or 0) > update_id
        for name, params in api.calls
    )


async def _inbox_rows(database_url: str, update_ids: list[int]) -> dict[int, datetime | None]:
    """update_id -> handled_at of the stored rows among these ids."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            rows = await db.execute(
                select(InboxUpdate.update_id, InboxUpdate.handled_at).where(
                    InboxUpdate.update_id.in_(update_ids)
                )
            )
            return {row.update_id: row.handled_at for row in rows}
    finally:
        await engine.dispose()


BATCH = 60
FIRST_PERSON = 8_300_001


@pytest.mark.parametrize(
    ("confirmed", "kill_after"),
    [(True, 0), (True, BATCH // 2), (False, BATCH // 2)],
    ids=["confirmed-at-once", "confirmed-midway", "redelivered-midway"],
)
async def test_killed_right_after_fetching_a_batch_everyone_is_answered_once(
    api: LocalBotApi, tmp_path: Path, confirmed: bool, kill_after: int
) -> None:
    """60 people send /start at once; SIGKILL once the bot asked past their batch (and, when
    midway, once half of them have their answer).

    confirmed: Telegram takes that request (it forgets the batch), so only what the bot
    stored can save the rest. redelivered: it never does, so the new process gets all 60
    again and must not answer anyone twice.
    """
    env = {**_env(api, tmp_path), "LOG_LEVEL": "INFO"}
    users = list(range(FIRST_PERSON, FIRST_PERSON + BATCH))
    for user_id in users:
        api.add_chat_user(user_id, f"Orang {user_id - FIRST_PERSON}")
    first = await _start(["run"], env, tmp_path)
    try:
        warm_up = await _ready(api, COORDINATOR)
        await _until(lambda: _polled_past(api, warm_up), 30, "the bot's next long poll")
        # The request after the batch is held this long before it takes effect: the bot is
        # killed first; when confirmed, Telegram takes it before the new process starts.
        api.faults.add("getUpdates", "delay", seconds=0.3 if confirmed else 600)
        batch = [(await api.user_sends_text(u, "/start"))["update_id"] for u in users]
        await _until(lambda: _polled_past(api, batch[-1]), 30, "the poll after the batch")
        await _until(
            lambda: sum(bool(api.chat_messages(u)) for u in users) >= kill_after,
            30,
            f"{kill_after} answers",
        )
    finally:
        first.kill()  # SIGKILL: no shutdown at all
    answered_at_kill = {u for u in users if api.chat_messages(u)}
    await first.wait()
    if confirmed:
        await _until(lambda: not api.pending_updates, 10, "Telegram to take the confirmation")
    else:
        assert set(batch) <= {u["update_id"] for u in api.pending_updates}
    rows = await _inbox_rows(env["DATABASE_URL"], batch)
    user_of = dict(zip(batch, users, strict=True))
    handled_at_kill = {user_of[i] for i, at in rows.items() if at is not None}
    in_flight = handled_at_kill - answered_at_kill  # committed; the reply may not have left

    second = await _start(["run"], env, tmp_path)
    try:
        # Started (its signal handlers too) even when nobody is left to answer: the replies
        # of a burst may all have left before the kill, or all be in flight.
        await _ready(api, COORDINATOR)
        for user_id in set(users) - in_flight:
            await api.wait_for_bot_message(user_id, timeout=60)
    finally:
        await _stop(second)  # a clean stop finishes every update in hand
    replies = {u: len(api.chat_messages(u)) for u in users}
    missing = {u for u, n in replies.items() if n == 0}
    twice = {u for u, n in replies.items() if n > 1}
    print(
        f"\nbatch of {BATCH}, {'confirmed' if confirmed else 'redelivered'}, killed after "
        f"{kill_after} answers: stored {len(rows)}, "
        f"handled before the kill {len(handled_at_kill)}, answered before the kill "
        f"{len(answered_at_kill)}, in flight {len(in_flight)}, never answered {len(missing)}, "
        f"answered twice {len(twice)}"
    )
    assert len(rows) == BATCH, "the batch was not stored before Telegram was told"
    assert not twice
    assert missing <= in_flight
    for user_id in set(users) - missing:
        assert "Selamat datang di Pendamping UMKM" in api.chat_messages(user_id)[0].text
    assert all(at is not None for at in (await _inbox_rows(env["DATABASE_URL"], batch)).values())
