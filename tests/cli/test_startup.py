"""`pendamping run` when Telegram refuses the token or cannot be reached: one line, status 2."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.support.cli import command_env

TOKEN = "987654321:AAH-start-up-test-secret-part"
RUN_TIMEOUT = 120


@pytest.fixture
async def refusing_api(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A Bot API on 127.0.0.1 that answers every call with the given status (401 or 404)."""
    status: int = request.param

    async def refuse(_: web.Request) -> web.Response:
        body = {"ok": False, "error_code": status, "description": "Unauthorized"}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def _run(tmp_path: Path, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _settings(tmp_path: Path, api_url: str) -> dict[str, str]:
    return command_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        }
    )


def _one_line_without_token(out: str, err: str) -> str:
    assert TOKEN.partition(":")[2] not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("refusing_api", [401, 404], indirect=True)
async def test_a_rejected_token_is_one_line_and_status_2(
    tmp_path: Path, refusing_api: str
) -> None:
    status, out, err = await _run(tmp_path, _settings(tmp_path, refusing_api))
    assert status == 2, err
    line = _one_line_without_token(out, err)
    assert "rejected TELEGRAM_BOT_TOKEN" in line


async def test_an_unreachable_api_is_one_line_and_status_2(
    tmp_path: Path, closed_port: int
) -> None:
    api_url = f"http://127.0.0.1:{closed_port}/bot"
    status, out, err = await _run(tmp_path, _settings(tmp_path, api_url))
    assert status == 2, err
    line = _one_line_without_token(out, err)
    assert f"cannot reach the Bot API at {api_url}" in line
