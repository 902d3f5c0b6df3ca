"""bot/transport.py between a real Bot and an HTTP server on 127.0.0.1: what arrives there,
and what its errors mean for a send."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.limits import certainly_not_sent, may_have_arrived
from bot.transport import AiohttpRequest
from tests.support.pendamping_run import free_port

TOKEN = "1:TRANSPORT"
ME = {"id": 1, "is_bot": True, "first_name": "Pendamping", "username": "PendampingUMKMBot"}
SENT = {"message_id": 5, "date": 0, "chat": {"id": 7, "type": "private"}, "from": ME}


class _Server:
    """Answers like the Bot API, records each body it got (JSON or a multipart form) with
    its type, and can stall a send."""

    def __init__(self) -> None:
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self.content_types: list[str] = []
        self.release = asyncio.Event()
        self.stalling = False

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.content_types.append(request.content_type)
        if request.content_type == "application/json":
            self.forms.append((method, await request.json()))
            return await self._answer(method)
        form = await request.post()
        self.forms.append(
            (
                method,
                {
                    name: (value.file.read(), value.filename)
                    if isinstance(value, web.FileField)
                    else value
                    for name, value in form.items()
                },
            )
        )
        return await self._answer(method)

    async def _answer(self, method: str) -> web.Response:
        if method == "getMe":
            return web.json_response({"ok": True, "result": ME})
        if self.stalling:
            await self.release.wait()
        return web.json_response({"ok": True, "result": SENT})


@pytest.fixture
async def server() -> AsyncIterator[tuple[_Server, int]]:
    state = _Server()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", state.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield state, port
    finally:
        state.release.set()
        await runner.cleanup()


def _bot(port: int) -> Bot:
    return Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        request=AiohttpRequest(4, read_timeout=0.3),
        get_updates_request=AiohttpRequest(1),
    )


async def test_parameters_arrive_as_one_json_object(server: tuple[_Server, int]) -> None:
    state, port = server
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="ca:1")]])
    async with _bot(port) as bot:
        sent = await bot.send_message(7, "halo", reply_markup=keyboard)
    assert sent.message_id == 5
    method, form = state.forms[-1]
    assert method == "sendMessage" and state.content_types[-1] == "application/json"
    # Each value as a form would carry it: the Bot API reads both alike.
    assert form["chat_id"] == "7" and form["text"] == "halo"
    assert json.loads(form["reply_markup"]) == keyboard.to_dict()


async def test_a_file_arrives_with_its_name_beside_the_parameters(
    server: tuple[_Server, int],
) -> None:
    state, port = server
    async with _bot(port) as bot:
        await bot.send_document(7, b"%PDF-1.4 bukti", filename="bukti.pdf", caption="Bukti")
    method, form = state.forms[-1]
    assert method == "sendDocument" and state.content_types[-1] == "multipart/form-data"
    assert form["chat_id"] == "7" and form["caption"] == "Bukti"
    assert form["document"] == (b"%PDF-1.4 bukti", "bukti.pdf")


async def test_no_server_means_certainly_not_sent() -> None:
    bot = _bot(free_port())
    await bot.request.initialize()  # no getMe: nothing listens
    try:
        with pytest.raises(NetworkError) as refused:
            await bot.send_message(7, "halo")
    finally:
        await bot.request.shutdown()
    assert certainly_not_sent(refused.value)
    assert not may_have_arrived(refused.value)


async def test_no_answer_in_time_may_have_arrived(server: tuple[_Server, int]) -> None:
    state, port = server
    async with _bot(port) as bot:
        state.stalling = True
        with pytest.raises(TimedOut) as late:
            await bot.send_message(7, "halo")
    assert state.forms[-1][0] == "sendMessage", "the request reached the server"
    assert may_have_arrived(late.value)
    assert not certainly_not_sent(late.value)
