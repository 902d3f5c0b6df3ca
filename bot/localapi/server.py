"""A fake Telegram: an in-memory Bot API server on 127.0.0.1 for tests and the simulator.

This module is the HTTP side (aiohttp): it reads each call, checks it against the Bot API
description and limits (spec.py, limits.py), injects faults (faults.py), lets methods.py
act on the world (world.py), and delivers updates to a webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField

from bot.localapi import webchat
from bot.localapi.errors import ApiError, BadRequest
from bot.localapi.faults import Faults
from bot.localapi.limits import SendRates
from bot.localapi.methods import BotMethods
from bot.localapi.spec import Upload, load_spec
from bot.localapi.world import World

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080  # the simulator's port when the CLI serves the web chat
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_REQUEST_BYTES = 60 * 1024 * 1024  # room for a 50 MB upload, Telegram's limit for bots


class LocalBotApi(World):
    """An in-memory Bot API server speaking Telegram's HTTP protocol on 127.0.0.1."""

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "PendampingUMKMBot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_first_name: str = "Pendamping UMKM",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Prepare the server; call start() (or use `async with`) to listen."""
        super().__init__(token, bot_username, bot_first_name=bot_first_name, now=now)
        self.token = token
        self.host = host
        self.port = port
        self.spec = load_spec()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults = Faults()
        # Telegram's send rates, enforced only when a test or benchmark sets them.
        self.rates: SendRates | None = None
        self.methods = BotMethods(self, self.spec)
        self._runner: web.AppRunner | None = None
        self._webhook_session: ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.webchat: webchat.WebChat | None = None
        self.app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        webchat.add_routes(self.app, self)

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one, read back in .port)."""
        self._closing = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Release held getUpdates and long polls, then stop listening."""
        self.close()
        for task in list(self._tasks):
            task.cancel()
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        await self.stop()

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url()."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url()."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def url(self) -> str:
        """Root URL (the web chat page when enabled)."""
        return f"http://{self.host}:{self.port}/"

    def enable_webchat(
        self,
        personas: list[webchat.Persona],
        start_links: dict[int, str] | None = None,
        sign_init_data: webchat.SignInitData | None = None,
    ) -> webchat.WebChat:
        """Serve the web chat at / for these personas (callable before or after start());
        with sign_init_data, its web_app buttons open their Mini App."""
        for p in personas:
            if p.user_id not in self.users:
                self.add_chat_user(p.user_id, p.first_name)
        self.webchat = webchat.WebChat(self, personas, dict(start_links or {}), sign_init_data)
        return self.webchat

    def updates_queued(self) -> None:
        """Deliver to the webhook if one is set; wake the web chat to show what was said."""
        if self.webhook.get("url"):
            self._spawn(self._deliver_webhook())
        if self.webchat is not None:
            self._activity_signal.notify()

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        name = self.spec.method_name(request.match_info["method"])
        if name is None:
            self.violations.append(f"unknown method {request.match_info['method']!r}")
            return _error(ApiError(404, "Not Found"))
        try:
            params, uploads = await _read_params(request, self.spec.methods[name])
        except BadRequest as exc:
            self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        self.calls.append((name, params))
        try:
            checked = self.spec.validate(name, params, uploads)
        except BadRequest as exc:
            self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        if self.rates is not None:
            try:
                self.rates.check(name, checked, asyncio.get_running_loop().time())
            except ApiError as exc:
                return _error(exc)
        fault = self.faults.take(name, checked.get("chat_id"))
        if fault is not None:
            error = fault.error()
            if error is not None:
                return _error(error)
            await fault.before_call()
        try:
            result = await self.methods.call(name, checked, uploads)
        except ApiError as exc:
            if exc.error_code == 400 and "query is too old" in exc.description:
                self.violations.append(f"{name}: {exc.description}")
            return _error(exc)
        if fault is not None:
            await fault.after_call()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        path = request.match_info["path"]
        for f in self.files.values():
            if f.file_path == path:
                return web.Response(
                    body=f.data, content_type=f.mime_type or "application/octet-stream"
                )
        return _error(ApiError(404, "Not Found"))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_webhook(self) -> None:
        """POST pending updates to the webhook, in order, dropping each one answered 2xx."""
        url = self.webhook.get("url")
        if not url or not self.updates:
            return
        if self._webhook_session is None:
            self._webhook_session = ClientSession(timeout=ClientTimeout(total=10))
        headers = {}
        if self.webhook.get("secret_token"):
            headers[WEBHOOK_SECRET_HEADER] = str(self.webhook["secret_token"])
        while self.updates and self.webhook.get("url") == url:
            update = self.updates[0]
            try:
                async with self._webhook_session.post(url, json=update, headers=headers) as r:
                    ok = 200 <= r.status < 300
            except Exception as exc:
                log.warning("webhook delivery failed: %s", exc)
                ok = False
            if not ok:
                return
            with contextlib.suppress(ValueError):
                self.updates.remove(update)


def _error(exc: ApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.error_code)


async def _read_params(
    request: web.Request, method_spec: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and a form, multipart or JSON body."""
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, uploads
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise BadRequest("JSON body must be an object")
        params.update(body)
        return params, uploads
    names = {f["name"] for f in method_spec.get("fields", [])}
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, FileField):
            upload = Upload(value.file.read(), value.filename, value.content_type)
            uploads[key] = upload
            if key in names:
                params[key] = upload
        else:
            params[key] = str(value)
    return params, uploads
