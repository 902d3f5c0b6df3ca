"""Where a person is in a multi-step dialogue, kept in the database (survives restarts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import DialogueState


async def current(db: AsyncSession, person_id: int) -> DialogueState | None:
    return await db.get(DialogueState, person_id)


async def begin(
    db: AsyncSession,
    clock: Clock,
    person_id: int,
    flow: str,
    step: str,
    data: dict[str, Any] | None = None,
) -> DialogueState:
    """Start a dialogue, replacing any other one the person left half-way."""
    state = await db.get(DialogueState, person_id)
    if state is None:
        state = DialogueState(person_id=person_id, flow=flow, step=step)
        db.add(state)
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
    await db.execute(delete(DialogueState).where(DialogueState.person_id == person_id))
