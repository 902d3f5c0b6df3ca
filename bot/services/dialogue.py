"""Where a person is in a multi-step dialogue, kept in the database (survives restarts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import DialogueState

# `db.info` key: (the transaction, ids of people known in it to be in no dialogue).
_NONE_KEY = "dialogue.none"


def _known_none(db: AsyncSession) -> set[int]:
    """People the current transaction has seen in no dialogue (the set is per transaction:
    what another process did after it is not trusted beyond its end)."""
    transaction = db.sync_session.get_transaction()
    known = db.info.get(_NONE_KEY)
    if known is None or known[0] is not transaction:
        known = db.info[_NONE_KEY] = (transaction, set())
    found: set[int] = known[1]
    return found


def seen_none(db: AsyncSession, person_id: int) -> None:
    """The caller read that the person is in no dialogue (e.g. with the person, on arrival);
    `current` and `finish` need not ask again in this transaction."""
    _known_none(db).add(person_id)


async def current(db: AsyncSession, person_id: int) -> DialogueState | None:
    if person_id in _known_none(db):
        return None
    return await db.get(DialogueState, person_id)  # loaded with the person: no query


async def begin(
    db: AsyncSession,
    clock: Clock,
    person_id: int,
    flow: str,
    step: str,
    data: dict[str, Any] | None = None,
) -> DialogueState:
    """Start a dialogue, replacing any other one the person left half-way."""
    state = await current(db, person_id)
    if state is None:
        state = DialogueState(person_id=person_id, flow=flow, step=step)
        db.add(state)
        _known_none(db).discard(person_id)
    state.flow, state.step = flow, step
    state.data = dict(data or {})
    state.updated_at = clock.now()
    await db.flush()
    return state


async def advance(
    db: AsyncSession, clock: Clock, state: DialogueState, step: str, **data: Any
) -> DialogueState:
    """Move to the next step, merging new answers into the dialogue's data."""
    state.step = step
    state.data = {**state.data, **data}  # a new dict, so SQLAlchemy sees the JSON change
    state.updated_at = clock.now()
    await db.flush()
    return state


async def finish(db: AsyncSession, person_id: int) -> None:
    known = _known_none(db)
    if person_id in known:
        return
    await db.execute(delete(DialogueState).where(DialogueState.person_id == person_id))
    known.add(person_id)
