"""An agency's sheets read and written: opened per period, rated, noted, submitted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content import Iso18091
from bot.i18n import N_
from bot.services import agencies
from bot.services.assessment.sheet import (
    NOTE_LIMIT,
    AgencyRow,
    Incomplete,
    NoAgency,
    Position,
    Rating,
    Sheet,
    parse_period,
    position_of,
)
from bot.services.errors import Invalid, NotFound, Stale
from db.models import (
    Agency,
    AgencyMember,
    Assessment,
    AssessmentCursor,
    AssessmentRating,
    AssessmentState,
    Light,
    Person,
)


async def _agency_for(db: AsyncSession, person_id: int) -> Agency:
    agency = await agencies.agency_of(db, person_id)
    if agency is None:
        raise NoAgency
    return agency


async def _insert(
    db: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    keys: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """INSERT … ON CONFLICT on either engine: two focal points tapping at once both succeed."""
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={name: values[name] for name in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    await db.execute(stmt)


async def _sheet(db: AsyncSession, assessment: Assessment, agency_name: str) -> Sheet:
    rows = (
        await db.scalars(
            select(AssessmentRating)
            .where(AssessmentRating.assessment_id == assessment.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    previous = await db.scalar(
        select(Assessment)
        .where(Assessment.agency_id == assessment.agency_id, Assessment.period < assessment.period)
        .order_by(Assessment.period.desc())
        .limit(1)
    )
    hints: dict[str, Light] = {}
    if previous is not None:
        for row in await db.scalars(
            select(AssessmentRating).where(AssessmentRating.assessment_id == previous.id)
        ):
            if row.light is not None:
                hints[row.indicator_id] = row.light
    return Sheet(
        id=assessment.id,
        agency_id=assessment.agency_id,
        agency_name=agency_name,
        period=assessment.period,
        state=assessment.state,
        submitted_at=assessment.submitted_at,
        ratings={
            r.indicator_id: Rating(
                r.indicator_id, r.light, r.note, r.evidence_id, r.rated_by_id, r.rated_at
            )
            for r in rows
        },
        hints=hints,
    )


async def open_current(
    db: AsyncSession, clock: Clock, person_id: int, period: str
) -> tuple[Sheet, Position | None]:
    """The agency's assessment of this period (a new draft if none) and where this person was."""
    agency = await _agency_for(db, person_id)
    now = clock.now()
    await _insert(
        db,
        Assessment,
        {
            "agency_id": agency.id,
            "period": period,
            "state": AssessmentState.DRAFT,
            "started_by_id": person_id,
            "started_at": now,
        },
        ("agency_id", "period"),
    )
    assessment = await db.scalar(
        select(Assessment)
        .where(Assessment.agency_id == agency.id, Assessment.period == period)
        .execution_options(populate_existing=True)
    )
    assert assessment is not None
    cursor = await db.get(AssessmentCursor, (assessment.id, person_id))
    position = Position(cursor.quadrant, cursor.page) if cursor is not None else None
    return await _sheet(db, assessment, agency.short_name), position


async def load(db: AsyncSession, person_id: int, assessment_id: int) -> Sheet:
    """An assessment of the person's own agency (any state); Stale for anyone else's."""
    assessment, agency = await _own(db, person_id, assessment_id)
    return await _sheet(db, assessment, agency.short_name)


async def _own(db: AsyncSession, person_id: int, assessment_id: int) -> tuple[Assessment, Agency]:
    await _agency_for(db, person_id)
    assessment = await db.get(Assessment, assessment_id, populate_existing=True)
    if assessment is None:
        raise Stale
    member = await db.get(AgencyMember, (assessment.agency_id, person_id))
    agency = await db.get(Agency, assessment.agency_id)
    if member is None or agency is None:
        raise Stale
    return assessment, agency


async def _own_draft(
    db: AsyncSession, person_id: int, assessment_id: int
) -> tuple[Assessment, Agency]:
    assessment, agency = await _own(db, person_id, assessment_id)
    if assessment.state is not AssessmentState.DRAFT:
        raise Stale
    return assessment, agency


async def remember_position(
    db: AsyncSession, clock: Clock, person_id: int, assessment_id: int, position: Position
) -> None:
    """Keep the page a focal point is on, so /penilaian reopens it."""
    await _insert(
        db,
        AssessmentCursor,
        {
            "assessment_id": assessment_id,
            "person_id": person_id,
            "quadrant": position.quadrant,
            "page": position.page,
            "updated_at": clock.now(),
        },
        ("assessment_id", "person_id"),
        ("quadrant", "page", "updated_at"),
    )


def _check_indicator(iso: Iso18091, indicator_id: str) -> None:
    try:
        iso.indicator(indicator_id)
    except KeyError:
        raise Stale from None


async def _touch(
    db: AsyncSession,
    clock: Clock,
    person_id: int,
    assessment_id: int,
    indicator_id: str,
    **changes: Any,
) -> None:
    values = {
        "assessment_id": assessment_id,
        "indicator_id": indicator_id,
        "light": None,
        "note": None,
        "evidence_id": None,
        "rated_by_id": person_id,
        "rated_at": clock.now(),
        **changes,
    }
    # Who gave the light, and when, changes only with the light itself.
    update = (*changes, "rated_by_id", "rated_at") if "light" in changes else tuple(changes)
    await _insert(db, AssessmentRating, values, ("assessment_id", "indicator_id"), update)


async def rate(
    db: AsyncSession,
    clock: Clock,
    iso: Iso18091,
    person_id: int,
    assessment_id: int,
    indicator_id: str,
    light: Light,
) -> Sheet:
    """Give an indicator its light (the last focal point to tap wins; who and when are kept)."""
    _check_indicator(iso, indicator_id)
    assessment, agency = await _own_draft(db, person_id, assessment_id)
    await _touch(db, clock, person_id, assessment_id, indicator_id, light=light)
    await remember_position(db, clock, person_id, assessment_id, position_of(iso, indicator_id))
    return await _sheet(db, assessment, agency.short_name)


async def check_editable(
    db: AsyncSession, iso: Iso18091, person_id: int, assessment_id: int, indicator_id: str
) -> None:
    """Stale unless the person may still add a note or photo to this indicator."""
    _check_indicator(iso, indicator_id)
    await _own_draft(db, person_id, assessment_id)


async def set_note(
    db: AsyncSession,
    clock: Clock,
    iso: Iso18091,
    person_id: int,
    assessment_id: int,
    indicator_id: str,
    note: str,
) -> Sheet:
    """Keep a short note with an indicator."""
    text = note.strip()
    if not text:
        raise Invalid(N_("the note is still empty. Please type your note."))
    if len(text) > NOTE_LIMIT:
        raise Invalid(
            N_("the note is too long ({length} characters). Please keep it to {limit}."),
            length=len(text),
            limit=NOTE_LIMIT,
        )
    _check_indicator(iso, indicator_id)
    assessment, agency = await _own_draft(db, person_id, assessment_id)
    await _touch(db, clock, person_id, assessment_id, indicator_id, note=text)
    return await _sheet(db, assessment, agency.short_name)


async def attach_evidence(
    db: AsyncSession,
    clock: Clock,
    iso: Iso18091,
    person_id: int,
    assessment_id: int,
    indicator_id: str,
    evidence_id: int,
) -> Sheet:
    """Keep a photo (already saved as evidence) with an indicator."""
    _check_indicator(iso, indicator_id)
    assessment, agency = await _own_draft(db, person_id, assessment_id)
    await _touch(db, clock, person_id, assessment_id, indicator_id, evidence_id=evidence_id)
    return await _sheet(db, assessment, agency.short_name)


async def submit(
    db: AsyncSession, clock: Clock, iso: Iso18091, person_id: int, assessment_id: int
) -> Sheet:
    """Send the assessment in once all 39 have a light; it is kept as it is from then on."""
    assessment, agency = await _own_draft(db, person_id, assessment_id)
    sheet = await _sheet(db, assessment, agency.short_name)
    missing = sheet.missing(iso)
    if missing:
        raise Incomplete(len(missing))
    assessment.state = AssessmentState.SUBMITTED
    assessment.submitted_by_id = person_id
    assessment.submitted_at = clock.now()
    await db.flush()
    return await _sheet(db, assessment, agency.short_name)


async def period_overview(db: AsyncSession, period: str) -> list[AgencyRow]:
    """Every agency with its lights for one period (empty lights when it has not started)."""
    parse_period(period)
    found = {
        a.agency_id: a
        for a in await db.scalars(select(Assessment).where(Assessment.period == period))
    }
    lights: dict[int, dict[str, Light]] = {agency_id: {} for agency_id in found}
    if found:
        by_assessment = {a.id: a.agency_id for a in found.values()}
        for row in await db.scalars(
            select(AssessmentRating).where(AssessmentRating.assessment_id.in_(by_assessment))
        ):
            if row.light is not None:
                lights[by_assessment[row.assessment_id]][row.indicator_id] = row.light
    rows = []
    for agency in await agencies.all_agencies(db):
        assessment = found.get(agency.id)
        rows.append(
            AgencyRow(
                agency_id=agency.id,
                name=agency.name,
                short_name=agency.short_name,
                state=assessment.state if assessment is not None else None,
                submitted_at=assessment.submitted_at if assessment is not None else None,
                lights=lights.get(agency.id, {}),
            )
        )
    return rows


async def agency_sheets(db: AsyncSession, agency_id: int, limit: int = 4) -> list[Sheet]:
    """The agency's assessments of its last `limit` periods, newest first, with notes."""
    agency = await agencies.get(db, agency_id)
    if agency is None:
        raise NotFound()
    found = await db.scalars(
        select(Assessment)
        .where(Assessment.agency_id == agency_id)
        .order_by(Assessment.period.desc())
        .limit(limit)
    )
    return [await _sheet(db, assessment, agency.short_name) for assessment in found.all()]


async def names(db: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    """Full names of the people who rated, for "dinilai oleh …"."""
    if not person_ids:
        return {}
    people = await db.scalars(select(Person).where(Person.id.in_(person_ids)))
    return {p.id: p.full_name for p in people}
