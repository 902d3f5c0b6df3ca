"""Who opened the desk: the Mini App's `initData`, checked as Telegram documents it.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app: the
data-check-string is every received field but `hash`, as `key=value`, sorted by key, joined
by newlines; the secret key is HMAC-SHA256 of the bot token with the key "WebAppData"; the
hash is the hex HMAC-SHA256 of the data-check-string with that secret key. Telegram signs
the data once, when the Mini App is opened, so `auth_date` bounds how long it is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

# Clocks differ a little: data signed this far "in the future" is still accepted.
CLOCK_SKEW = timedelta(seconds=60)
MAX_LENGTH = 8192  # far above what Telegram sends; anything longer is not initData


class Refusal(StrEnum):
    """Why signed data was refused (logged; the data itself never is)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    FORGED = "forged"
    STALE = "stale"


class NotSignedIn(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    """The Telegram user the data was signed for."""

    telegram_id: int
    first_name: str
    signed_at: datetime


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> bytes:
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash").encode()


def _fields(init_data: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise NotSignedIn(Refusal.MALFORMED) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a field given twice: which one was signed?
        raise NotSignedIn(Refusal.MALFORMED)
    return fields


def verify(init_data: str | None, token: str, now: datetime, max_age: timedelta) -> WebAppUser:
    """The signed user, or NotSignedIn with the reason."""
    if not init_data:
        raise NotSignedIn(Refusal.MISSING)
    if len(init_data) > MAX_LENGTH:
        raise NotSignedIn(Refusal.MALFORMED)
    fields = _fields(init_data)
    given = fields.get("hash", "")
    expected = hmac.new(_secret(token), _check_string(fields), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotSignedIn(Refusal.FORGED)
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), now.tzinfo)
        user = json.loads(fields["user"])
        telegram_id, first_name = int(user["id"]), str(user.get("first_name", ""))
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise NotSignedIn(Refusal.MALFORMED) from None
    if not now - max_age <= signed_at <= now + CLOCK_SKEW:
        raise NotSignedIn(Refusal.STALE)
    return WebAppUser(telegram_id, first_name, signed_at)


def sign(token: str, user: dict[str, object], signed_at: datetime, **extra: str) -> str:
    """initData as Telegram makes it, for the simulator and the tests."""
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        **extra,
    }
    fields["hash"] = hmac.new(_secret(token), _check_string(fields), hashlib.sha256).hexdigest()
    return urlencode(fields)
