"""Turning claimed rows into replies, read only: composing writes nothing.

Catch-up after downtime: rows claimed together that carry the same `payload["subject"]` for
the same recipient and kind group (`payload["group"]`, else the kind) are made pointless by
the newest one: only that one is sent, the older ones are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.compose import Kind
from bot.context import Deps
from bot.dispatcher.rows import Outcome
from bot.render import Reply
from bot.services import roles
from db.models import OutboxMessage, OutboxState, Person

log = logging.getLogger(__name__)


@dataclass
class Outgoing:
    """A composed row, ready to send."""

    row_id: int
    recipient_id: int
    chat_id: int
    reply: Reply
    due_at: datetime
    attempts: int
    claimed_at: datetime


# Rows composed in one transaction: SQLite has one connection, and the sends' `sending`
# marks (and people's replies) must not wait long for it (a chunk of plain reminders takes
# a few milliseconds).
COMPOSE_CHUNK = 50


async def compose(
    deps: Deps, kinds: Mapping[str, Kind[Any]], ids: list[int]
) -> AsyncIterator[tuple[list[Outgoing], list[Outcome]]]:
    """Replies for the claimed rows, a chunk at a time; rows that will not be sent get their
    outcome instead. Which rows a later one made pointless is decided over all of `ids`."""
    async with deps.sessions() as db, db.begin():
        subjects = (
            await db.execute(
                select(OutboxMessage.id, OutboxMessage.recipient_id, OutboxMessage.kind)
                .add_columns(OutboxMessage.payload)
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            )
        ).all()
    newest = _newest_per_subject(subjects)
    for start in range(0, len(ids), COMPOSE_CHUNK):
        yield await _compose_chunk(deps, kinds, ids[start : start + COMPOSE_CHUNK], newest)


async def _compose_chunk(
    deps: Deps,
    kinds: Mapping[str, Kind[Any]],
    ids: list[int],
    newest: dict[tuple[int, str, str], int],
) -> tuple[list[Outgoing], list[Outcome]]:
    outgoing: list[Outgoing] = []
    outcomes: list[Outcome] = []
    async with deps.sessions() as db:  # read only: closing the session rolls it back
        found = await db.execute(
            select(OutboxMessage, Person)
            .outerjoin(Person, Person.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
        for row, person in found.all():
            made = await _compose_row(db, deps, kinds, row, person, newest)
            if isinstance(made, Outcome):
                outcomes.append(made)
            else:
                outgoing.append(made)
    return outgoing, outcomes


async def _compose_row(
    db: AsyncSession,
    deps: Deps,
    kinds: Mapping[str, Kind[Any]],
    row: OutboxMessage,
    person: Person | None,
    newest: dict[tuple[int, str, str], int],
) -> Outgoing | Outcome:
    """The reply for one claimed row, or the row's final outcome when it will not be sent."""

    def final(state: OutboxState, error: str | None) -> Outcome:
        return Outcome(row.id, state, row.due_at, row.attempts, error=error)

    key = _subject_key(row)
    later = newest.get(key, row.id) if key is not None else row.id
    if later != row.id:
        return final(OutboxState.SKIPPED, f"made pointless by a later message ({later})")
    if person is None:
        return final(OutboxState.FAILED, "recipient not found")
    if person.unreachable_since is not None:
        since = person.unreachable_since.isoformat()
        return final(OutboxState.BLOCKED, f"recipient unreachable since {since}")
    if person.deactivated_at is not None and row.kind not in roles.KINDS_FOR_PAUSED:
        return final(OutboxState.SKIPPED, "recipient's access is paused")
    kind = kinds.get(row.kind)
    if kind is None:
        return final(OutboxState.FAILED, f"no composer for kind {row.kind!r}")
    try:
        payload = kind.payload.model_validate(row.payload)
    except ValidationError as exc:
        return final(OutboxState.FAILED, f"payload is not a {kind.payload.__name__}: {exc}")
    try:
        reply = await kind.compose(db, deps, deps.i18n.translator(person.locale), row, payload)
    except Exception as exc:
        log.exception("composer for %s failed on outbox row %s", row.kind, row.id)
        # What the composer left behind (on PostgreSQL an aborted transaction) is rolled
        # back; the loaded rows and people, detached first, stay readable for the next row.
        db.expunge_all()
        await db.rollback()
        return final(OutboxState.FAILED, f"composer failed: {exc!r}")
    if reply is None:
        return final(OutboxState.SKIPPED, None)
    claimed_at = row.claimed_at or deps.clock.now()
    return Outgoing(
        row.id, person.id, person.telegram_id, reply, row.due_at, row.attempts, claimed_at
    )


class _Subjected(Protocol):
    """What the catch-up rule reads of a row (a row, or its columns)."""

    @property
    def id(self) -> int: ...

    @property
    def recipient_id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


def _subject_key(row: _Subjected) -> tuple[int, str, str] | None:
    subject = row.payload.get("subject") if isinstance(row.payload, dict) else None
    if subject is None:
        return None
    group = row.payload.get("group") or row.kind
    return (row.recipient_id, str(group), str(subject))


def _newest_per_subject(rows: Sequence[_Subjected]) -> dict[tuple[int, str, str], int]:
    """For each (recipient, group, subject): the id of the newest row (rows come oldest first)."""
    newest: dict[tuple[int, str, str], int] = {}
    for row in rows:
        key = _subject_key(row)
        if key is not None:
            newest[key] = row.id
    return newest
