"""Shared fixtures: no network off loopback, a throwaway PostgreSQL, migrated databases."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from db import migrate
from db.session import create_engine, create_session_factory
from tests.support.postgres import pg_bin, throwaway_cluster

IN_CI = bool(os.environ.get("CI"))

# Fixtures that several folders use live in tests/support and are registered here.
pytest_plugins = ["tests.support.world", "tests.support.logs", "tests.support.desk"]

# --- no connection leaves this machine ---------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    try:
        loopback = ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        loopback = str(host) == "localhost"
    if not loopback:
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(self, address)
    _real_connect(self, address)  # type: ignore[arg-type]  # address shape checked above


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]  # as above


socket.socket.connect = _guarded_connect  # type: ignore[assignment]  # test-wide guard
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[assignment]  # as above


# --- a throwaway PostgreSQL cluster ---------------------------------------------------------


@dataclass
class PostgresCluster:
    url: str  # postgresql+asyncpg://postgres@127.0.0.1:PORT/
    admin_url: str


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster | None]:
    """A cluster for this test run (or TEST_POSTGRES_URL); None when none can be had."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield PostgresCluster(given.rstrip("/") + "/", given.rstrip("/") + "/postgres")
        return
    bindir = pg_bin()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are missing; `make test` installs them")
        yield None
        return
    with throwaway_cluster(bindir) as base:
        yield PostgresCluster(base, base + "postgres")


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: PostgresCluster | None) -> str | None:
    """A database migrated once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    if postgres_cluster is None:
        return None
    name = "pendamping_template"
    _pg_admin(postgres_cluster, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    migrate.upgrade_sync(postgres_cluster.url + name)
    return name


def _pg_admin(cluster: PostgresCluster, *statements: str) -> None:
    import asyncio

    async def run() -> None:
        engine = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                for statement in statements:
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_cluster: PostgresCluster | None,
    postgres_template: str | None,
) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    with _postgres_copy(postgres_cluster, postgres_template) as url:
        yield url


@pytest.fixture
def postgres_url(
    postgres_cluster: PostgresCluster | None, postgres_template: str | None
) -> Iterator[str]:
    """A freshly migrated, empty PostgreSQL database (for what only PostgreSQL can do)."""
    with _postgres_copy(postgres_cluster, postgres_template) as url:
        yield url


@contextlib.contextmanager
def _postgres_copy(cluster: PostgresCluster | None, template: str | None) -> Iterator[str]:
    if cluster is None or template is None:
        pytest.skip("PostgreSQL binaries not installed here (`make test` installs them)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    _pg_admin(cluster, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield cluster.url + name
    finally:
        with contextlib.suppress(Exception):
            _pg_admin(cluster, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    # Monday 7 December 2026, 09:00 WITA.
    return FakeClock(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))


# --- no request of the bot may break the Bot API, in any test --------------------------------


@pytest.fixture(autouse=True)
def _bot_api_conformance(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every local Bot API server a test starts must end the test with no violation.

    The server's own tests provoke violations on purpose and are left out.
    """
    from bot.localapi import LocalBotApi

    if request.node.path.parent.name == "localapi":
        yield
        return
    servers: list[LocalBotApi] = []
    original_start = LocalBotApi.start

    async def start(self: LocalBotApi) -> None:
        servers.append(self)
        await original_start(self)

    monkeypatch.setattr(LocalBotApi, "start", start)
    yield
    broken = [v for server in servers for v in server.violations]
    assert broken == [], f"a request broke the Bot API description: {broken}"
