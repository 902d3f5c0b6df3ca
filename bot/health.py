"""`/healthz` and `/metrics`: on the webhook's port, or on BOT_METRICS_PORT when polling.

Healthy means: the database answers, a dispatcher ticked recently somewhere (its heartbeat
row), and no due outbox row has waited longer than BOT_HEALTH_MAX_LAG. The answer is 200
or 503 with the facts as JSON, so a load balancer and a person read the same thing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.context import Deps
from bot.services import ops

log = logging.getLogger(__name__)

DB_TIMEOUT_S = 5.0
# A dispatcher is alive when it ticked within this many intervals (and at least this long).
MISSED_TICKS = 3
MIN_SILENCE_S = 15.0


async def facts(deps: Deps) -> tuple[metrics.Facts, ops.Beat | None]:
    """The database's figures and the dispatcher's last beat (raises when it cannot read)."""
    async with asyncio.timeout(DB_TIMEOUT_S), deps.sessions() as db:
        depth = await ops.outbox_depth(db)
        lag = await ops.outbox_lag(db, deps.clock)
        backlog = await ops.inbox_backlog(db)
        beat = await ops.last_beat(db, ops.DISPATCHER)
    age = (deps.clock.now() - beat.beat_at).total_seconds() if beat is not None else None
    return metrics.Facts({s.value: n for s, n in depth.items()}, lag, backlog, age), beat


async def check(deps: Deps) -> tuple[bool, dict[str, Any]]:
    """Whether this deployment is healthy, and why (JSON-ready)."""
    try:
        found, beat = await facts(deps)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        log.warning("health check: the database does not answer (%s)", type(exc).__name__)
        return False, {"ok": False, "database": False, "error": type(exc).__name__}
    silence = max(MISSED_TICKS * deps.settings.dispatch_interval_s, MIN_SILENCE_S)
    age = found.dispatcher_age_s
    dispatcher_alive = age is not None and age <= silence
    lag_ok = found.outbox_lag_s <= deps.settings.health_max_lag_s
    ok = dispatcher_alive and lag_ok
    return ok, {
        "ok": ok,
        "database": True,
        "dispatcher": {
            "alive": dispatcher_alive,
            "holder": beat.holder if beat is not None else None,
            "since": beat.since.isoformat() if beat is not None else None,
            "heartbeat_age_s": round(age, 3) if age is not None else None,
        },
        "outbox": {"lag_s": round(found.outbox_lag_s, 3), "lag_ok": lag_ok, **found.outbox},
        "inbox_backlog": found.inbox_backlog,
    }


def routes(deps: Deps) -> list[web.RouteDef]:
    """GET /healthz and GET /metrics for an aiohttp application."""

    async def healthz(_request: web.Request) -> web.Response:
        ok, body = await check(deps)
        return web.json_response(body, status=200 if ok else 503)

    async def prometheus(_request: web.Request) -> web.Response:
        try:
            found, _ = await facts(deps)
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("metrics: the database does not answer (%s)", type(exc).__name__)
            return web.Response(status=503, text="database unavailable\n")
        return web.Response(
            body=metrics.exposition(found), headers={"Content-Type": metrics.CONTENT_TYPE}
        )

    return [web.get("/healthz", healthz), web.get("/metrics", prometheus)]
