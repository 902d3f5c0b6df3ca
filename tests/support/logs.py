"""The process's own log configuration (bot/logs.py), captured in a buffer for a test."""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

ProcessLog = Callable[[str, list[str]], io.StringIO]


@pytest.fixture
def process_log() -> Iterator[ProcessLog]:
    """Configures logging as `pendamping` does (level, secrets) into a buffer; undone after."""
    from bot import logs

    names = ("", *logs.OWN_LOGGERS, *logs.INFO_LOGGERS)
    levels = {name: logging.getLogger(name).level for name in names}
    hooks = sys.excepthook, threading.excepthook
    handlers: list[logging.Handler] = []

    def configure(level: str, secrets: list[str]) -> io.StringIO:
        stream = io.StringIO()
        handlers.append(logs.configure(level, secrets, stream))
        return stream

    yield configure
    for handler in handlers:
        logging.getLogger().removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    sys.excepthook, threading.excepthook = hooks
