"""Where a person is in a multi-step dialogue, kept in the database (survives restarts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import DialogueState

# `db.info` key: (the transaction, each person's dialogue as read in it, None for none).
_KNOWN_KEY = "dialogue.known"


def _known(db: AsyncSession) -> dict[int, DialogueState | None]:
    """People whose dialogue the current transaction has read (per transaction: what another
    process did after it is not trusted beyond its end). Holding the rows here also keeps
    them in the session's identity map, which holds unchanged rows only weakly."""
    transaction = db.sync_session.get_transaction()
    known = db.info.get(_KNOWN_KEY)
    if known is None or known[0] is not transaction:
        known = db.info[_KNOWN_KEY] = (transaction, {})
    found: dict[int, DialogueState | None] = known[1]
    return found


def seen(db: AsyncSession, person_id: int, state: DialogueState | None) -> None:
    """The caller read the person's dialogue (None: they are in none), e.g. with the person
    on arrival: `current` and `finish` need not ask again in this transaction."""
    _known(db)[person_id] = state


async def current(db: AsyncSession, person_id: int) -> DialogueState | None:
    known = _known(db)
    if person_id in known:
        return known[person_id]
    found = known[person_id] = await db.get(DialogueState, person_id)
    return found


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
        seen(db, person_id, state)
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
    known = _known(db)
    if person_id in known and known[person_id] is None:
        return
    await db.execute(delete(DialogueState).where(DialogueState.person_id == person_id))
    known[person_id] = None
