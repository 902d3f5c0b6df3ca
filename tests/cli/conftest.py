"""The command line as a subprocess, in an environment cleared of the developer's settings."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator

import pytest

SETTINGS_PREFIXES = ("TELEGRAM_", "BOT_", "WEBHOOK_", "DATABASE_URL", "LOG_LEVEL", "PYTHONPATH")

EnvMaker = Callable[..., dict[str, str]]


@pytest.fixture
def cli_env() -> EnvMaker:
    """Makes os.environ without any bot setting, plus the settings given as keywords."""

    def make(**settings: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
        return {**env, **settings}

    return make


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections (bound, never listening) during the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
