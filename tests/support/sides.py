"""Two sides of the programme for authorization tests: the rows a person must not reach first.

`seed_other_side` fills a fresh database with two complete "other" parties (businesses with
checklist runs, evidence and questions; agencies with focal points, deadlines, extension
requests, self-assessments and unused invitations), so that the small ids 1 and 2 of every
table point at someone else. The person under test is added afterwards (`persona`), with
rows of their own under larger ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import agencies, checklists, evidence, invitations, people, questions
from bot.services import assessment as sa
from bot.services.deadlines import answers as deadline_answers
from bot.services.deadlines import changes as deadline_changes
from db.models import Agency, AnswerValue, Business, Light, Role
from db.models import Person as PersonRow
from tests.support.people import Person
from tests.support.png import tiny_png
from tests.support.world import World

# Marks that only the other side's rows contain: a reply showing one shows their data.
SECRETS = {
    "owner": "ZQO",
    "focal point": "ZQF",
    "business": "ZQB",
    "checklist note": "ZQN",
    "evidence file": "ZQV",
    "question": "ZQQ",
    "deadline": "ZQD",
    "extension reason": "ZQE",
    "invitee": "ZQI",
    "assessment note": "ZQA",
}


class Kind(StrEnum):
    """The kinds of person the authorization matrix runs for."""

    STRANGER = "stranger"
    OWNER = "owner"  # the owner of business A
    FOCAL = "focal"  # a focal point of agency A (the ids point at agencies B and C)
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class OtherSide:
    """What the other side owns: ids to forge buttons with, texts a reply must not show."""

    ints: tuple[int, ...]  # ids that every table's other-side rows have
    strs: tuple[str, ...]  # real string ids of their rows (checklist item, module, ...)
    secrets: dict[str, str]  # what -> a mark only their rows hold (SECRETS)
    agency_ids: tuple[int, ...]


@dataclass(frozen=True)
class _Refs:
    """The content their rows point at."""

    sector: str
    item: str
    module: str
    indicator: str
    period: str


async def seed_other_side(world: World) -> OtherSide:
    """Two businesses and two agencies with everything a person could point a button at."""
    content = world.deps.content
    sector = content.sector_keys[0]
    refs = _Refs(
        sector,
        content.checklist_for(sector).items[0].id,
        content.modules_for(sector)[0].id,
        content.iso18091.indicators[0].id,
        sa.period_of(world.clock.now(), world.deps.settings.timezone),
    )
    async with world.sessions() as db, db.begin():
        pilot = (await db.scalars(select(Agency).order_by(Agency.id))).all()
        assert len(pilot) >= 3, "the authorization tests need three agencies"
        # Owners first, then focal points: the people of both sides take ids 1-4.
        owners = [
            await _joined(db, world, f"Yakobus {n}{SECRETS['owner']}", Role.UMKM) for n in (1, 2)
        ]
        focals = [
            await _joined(db, world, f"Fokal {n}{SECRETS['focal point']}", Role.FOCAL)
            for n in (1, 2)
        ]
        for n, owner in enumerate(owners):
            await _business(db, world, refs, owner, n)
        for agency, focal in zip(pilot[:2], focals, strict=True):
            await agencies.add_member(db, world.clock, agency.id, focal.id)
            await _agency(db, world, refs, agency, focal)
        agency_ids = tuple(a.id for a in pilot[:2])
    return OtherSide(
        ints=(1, 2),
        strs=(refs.item, refs.module, refs.indicator, refs.period, sector, "x"),
        secrets=dict(SECRETS),
        agency_ids=agency_ids,
    )


async def _joined(db: AsyncSession, world: World, name: str, role: Role) -> PersonRow:
    """Someone of the other side: a Telegram user who joined and consented."""
    who = world.person(name)
    person = await people.register(db, world.clock, who.user_id, name, [role])
    person.consent_at = world.clock.now()
    return person


async def _business(db: AsyncSession, world: World, refs: _Refs, owner: PersonRow, n: int) -> None:
    """A business with a checklist run (answer, note, photo) and a question to mentors."""
    clock, content = world.clock, world.deps.content
    business = Business(
        name=f"Usaha {n}{SECRETS['business']}",
        sector=refs.sector,
        owner_name=owner.full_name,
        owner_id=owner.id,
        profile_confirmed_at=clock.now(),
        created_at=clock.now(),
    )
    db.add(business)
    await db.flush()
    run = (await checklists.start_or_resume(db, clock, content, business)).run.id
    await checklists.record_answer(
        db, clock, content, business, run, refs.item, AnswerValue.PARTLY
    )
    note = f"catatan {SECRETS['checklist note']}"
    await checklists.set_note(db, clock, content, business, run, refs.item, note)
    photo = await evidence.save_evidence(
        db,
        clock,
        world.settings.data_dir,
        person_id=owner.id,
        data=tiny_png(seed=n),
        mime="image/png",
        filename=f"bukti-{SECRETS['evidence file']}.png",
    )
    await checklists.attach_evidence(db, clock, content, business, run, refs.item, photo.id)
    question = f"Bagaimana izin PIRT {SECRETS['question']}?"
    await questions.ask(db, clock, world.deps.calendar, owner, question, topic_ref=refs.module)


async def _agency(
    db: AsyncSession, world: World, refs: _Refs, agency: Agency, focal: PersonRow
) -> None:
    """A deadline with an extension request, an unused invitation and a rated assessment."""
    clock, iso = world.clock, world.deps.content.iso18091
    new = deadline_changes.NewDeadline(
        title=f"Laporan {SECRETS['deadline']}",
        due_at=clock.now() + timedelta(days=20),
        agency_id=agency.id,
    )
    deadline = await deadline_changes.create(db, clock, world.deps.calendar, new, None)
    reason = f"alasan {SECRETS['extension reason']}"
    later = clock.now() + timedelta(days=40)
    await deadline_answers.request_extension(
        db, clock, deadline.id, agency.id, focal.id, later, reason
    )
    await invitations.create_invitation(
        db,
        clock,
        role=Role.FOCAL,
        invitee_name=f"Calon {SECRETS['invitee']}",
        created_by_id=None,
        agency_id=agency.id,
    )
    sheet, _ = await sa.open_current(db, clock, focal.id, refs.period)
    await sa.rate(db, clock, iso, focal.id, sheet.id, refs.indicator, Light.RED)
    note = f"nota {SECRETS['assessment note']}"
    await sa.set_note(db, clock, iso, focal.id, sheet.id, refs.indicator, note)


async def persona(world: World, kind: Kind) -> Person:
    """The person under test, with rows of their own (ids above the other side's)."""
    if kind is Kind.COORDINATOR:
        coordinator = world.coordinator("Ibu Koordinator")
        await coordinator.send("/start")
        return coordinator
    who = world.person({Kind.STRANGER: "Orang Asing"}.get(kind, f"Bapak {kind.value}"))
    if kind is Kind.STRANGER:
        return who
    clock, content = world.clock, world.deps.content
    async with world.sessions() as db, db.begin():
        role = {Kind.OWNER: Role.UMKM, Kind.FOCAL: Role.FOCAL, Kind.MENTOR: Role.MENTOR}[kind]
        person = await people.register(db, clock, who.user_id, who.first_name, [role])
        person.consent_at = clock.now()
        if kind is Kind.OWNER:
            business = Business(
                name="Usaha Sendiri",
                sector=content.sector_keys[0],
                owner_name=who.first_name,
                owner_id=person.id,
                profile_confirmed_at=clock.now(),
                created_at=clock.now(),
            )
            db.add(business)
            await db.flush()
            await checklists.start_or_resume(db, clock, content, business)
        if kind is Kind.FOCAL:
            last = await db.scalar(select(Agency).order_by(Agency.id.desc()).limit(1))
            assert last is not None
            await agencies.add_member(db, clock, last.id, person.id)
    return who
