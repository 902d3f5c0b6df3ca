"""Logging for the process: what people say never reaches a log, and secrets never do either.

Our own loggers (``bot``, ``handlers``, ``db``, ``pendamping``) log at ``LOG_LEVEL``; every other
library stays at WARNING whatever the level, because at DEBUG they dump what passes through
them: PTB the updates and the parameters of each call (message texts, /start payloads, file
names), SQLAlchemy and aiosqlite the bound values of each statement, httpx the URLs that carry
the bot token. The formatter, not a filter, removes the secrets: it sees the finished line,
exception and traceback included, so no record reaches the output unredacted.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TextIO
from urllib.parse import quote

OWN_LOGGERS = ("bot", "handlers", "db", "pendamping")
# A library logger whose INFO lines say only what the process does (started, stopping).
INFO_LOGGERS = ("telegram.ext.Application",)
# APScheduler warns when it skips a run of a job still running: our jobs allow one at a time
# on purpose (a broadcast's progress edit waits its turn behind the messages at 30/s).
ERROR_LOGGERS = ("apscheduler.scheduler",)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"
# PostgreSQL repeats the offending values in a constraint error ("Key (code)=(...)").
_KEY_DETAIL = re.compile(r"(Key \([^)]*\)=\()[^\n]*?(\) )")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def _variants(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may be printed: whole, URL-quoted, and a token's part after the id."""
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        found.update({secret, quote(secret, safe="")})
        _, colon, private = secret.partition(":")
        if colon and len(private) >= 8:
            found.add(private)
    return sorted(found, key=len, reverse=True)  # longest first: no half-replaced secret


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret from the whole text it produced."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.secrets = _variants(secrets)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _KEY_DETAIL.sub(rf"\1{REDACTED}\2", text)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def formatException(self, ei: ExcInfo) -> str:
        # The record caches this text for other handlers: cache it clean.
        return self.redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self.redact(super().formatStack(stack_info))


def configure(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> logging.Handler:
    """Send the process's log to stream (stderr), redacted; returns the handler installed."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    own = logging.getLevelNamesMapping()[level.upper()]
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)
    for name in INFO_LOGGERS:
        logging.getLogger(name).setLevel(max(own, logging.INFO))
    for name in ERROR_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    return handler


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """An exception nobody caught goes through the redacting formatter too."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("pendamping").critical("unexpected error", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)
