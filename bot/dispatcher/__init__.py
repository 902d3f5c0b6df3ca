"""The outbox dispatcher: claims due rows, composes them, sends at one pace, records outcomes.

`passes` holds one pass and says how delivery stays at most once without dropping anything
untried; `rows` its database steps; `pacing` the send rate; `runner` the wake-up.
"""

from __future__ import annotations

from bot.dispatcher.pacing import Pacer
from bot.dispatcher.passes import (
    BACKOFF,
    MAX_ATTEMPTS,
    DispatchReport,
    dispatch_once,
)
from bot.dispatcher.rows import LATE_AFTER, LEASE, claim_due, expire_leases, unreachable_people
from bot.dispatcher.runner import DispatchRunner, install, new_worker_id, runner_of

__all__ = [
    "BACKOFF",
    "LATE_AFTER",
    "LEASE",
    "MAX_ATTEMPTS",
    "DispatchReport",
    "DispatchRunner",
    "Pacer",
    "claim_due",
    "dispatch_once",
    "expire_leases",
    "install",
    "new_worker_id",
    "runner_of",
    "unreachable_people",
]
