"""The process's log: secrets removed from every line, libraries quiet about what they carry."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import create_engine, text
from telegram.error import InvalidToken

from bot.settings import SettingsError, load_settings
from tests.support.logs import ProcessLog

TOKEN = "123456789:AAE-the-secret-part_of-a-token"
WEBHOOK_SECRET = "webhook-shared-secret-42"


@pytest.fixture
def log_output(process_log: ProcessLog) -> io.StringIO:
    return process_log("DEBUG", [TOKEN, WEBHOOK_SECRET])


def _reject(token: str) -> None:
    # What PTB raises when Telegram answers 401: the token is in the message.
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{quote(token, safe='')}/getMe")
    except ConnectionError as exc:
        raise InvalidToken(f"The token `{token}` was rejected by the server.") from exc


def _assert_clean(output: str) -> None:
    assert TOKEN not in output
    assert TOKEN.partition(":")[2] not in output
    assert quote(TOKEN, safe="") not in output
    assert WEBHOOK_SECRET not in output


def test_an_exception_carrying_the_token_is_logged_without_it(log_output: io.StringIO) -> None:
    try:
        _reject(TOKEN)
    except InvalidToken:
        logging.getLogger("bot.test").exception("start failed for %s", TOKEN)
    logging.getLogger("bot.test").warning("webhook secret %s", WEBHOOK_SECRET)

    output = log_output.getvalue()
    _assert_clean(output)
    assert "Traceback" in output
    assert "The token `[REDACTED]` was rejected" in output
    assert "bot[REDACTED]/getMe" in output  # the URL-quoted token in the chained exception
    assert "webhook secret [REDACTED]" in output


def test_an_uncaught_exception_is_redacted_too(log_output: io.StringIO) -> None:
    try:
        _reject(TOKEN)
    except InvalidToken:
        sys.excepthook(*sys.exc_info())

    output = log_output.getvalue()
    _assert_clean(output)
    assert "unexpected error" in output
    assert "InvalidToken" in output


def test_postgres_repeats_no_value_of_a_broken_constraint(log_output: io.StringIO) -> None:
    detail = 'duplicate key value violates unique constraint "invitation_code_key"\n'
    detail += "DETAIL:  Key (code)=(Zq8xPLm3Invite) already exists."
    logging.getLogger("bot.test").error("write failed: %s", detail)

    output = log_output.getvalue()
    assert "Zq8xPLm3Invite" not in output
    assert "Key (code)=([REDACTED]) already exists" in output


def test_at_debug_libraries_do_not_log_the_values_they_carry(log_output: io.StringIO) -> None:
    # SQLAlchemy logs every statement with its bound values once its logger is at INFO.
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("SELECT :said"), {"said": "pesan rahasia dari pelaku UMKM"})
    engine.dispose()
    logging.getLogger("bot.dispatcher").debug("our own debug line")

    output = log_output.getvalue()
    assert "pesan rahasia" not in output
    assert "our own debug line" in output
    for library in ("telegram.ext.Application", "telegram.Bot", "httpx", "aiosqlite"):
        assert not logging.getLogger(library).isEnabledFor(logging.DEBUG), library
    assert logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)


def test_an_unknown_log_level_is_a_setting_error() -> None:
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load_settings(LOG_LEVEL="chatty")


async def test_a_job_run_skipped_while_the_last_one_runs_is_not_a_warning(
    log_output: io.StringIO,
) -> None:
    """Our jobs run one at a time on purpose (bot.jobs.JOB_KWARGS): a skipped turn is normal."""
    scheduler = AsyncIOScheduler()
    finish = asyncio.Event()
    skipped = asyncio.Event()

    async def slow() -> None:
        await finish.wait()

    scheduler.add_listener(lambda _event: skipped.set(), EVENT_JOB_MAX_INSTANCES)
    first = datetime.now(UTC)
    scheduler.add_job(slow, "interval", seconds=0.05, max_instances=1, next_run_time=first)
    scheduler.start()
    try:
        await asyncio.wait_for(skipped.wait(), 10)
    finally:
        finish.set()
        scheduler.shutdown(wait=False)
    assert "skipped" not in log_output.getvalue()
    logging.getLogger("apscheduler.scheduler").error("a job that cannot be scheduled")
    assert "cannot be scheduled" in log_output.getvalue()
