"""Figures for Prometheus: counted where things happen, read from the database when scraped.

Counters and the latency histogram live in the process that counts them; with several
webhook workers the parent gives them one PROMETHEUS_MULTIPROC_DIR and any worker's
/metrics adds up all of them. What the database knows (outbox rows by state, the oldest due
row, updates waiting, the dispatcher's heartbeat) is read at scrape time, so every worker
tells the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from telegram import Update

from bot.inbox import UpdateDone
from bot.transport import AiohttpRequest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The update timer runs before every other handler group (the guards are -1).
TIMER_GROUP = -100

UPDATES = Counter("pendamping_updates_handled", "Updates handled (each one once)")
LATENCY = Histogram(
    "pendamping_update_seconds",
    "Time from an update's first handler to its replies sent",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SENDS = Counter(
    "pendamping_outbox_sends",
    "Outbox rows by outcome (sent, blocked, failed, retried, unknown, skipped)",
    ["outcome"],
)
FLOOD = Counter("pendamping_telegram_429", "Telegram's 429 Too Many Requests answers seen")

_OUTCOMES = ("sent", "blocked", "failed", "retried", "unknown", "skipped")


class UpdateTimer:
    """Times each update from its first handler to done, and counts it."""

    def __init__(self, chained: UpdateDone | None = None) -> None:
        self._chained = chained
        self._started: dict[int, float] = {}

    async def start(self, update: Update, _context: object) -> None:
        """A handler of the first group: it only notes the time."""
        self._started[update.update_id] = time.monotonic()

    def done(self, update_id: int) -> None:
        started = self._started.pop(update_id, None)
        if started is not None:
            LATENCY.observe(time.monotonic() - started)
            UPDATES.inc()
        if self._chained is not None:
            self._chained(update_id)


def dispatched(report: Mapping[str, int]) -> None:
    """Count a dispatcher pass's outcomes."""
    for outcome in _OUTCOMES:
        if report.get(outcome):
            SENDS.labels(outcome).inc(report[outcome])


class CountingRequest(AiohttpRequest):
    """The bot's HTTP requests, counting Telegram's 429 answers (handlers' and dispatcher's)."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, body = await super().do_request(*args, **kwargs)
        if code == 429:
            FLOOD.inc()
        return code, body


@dataclass(frozen=True)
class Facts:
    """What the database says at scrape time."""

    outbox: Mapping[str, int]
    outbox_lag_s: float
    inbox_backlog: int
    dispatcher_age_s: float | None  # seconds since the dispatcher's last beat; None: never


class _FactsCollector(Collector):
    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def collect(self) -> Iterator[Metric]:
        rows = GaugeMetricFamily(
            "pendamping_outbox_rows", "Outbox rows by state", labels=["state"]
        )
        for state, count in sorted(self.facts.outbox.items()):
            rows.add_metric([state], count)
        yield rows
        yield GaugeMetricFamily(
            "pendamping_outbox_lag_seconds",
            "How long the oldest due pending outbox row has waited",
            value=self.facts.outbox_lag_s,
        )
        yield GaugeMetricFamily(
            "pendamping_inbox_backlog",
            "Updates stored and not yet handled",
            value=self.facts.inbox_backlog,
        )
        if self.facts.dispatcher_age_s is not None:
            yield GaugeMetricFamily(
                "pendamping_dispatcher_heartbeat_age_seconds",
                "Seconds since the dispatcher (in whichever process leads) last ticked",
                value=self.facts.dispatcher_age_s,
            )


def exposition(facts: Facts) -> bytes:
    """The Prometheus text: this process's counters (or all workers'), then the facts."""
    extra = CollectorRegistry()
    extra.register(_FactsCollector(facts))
    if os.environ.get(MULTIPROCESS_ENV):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]  # untyped upstream
        return generate_latest(counted) + generate_latest(extra)
    return generate_latest(REGISTRY) + generate_latest(extra)
