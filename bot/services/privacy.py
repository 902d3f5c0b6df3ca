"""Forgetting a person on request (UU No. 27 Tahun 2022): their personal data, not the programme's.

The person row goes (with roles, dialogue, memberships and unsent messages, by the tables'
cascades), and with it what they wrote or sent: their questions, their help messages and
extension reasons, the name on their invitation and on their answers as a mentor, and the
evidence files they uploaded that nobody else's records use. A business they owned keeps its
checklist history for the programme's figures, without the owner's name and phone number.
The audit trail keeps that a person was forgotten, not who.

People who opened an invitation but never consented are forgotten after `UNCONSENTED_DAYS`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import outbox, people
from bot.services.errors import Invalid, NotFound
from db.models import (
    AssessmentRating,
    Business,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    ExtensionRequest,
    Invitation,
    OutboxMessage,
    Person,
    PersonRole,
    Question,
    QuestionAnswer,
    Role,
)

# A person who opened an invitation link but never gave consent is deleted after this long.
UNCONSENTED_DAYS = 7
# Outbox kind: coordinators are told that someone deleted their data (roles only).
KIND_FORGOTTEN = "privacy.forgotten"
# What replaces a forgotten mentor's name on the answers they gave.
MENTOR_PLACEHOLDER = "Mentor"


class ForgottenNotice(outbox.Payload):
    """Someone deleted their data: to each coordinator, with their former roles only."""

    KINDS = (KIND_FORGOTTEN,)

    roles: tuple[Role, ...]


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
    return await forget_person(db, clock, person)


async def forget_person(db: AsyncSession, clock: Clock, person: Person) -> Forgotten:
    """Delete one person's personal data (the caller commits, then removes the files)."""
    roles = tuple(sorted(role.value for role in person.role_set))
    paths = await _release_evidence(db, person.id)
    asked = await db.execute(delete(Question).where(Question.asker_id == person.id))
    owned = await db.execute(
        update(Business)
        .where(Business.owner_id == person.id)
        .values(owner_id=None, owner_name="", phone=None)
    )
    await db.execute(
        update(Invitation).where(Invitation.used_by_id == person.id).values(invitee_name="")
    )
    await db.execute(
        update(QuestionAnswer)
        .where(QuestionAnswer.mentor_id == person.id)
        .values(mentor_name=MENTOR_PLACEHOLDER)
    )
    await db.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.requested_by_id == person.id)
        .values(reason="")
    )
    await _drop_messages_about(db, person.id)
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


async def _release_evidence(db: AsyncSession, person_id: int) -> tuple[str, ...]:
    """Delete the person's uploads that nobody else uses; keep shared files, unattributed.

    Files are stored once per content hash, so a photo two people sent is one row: it stays
    while another person's question, or a checklist or assessment not the person's, uses it.
    """
    uploads = (await db.scalars(select(Evidence).where(Evidence.person_id == person_id))).all()
    if not uploads:
        return ()
    ids = [e.id for e in uploads]
    others = select(Question.evidence_id).where(
        Question.evidence_id.in_(ids), Question.asker_id.is_distinct_from(person_id)
    )
    other_answers = (
        select(ChecklistAnswer.evidence_id)
        .join(ChecklistRun, ChecklistRun.id == ChecklistAnswer.run_id)
        .join(Business, Business.id == ChecklistRun.business_id)
        .where(
            ChecklistAnswer.evidence_id.in_(ids),
            Business.owner_id.is_distinct_from(person_id),
        )
    )
    ratings = select(AssessmentRating.evidence_id).where(AssessmentRating.evidence_id.in_(ids))
    shared = set((await db.scalars(others.union(other_answers, ratings))).all())
    kept = [e.id for e in uploads if e.id in shared]
    gone = [e for e in uploads if e.id not in shared]
    if kept:
        await db.execute(
            update(Evidence).where(Evidence.id.in_(kept)).values(person_id=None, filename=None)
        )
    if gone:
        await db.execute(delete(Evidence).where(Evidence.id.in_([e.id for e in gone])))
    return tuple(e.path for e in gone)


async def _drop_messages_about(db: AsyncSession, person_id: int) -> None:
    """Outbox rows sent to others that carry the person's own words (a help request)."""
    rows = (
        await db.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(
                OutboxMessage.recipient_id != person_id
            )
        )
    ).all()
    about = [
        row_id
        for row_id, payload in rows
        if isinstance(payload, dict) and payload.get("person_id") == person_id
    ]
    if about:
        await db.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(about)))


class LastCoordinator(Invalid):
    """The only coordinator cannot delete themselves: nobody would run the programme."""


async def withdraw(db: AsyncSession, clock: Clock, person: Person) -> Forgotten:
    """A person deletes their own data in the chat; the other coordinators are told."""
    coordinators = await people.with_role(db, Role.COORDINATOR)
    others = [c for c in coordinators if c.id != person.id]
    if Role.COORDINATOR in person.role_set and not others:
        raise LastCoordinator()
    forgotten = await forget_person(db, clock, person)
    for coordinator in others:
        await outbox.plan(
            db,
            clock,
            kind=KIND_FORGOTTEN,
            recipient_id=coordinator.id,
            dedupe_key=f"forgotten:{forgotten.person_id}",
            due_at=clock.now(),
            payload=ForgottenNotice(roles=tuple(Role(r) for r in forgotten.roles)),
        )
    return forgotten


async def purge_unconsented(db: AsyncSession, clock: Clock) -> list[Forgotten]:
    """Forget everyone who opened a link more than UNCONSENTED_DAYS ago and never consented."""
    cutoff = clock.now() - timedelta(days=UNCONSENTED_DAYS)
    with_roles = select(PersonRole.person_id)
    stale = (
        await db.scalars(
            select(Person).where(
                Person.consent_at.is_(None),
                Person.created_at < cutoff,
                Person.id.not_in(with_roles),
            )
        )
    ).all()
    return [await forget_person(db, clock, person) for person in stale]


async def remove_files(data_dir: Path, paths: tuple[str, ...]) -> None:
    """Remove forgotten evidence files (after the commit), off the event loop."""

    def remove() -> None:
        for relative in paths:
            (data_dir / relative).unlink(missing_ok=True)

    await asyncio.to_thread(remove)
