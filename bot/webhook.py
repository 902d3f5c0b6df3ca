"""`pendamping webhook`: N worker processes behind one port, each with its own Application.

The parent migrates, binds the port, registers the webhook with Telegram once, then starts
the workers, which inherit the listening socket (the kernel hands each connection to one of
them), and starts a new one when one dies. A worker checks Telegram's secret header, stores
the update in the inbox before it answers 200 (Telegram redelivers anything not answered),
and handles it; a person's updates are ordered across workers by a lock in the database
(`bot.services.locks.lock_person`). Every worker may dispatch; one at a time does
(`bot.dispatcher.leader`). With one worker there is no parent: the process serves itself.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from sqlalchemy.pool import NullPool
from telegram import Bot, Update

from bot import health, metrics
from bot.context import BotApplication
from bot.runner import stop_app, stop_on_signals, wait_for_signal
from bot.services import locks
from bot.settings import Settings
from db.session import create_engine, is_sqlite

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# A worker that dies this soon after its start, this many times in a row, stops everything.
QUICK_DEATH_S = 10.0
QUICK_DEATHS = 5
STOP_GRACE_S = 30.0


def bind(settings: Settings) -> socket.socket:
    """The listening socket every worker shares (raises OSError when the port is taken)."""
    family = socket.AF_INET6 if ":" in settings.webhook_listen else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.webhook_listen, settings.webhook_port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
    )


async def set_webhook(settings: Settings) -> None:
    """Tell Telegram where to send updates, with the secret and how many connections."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    async with _bot(settings) as bot:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=settings.webhook_max_connections,
        )
    log.info("webhook registered (at most %d connections)", settings.webhook_max_connections)


async def delete_webhook(settings: Settings) -> None:
    """Stop Telegram sending updates here (it keeps them until someone polls or sets one)."""
    async with _bot(settings) as bot:
        await bot.delete_webhook()


def web_app(app: BotApplication, secret: str) -> web.Application:
    """POST /telegram (updates), GET /healthz, GET /metrics, and the desk under /desk/."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning(
                "webhook request from %s refused: %s secret token",
                request.remote,
                "a wrong" if given else "no",
            )
            return web.Response(status=403)
        try:
            data: Any = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON\n")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update\n")
        # Stored before the answer: an error here is a 500, and Telegram sends it again.
        await app.update_queue.put(Update.de_json(data, app.bot))
        return web.Response()

    deps = app.bot_data.require()
    served = web.Application()
    served.add_routes([web.post(PATH, receive), *health.routes(deps)])
    if deps.settings.desk_url:  # the desk beside the webhook, under /desk/
        from bot.desk import server

        server.mount(served, app)
    return served


@asynccontextmanager
async def _one_at_a_time(settings: Settings) -> AsyncIterator[None]:
    """Workers seed the database at start one after another (PostgreSQL; SQLite is one)."""
    if is_sqlite(settings.database_url):
        yield
        return
    engine = create_engine(settings.database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await locks.role_lock(conn, locks.START_UP)
            yield  # closing the connection (no pool) ends the session, and the lock
    finally:
        await engine.dispose()


async def serve_worker(
    app: BotApplication, sock: socket.socket, parent_fd: int | None = None
) -> None:
    """One worker: start the application, take updates on `sock` until a signal, stop.

    `parent_fd` is a pipe from the parent: when it closes (the parent died, even by
    SIGKILL), the worker stops too rather than serve on unsupervised.
    """
    orphaned = asyncio.Event()
    if parent_fd is not None:
        asyncio.get_running_loop().add_reader(parent_fd, orphaned.set)
    settings = app.bot_data.require().settings
    assert settings.webhook_secret is not None
    stop = stop_on_signals()
    await app.initialize()
    async with _one_at_a_time(settings):
        if app.post_init is not None:  # seeds, command menus, updates stored but not handled
            await app.post_init(app)
    app.bot_data.begin_start_work()
    await app.start()
    runner = web.AppRunner(web_app(app, settings.webhook_secret.get_secret_value()))
    try:
        await runner.setup()
        await web.SockSite(runner, sock).start()
        log.info("webhook worker %d ready", os.getpid())
        await wait_for_signal(orphaned, stop)
        if orphaned.is_set():
            log.warning("webhook worker %d: the parent process is gone; stopping", os.getpid())
    finally:
        await runner.cleanup()  # no new requests; the ones in hand are answered
        await stop_app(app)


async def supervise(settings: Settings, workers: int, sock: socket.socket) -> int:
    """Start `workers` worker processes on the shared socket; replace any that dies."""
    metrics_dir = tempfile.mkdtemp(prefix="pendamping-metrics-")
    env = {**os.environ, metrics.MULTIPROCESS_ENV: metrics_dir}
    # The workers read this pipe; it closes when this process ends, however it ends.
    lifeline, keep = os.pipe()
    fds = (sock.fileno(), lifeline)
    argv = [sys.executable, "-m", "bot", "webhook", "--worker-fd", str(fds[0])]
    argv += ["--parent-fd", str(lifeline)]

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *argv, env=env, pass_fds=fds, stdin=asyncio.subprocess.DEVNULL
        )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    running: dict[asyncio.Task[int], tuple[asyncio.subprocess.Process, float]] = {}

    async def launch() -> None:
        process = await start()
        running[asyncio.ensure_future(process.wait())] = (process, time.monotonic())

    for _ in range(workers):
        await launch()
    log.info("%d webhook workers started", workers)
    stopping = asyncio.ensure_future(stop.wait())
    quick_deaths = 0
    status = 0
    try:
        while not stop.is_set():
            done, _ = await asyncio.wait([stopping, *running], return_when=asyncio.FIRST_COMPLETED)
            for ended in done - {stopping}:
                process, started = running.pop(ended)
                quick = time.monotonic() - started < QUICK_DEATH_S
                quick_deaths = quick_deaths + 1 if quick else 0
                log.warning(
                    "webhook worker %d exited with %s; starting another",
                    process.pid,
                    ended.result(),
                )
                if quick_deaths >= QUICK_DEATHS:
                    log.error("workers keep dying at start; stopping (see the lines above)")
                    status = 1
                    stop.set()
                    break
                await launch()
    finally:
        await _stop_all([process for process, _ in running.values()])
        stopping.cancel()
        os.close(keep)
        os.close(lifeline)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return status


async def _stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(STOP_GRACE_S):
            await asyncio.gather(*(p.wait() for p in processes))
    except TimeoutError:
        for process in processes:
            if process.returncode is None:
                log.warning("webhook worker %d did not stop in time: killed", process.pid)
                process.kill()
        await asyncio.gather(*(p.wait() for p in processes))
