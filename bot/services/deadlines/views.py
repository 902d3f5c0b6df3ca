"""What the deadline screens show: frozen views of deadlines, agencies and their answers.

Renderers take these, never ORM rows. A focal point's view of one deadline comes only through
`focal_assignment`, which checks that the deadline is their own agency's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import agencies, people
from bot.services.deadlines.lookup import (
    Target,
    check_member,
    get_open,
    open_deadlines,
    target,
    targets,
    targets_of,
)
from bot.services.deadlines.parsing import parse_offsets
from bot.services.deadlines.series import all_done, followed
from bot.services.errors import NotFound
from db.models import (
    AckStatus,
    Agency,
    Deadline,
    DeadlineAck,
    DeadlineKind,
    ExtensionRequest,
    ExtensionStatus,
    Person,
    Recurrence,
)


@dataclass(frozen=True)
class AgencyRef:
    id: int
    name: str  # the short name people know it by

    @classmethod
    def of(cls, agency: Agency) -> AgencyRef:
        return cls(agency.id, agency.short_name)


@dataclass(frozen=True)
class DeadlineInfo:
    """One deadline as the screens show it."""

    id: int
    title: str
    description: str | None
    due_at: datetime
    kind: DeadlineKind
    recurrence: Recurrence
    occurrence: int
    agency_id: int | None  # None: every agency
    offsets: tuple[int, ...]  # reminder days before, largest first
    hour: int  # local reminder time
    minute: int

    @classmethod
    def of(cls, deadline: Deadline) -> DeadlineInfo:
        return cls(
            id=deadline.id,
            title=deadline.title,
            description=deadline.description,
            due_at=deadline.due_at,
            kind=deadline.kind,
            recurrence=deadline.recurrence,
            occurrence=deadline.occurrence,
            agency_id=deadline.agency_id,
            offsets=parse_offsets(deadline.reminder_days),
            hour=deadline.reminder_hour,
            minute=deadline.reminder_minute,
        )


@dataclass(frozen=True)
class Assignment:
    """A deadline as one agency has it: with its own due date (after an extension)."""

    deadline: DeadlineInfo
    agency: AgencyRef
    due_at: datetime

    @classmethod
    def of(cls, deadline: Deadline, tgt: Target) -> Assignment:
        return cls(DeadlineInfo.of(deadline), AgencyRef.of(tgt.agency), tgt.due_at)


@dataclass(frozen=True)
class AgencyStatus:
    agency: AgencyRef
    due_at: datetime
    status: AckStatus | None  # the most advanced answer of its focal points
    answered_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineView:
    deadline: DeadlineInfo
    agencies: tuple[AgencyStatus, ...] = field(default=())
    agency: AgencyRef | None = None  # the one agency it is for; None: every agency


@dataclass(frozen=True)
class FocalList:
    """A focal point's open deadlines; `agency` None when they belong to no agency."""

    agency: AgencyRef | None
    items: tuple[DeadlineView, ...] = ()


@dataclass(frozen=True)
class ExtensionView:
    """A request for more time, with the deadline as the asking agency has it now."""

    id: int
    assignment: Assignment
    asked_by: str
    new_due_at: datetime
    reason: str
    status: ExtensionStatus
    decided_by: str | None
    deadline_cancelled: bool


_RANK = {AckStatus.DONE: 3, AckStatus.NEEDS_HELP: 2, AckStatus.IN_PROGRESS: 1}


async def view(db: AsyncSession, deadline: Deadline, agency_id: int | None = None) -> DeadlineView:
    return (await views_of(db, [deadline], agency_id))[0]


async def views_of(
    db: AsyncSession, deadlines: Sequence[Deadline], agency_id: int | None = None
) -> list[DeadlineView]:
    """The deadlines with each agency's answer (only `agency_id`'s when given), in three
    queries however many deadlines and agencies there are."""
    if not deadlines:
        return []
    acks: dict[int, list[tuple[DeadlineAck, str]]] = {}
    found = await db.execute(
        select(DeadlineAck, Person.full_name)
        .join(Person, Person.id == DeadlineAck.person_id)
        .where(DeadlineAck.deadline_id.in_([d.id for d in deadlines]))
        .order_by(DeadlineAck.at)
    )
    for ack, name in found.all():
        acks.setdefault(ack.deadline_id, []).append((ack, name))
    concerned = await targets_of(db, deadlines)
    return [_view(d, acks.get(d.id, []), concerned[d.id], agency_id) for d in deadlines]


def _view(
    deadline: Deadline,
    acks: Sequence[tuple[DeadlineAck, str]],
    concerned: Sequence[Target],
    agency_id: int | None,
) -> DeadlineView:
    rows: list[AgencyStatus] = []
    for tgt in concerned:
        if agency_id is not None and tgt.agency.id != agency_id:
            continue
        mine = [(a, name) for a, name in acks if a.agency_id == tgt.agency.id]
        best = max((a.status for a, _ in mine), key=lambda s: _RANK[s], default=None)
        rows.append(
            AgencyStatus(AgencyRef.of(tgt.agency), tgt.due_at, best, tuple(n for _, n in mine))
        )
    # A deadline of one agency concerns that agency alone (none when it was removed).
    own = concerned[0].agency if deadline.agency_id is not None and concerned else None
    return DeadlineView(
        DeadlineInfo.of(deadline), tuple(rows), AgencyRef.of(own) if own is not None else None
    )


async def for_focal_point(db: AsyncSession, person_id: int) -> list[DeadlineView]:
    """Open deadlines of the person's agencies, soonest first.

    An occurrence of a series that the agency has done and that has a next one is left out:
    the next one takes its place.
    """
    agency = await agencies.agency_of(db, person_id)
    return await _open_for(db, agency) if agency is not None else []


async def _open_for(db: AsyncSession, agency: Agency) -> list[DeadlineView]:
    replaced = await followed(db)
    views = await views_of(db, await open_deadlines(db, agency.id), agency.id)
    views = [
        v
        for v in views
        if not (
            v.deadline.id in replaced
            and v.agencies
            and all(a.status == AckStatus.DONE for a in v.agencies)
        )
    ]
    return sorted(views, key=lambda v: v.agencies[0].due_at if v.agencies else v.deadline.due_at)


async def focal_list(db: AsyncSession, person_id: int) -> FocalList:
    """The focal point's agency and its open deadlines (/tenggat)."""
    agency = await agencies.agency_of(db, person_id)
    if agency is None:
        return FocalList(None)
    return FocalList(AgencyRef.of(agency), tuple(await _open_for(db, agency)))


async def overview(db: AsyncSession) -> list[DeadlineView]:
    """Every open deadline; of a series, the current occurrence and the unfinished ones."""
    replaced = await followed(db)
    shown = [
        d for d in await open_deadlines(db) if not (d.id in replaced and await all_done(db, d))
    ]
    return await views_of(db, shown)


async def details(db: AsyncSession, deadline_id: int) -> DeadlineView:
    """One open deadline with every agency's answer (Stale once cancelled)."""
    return await view(db, await get_open(db, deadline_id))


async def info(db: AsyncSession, deadline_id: int) -> DeadlineInfo:
    """One open deadline (Stale once cancelled, NotFound when there is none)."""
    return DeadlineInfo.of(await get_open(db, deadline_id))


async def focal_assignment(
    db: AsyncSession, deadline_id: int, agency_id: int, person_id: int
) -> Assignment:
    """An open deadline of the focal point's own agency; NotAllowed for any other agency's."""
    deadline = await get_open(db, deadline_id)
    agency = await check_member(db, deadline, person_id, agency_id)
    return Assignment.of(deadline, await target(db, deadline, agency))


async def focal_deadline(
    db: AsyncSession, deadline_id: int, agency_id: int, person_id: int
) -> tuple[Assignment, AgencyStatus | None]:
    """One open deadline of the focal point's own agency, with the agency's answer so far."""
    deadline = await get_open(db, deadline_id)
    agency = await check_member(db, deadline, person_id, agency_id)
    found = await view(db, deadline, agency.id)
    status = found.agencies[0] if found.agencies else None
    return Assignment.of(deadline, await target(db, deadline, agency)), status


async def find_assignment(db: AsyncSession, deadline_id: int, agency_id: int) -> Assignment | None:
    """A deadline (cancelled ones too) as an agency has it, for messages sent later."""
    deadline = await db.get(Deadline, deadline_id)
    agency = await agencies.get(db, agency_id)
    if deadline is None or agency is None:
        return None
    return Assignment.of(deadline, await target(db, deadline, agency))


async def extension_view(db: AsyncSession, request_id: int) -> ExtensionView | None:
    """A request for more time as coordinators and focal points see it; None when gone."""
    request = await db.get(ExtensionRequest, request_id)
    if request is None:
        return None
    found = await find_assignment(db, request.deadline_id, request.agency_id)
    deadline = await db.get(Deadline, request.deadline_id)
    if found is None or deadline is None:
        return None
    return ExtensionView(
        id=request.id,
        assignment=found,
        asked_by=await _name(db, request.requested_by_id),
        new_due_at=request.new_due_at,
        reason=request.reason,
        status=request.status,
        decided_by=await _name(db, request.decided_by_id) if request.decided_by_id else None,
        deadline_cancelled=deadline.cancelled_at is not None,
    )


async def agency_choices(db: AsyncSession) -> list[AgencyRef]:
    """The agencies a deadline can be set for."""
    return [AgencyRef.of(a) for a in await agencies.all_agencies(db)]


async def agency_ref(db: AsyncSession, agency_id: int) -> AgencyRef:
    """One agency (NotFound when there is none)."""
    agency = await agencies.get(db, agency_id)
    if agency is None:
        raise NotFound()
    return AgencyRef.of(agency)


async def reach(db: AsyncSession, deadline_id: int) -> int:
    """How many focal points a deadline's reminders go to."""
    deadline = await db.get(Deadline, deadline_id)
    if deadline is None:
        return 0
    count = 0
    for tgt in await targets(db, deadline):
        count += len(await agencies.focal_points(db, tgt.agency.id))
    return count


async def _name(db: AsyncSession, person_id: int | None) -> str:
    person = await people.get(db, person_id) if person_id is not None else None
    return person.full_name if person is not None else "-"
