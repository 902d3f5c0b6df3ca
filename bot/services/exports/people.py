"""Sheets of who takes part: people, businesses, their checklist answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.i18n import N_
from bot.services.exports.files import ExportKind, Label, Sheet, file_name, sector_name
from db.models import (
    Agency,
    AgencyMember,
    Business,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    Person,
)


async def people(db: AsyncSession, content: Content | None) -> Sheet:
    persons = (await db.scalars(select(Person).order_by(Person.full_name, Person.id))).all()
    agency = await _agency_of_people(db)
    owned = select(Business.owner_id, Business.name).where(Business.owner_id.is_not(None))
    business = dict((await db.execute(owned)).all())
    rows = tuple(
        (
            p.id,
            p.full_name,
            p.telegram_id,
            ", ".join(r.role.value for r in sorted(p.roles, key=lambda r: r.role.value)),
            agency.get(p.id),
            business.get(p.id),
            Label(N_("paused")) if p.deactivated_at is not None else Label(N_("active")),
            p.deactivated_at,
            p.unreachable_since,
            p.consent_at,
            p.created_at,
            p.locale,
        )
        for p in persons
    )
    headers = (
        N_("ID"),
        N_("Name"),
        N_("Telegram ID"),
        N_("Roles"),
        N_("Agency"),
        N_("Business"),
        N_("Status"),
        N_("Paused since"),
        N_("Unreachable since"),
        N_("Consent given"),
        N_("Joined"),
        N_("Language"),
    )
    return Sheet(ExportKind.PEOPLE, headers, rows)


async def _agency_of_people(db: AsyncSession) -> dict[int, str]:
    rows = await db.execute(
        select(AgencyMember.person_id, Agency.name)
        .join(Agency, Agency.id == AgencyMember.agency_id)
        .order_by(AgencyMember.person_id, Agency.id)
    )
    names: dict[int, list[str]] = {}
    for person_id, name in rows.all():
        names.setdefault(person_id, []).append(name)
    return {person_id: ", ".join(found) for person_id, found in names.items()}


async def businesses(db: AsyncSession, content: Content | None) -> Sheet:
    found = (await db.scalars(select(Business).order_by(Business.name, Business.id))).all()
    latest: dict[int, ChecklistRun] = {}
    for run in (
        await db.scalars(
            select(ChecklistRun)
            .where(ChecklistRun.submitted_at.is_not(None))
            .order_by(ChecklistRun.submitted_at, ChecklistRun.id)
        )
    ).all():
        latest[run.business_id] = run
    rows = tuple(
        (
            b.id,
            b.name,
            sector_name(content, b.sector),
            b.owner_name,
            b.phone,
            Label(N_("yes")) if b.owner_id is not None else Label(N_("no")),
            b.profile_confirmed_at,
            b.last_active_at,
            latest[b.id].score if b.id in latest else None,
            latest[b.id].submitted_at if b.id in latest else None,
            b.created_at,
        )
        for b in found
    )
    headers = (
        N_("ID"),
        N_("Business"),
        N_("Sector"),
        N_("Owner"),
        N_("Phone"),
        N_("Owner joined"),
        N_("Profile confirmed"),
        N_("Last active"),
        N_("Latest readiness (%)"),
        N_("Latest checklist sent"),
        N_("Registered"),
    )
    return Sheet(ExportKind.BUSINESSES, headers, rows)


async def checklists(db: AsyncSession, content: Content | None) -> Sheet:
    stmt = (
        select(ChecklistRun, Business, ChecklistAnswer, Evidence)
        .join(Business, Business.id == ChecklistRun.business_id)
        .join(ChecklistAnswer, ChecklistAnswer.run_id == ChecklistRun.id)
        .outerjoin(Evidence, Evidence.id == ChecklistAnswer.evidence_id)
        .order_by(Business.name, ChecklistRun.id, ChecklistAnswer.item_id)
    )
    rows = tuple(
        (
            business.name,
            run.id,
            run.checklist_id,
            run.version,
            run.state.value,
            run.submitted_at,
            run.score,
            answer.item_id,
            _question(content, business.sector, answer.item_id),
            answer.value.value if answer.value is not None else None,
            answer.note,
            file_name(evidence),
            evidence.created_at if evidence is not None else None,
            answer.answered_at,
        )
        for run, business, answer, evidence in (await db.execute(stmt)).all()
    )
    headers = (
        N_("Business"),
        N_("Run"),
        N_("Checklist"),
        N_("Version"),
        N_("Run status"),
        N_("Sent"),
        N_("Score (%)"),
        N_("Item"),
        N_("Question"),
        N_("Answer"),
        N_("Note"),
        N_("Evidence file"),
        N_("Evidence date"),
        N_("Answered"),
    )
    return Sheet(ExportKind.CHECKLISTS, headers, rows)


def _question(content: Content | None, sector: str, item_id: str) -> str | None:
    if content is None:
        return None
    try:
        return content.checklist_for(sector).item(item_id).question
    except KeyError:
        return None
