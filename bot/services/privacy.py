"""Forgetting a person on request (UU No. 27 Tahun 2022): their personal data, not the programme's.

The person row goes (with roles, dialogue, memberships and unsent messages, by the tables'
cascades), and with it what they wrote or sent: their questions and the evidence files
they uploaded. A business they owned keeps its checklist history for the programme's
figures, without the owner's name and phone number. The audit trail keeps that a person
was forgotten, not who.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import people
from bot.services.errors import NotFound
from db.models import Business, Evidence, Question


@dataclass(frozen=True)
class Forgotten:
    person_id: int
    roles: tuple[str, ...]
    questions: int
    businesses: int
    evidence_paths: tuple[str, ...]  # relative to the data folder; remove after the commit


async def forget(db: AsyncSession, clock: Clock, telegram_id: int) -> Forgotten:
    """Delete a person's personal data; NotFound when nobody has this Telegram id."""
    person = await people.find_by_telegram_id(db, telegram_id)
    if person is None:
        raise NotFound()
    roles = tuple(sorted(role.value for role in person.role_set))
    paths = tuple(
        (await db.scalars(select(Evidence.path).where(Evidence.person_id == person.id))).all()
    )
    await db.execute(delete(Evidence).where(Evidence.person_id == person.id))
    asked = await db.execute(delete(Question).where(Question.asker_id == person.id))
    owned = await db.execute(
        update(Business)
        .where(Business.owner_id == person.id)
        .values(owner_id=None, owner_name="", phone=None)
    )
    person_id = person.id
    await db.delete(person)
    await db.flush()
    await people.audit(db, clock, None, "person.forgotten", roles=list(roles))
    return Forgotten(
        person_id,
        roles,
        int(asked.rowcount or 0),  # type: ignore[attr-defined]  # CursorResult has rowcount
        int(owned.rowcount or 0),  # type: ignore[attr-defined]  # as above
        paths,
    )


async def remove_files(data_dir: Path, paths: tuple[str, ...]) -> None:
    """Remove forgotten evidence files (after the commit), off the event loop."""

    def remove() -> None:
        for relative in paths:
            (data_dir / relative).unlink(missing_ok=True)

    await asyncio.to_thread(remove)
