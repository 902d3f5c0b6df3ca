"""Roles, paused access, invitations a coordinator manages, the audit trail: real databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import agencies, audit, invitations, people, roles
from bot.services.errors import NotFound, Stale
from bot.services.roles import Refused
from db.models import AgencyMember, AuditEvent, Business, OutboxMessage, Role, RoleSource

Sessions = async_sessionmaker[AsyncSession]


async def _notes(db: AsyncSession, person_id: int) -> list[tuple[str, str | None]]:
    rows = (
        await db.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.recipient_id == person_id, OutboxMessage.kind == roles.KIND_ACCESS
            )
            .order_by(OutboxMessage.id)
        )
    ).all()
    return [(r.payload["change"], r.payload["role"]) for r in rows]


async def test_grant_and_revoke_are_audited_told_and_kept_by_source(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        boss = await people.ensure_coordinator(db, clock, 9001, "Yuliana")
        budi = await people.register(db, clock, 5001, "Budi", [Role.MENTOR])
        await agencies.seed_pilot_agencies(db, clock)
        agency = (await agencies.all_agencies(db))[0]
        with pytest.raises(Refused):
            await roles.grant(db, clock, budi.id, Role.FOCAL, by_id=boss.id)
        with pytest.raises(Refused):
            await roles.grant(db, clock, budi.id, Role.UMKM, by_id=boss.id)
        made = await roles.grant(
            db, clock, budi.id, Role.FOCAL, by_id=boss.id, agency_id=agency.id
        )
        assert made.done and made.person.agency == agency.name
        again = await roles.grant(
            db, clock, budi.id, Role.FOCAL, by_id=boss.id, agency_id=agency.id
        )
        assert not again.done
        budi_id, boss_id = budi.id, boss.id
    async with sessions() as db, db.begin():
        view = await roles.view(db, budi_id)
        assert {(r.role, r.source) for r in view.roles} == {
            (Role.MENTOR, RoleSource.INVITATION),
            (Role.FOCAL, RoleSource.MANUAL),
        }
        revoked = await roles.revoke(db, clock, budi_id, Role.FOCAL, by_id=boss_id)
        assert revoked.done and revoked.person.agency is None
        assert (
            await db.scalar(select(AgencyMember).where(AgencyMember.person_id == budi_id)) is None
        )
        assert await _notes(db, budi_id) == [("granted", "focal"), ("revoked", "focal")]
        events = (
            await db.scalars(
                select(AuditEvent).where(AuditEvent.subject_id == budi_id).order_by(AuditEvent.id)
            )
        ).all()
        assert [(e.person_id, e.action, e.detail["role"]) for e in events] == [
            (boss_id, "role.granted", "focal"),
            (boss_id, "role.revoked", "focal"),
        ]
        # A role from BOT_COORDINATORS is the setting's to change.
        with pytest.raises(Refused):
            await roles.revoke(db, clock, boss_id, Role.MENTOR, by_id=boss_id)
        with pytest.raises(Refused):
            await roles.deactivate(db, clock, boss_id, by_id=boss_id)


async def test_the_last_active_coordinator_stays(sessions: Sessions, clock: FakeClock) -> None:
    async with sessions() as db, db.begin():
        ani = await people.register(db, clock, 5001, "Ani", [Role.COORDINATOR])
        eka = await people.register(db, clock, 5002, "Eka", [Role.COORDINATOR])
        await roles.deactivate(db, clock, eka.id, by_id=ani.id)
        with pytest.raises(Refused):  # Eka is paused: Ani is the only active one
            await roles.revoke(db, clock, ani.id, Role.COORDINATOR, by_id=ani.id)
        with pytest.raises(Refused):
            await roles.deactivate(db, clock, ani.id, by_id=ani.id)
        await roles.reactivate(db, clock, eka.id, by_id=ani.id)
        gone = await roles.revoke(db, clock, ani.id, Role.COORDINATOR, by_id=eka.id)
        assert gone.done and gone.person.role_set == frozenset()
        assert [p.id for p in await roles.active_coordinators(db)] == [eka.id]


async def test_pausing_keeps_the_data_and_tells_the_person(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        budi = await people.register(db, clock, 5001, "Budi", [Role.MENTOR])
        paused = await roles.deactivate(db, clock, budi.id, by_id=None)
        assert paused.person.paused_since == clock.now()
        assert not (await roles.deactivate(db, clock, budi.id, by_id=None)).done
        clock.advance(timedelta(days=1))
        resumed = await roles.reactivate(db, clock, budi.id, by_id=None)
        assert resumed.person.paused_since is None
        assert resumed.person.role_set == {Role.MENTOR}
        assert await _notes(db, budi.id) == [("paused", None), ("resumed", None)]
        actions = (
            await db.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == budi.id))
        ).all()
        assert sorted(actions) == ["person.deactivated", "person.reactivated"]


async def test_revoking_a_business_owner_frees_the_business(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        maria = await people.register(db, clock, 5001, "Maria", [Role.UMKM])
        business = Business(
            name="Kue Ina",
            sector="kue",
            owner_name="Maria",
            owner_id=maria.id,
            created_at=clock.now(),
        )
        db.add(business)
        await db.flush()
        await roles.revoke(db, clock, maria.id, Role.UMKM, by_id=None)
        await db.refresh(business)
        assert business.owner_id is None
        _, code = await invitations.reinvite_business(db, clock, business.id, created_by_id=None)
        assert (await invitations.check(db, clock, code)).business_id == business.id


async def test_setting_roles_follow_the_setting(sessions: Sessions, clock: FakeClock) -> None:
    async with sessions() as db, db.begin():
        kept = await people.ensure_coordinator(db, clock, 9001, "Yuliana")
        dropped = await people.ensure_coordinator(db, clock, 9002, "Eka")
        # A mentor by invitation who was also listed: only the setting's role goes.
        mixed = await people.register(db, clock, 5001, "Ani", [Role.MENTOR])
        await people.ensure_coordinator(db, clock, 5001, "Ani")
        # A coordinator made in the chat is not the setting's.
        chosen = await people.register(db, clock, 5002, "Budi", [Role.MENTOR])
        await roles.grant(db, clock, chosen.id, Role.COORDINATOR, by_id=kept.id)
        ids = (kept.id, dropped.id, mixed.id, chosen.id)
    async with sessions() as db, db.begin():
        assert await roles.follow_setting(db, clock, {9001}) == 3
    async with sessions() as db, db.begin():
        found = [await roles.view(db, i) for i in ids]
        assert [v.role_set for v in found] == [
            {Role.COORDINATOR, Role.MENTOR},
            frozenset(),
            {Role.MENTOR},
            {Role.COORDINATOR, Role.MENTOR},
        ]
        assert await _notes(db, dropped.id) == [("revoked", "coordinator"), ("revoked", "mentor")]
        assert await roles.follow_setting(db, clock, {9001}) == 0  # nothing left to take


async def test_directory_pages_by_role_and_finds_names_and_businesses(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        for n in range(10):
            await people.register(db, clock, 6000 + n, f"Mentor {n:02d}", [Role.MENTOR])
        maria = await people.register(db, clock, 5001, "Maria", [Role.UMKM])
        db.add(
            Business(
                name="Tenun 100%_Ina",
                sector="tenun",
                owner_name="Maria",
                owner_id=maria.id,
                created_at=clock.now(),
            )
        )
        await db.flush()
        await roles.deactivate(db, clock, maria.id, by_id=None)
    async with sessions() as db:
        first = await roles.directory(db, role=Role.MENTOR, per_page=4)
        last = await roles.directory(db, role=Role.MENTOR, page=9, per_page=4)
        assert (first.total, first.pages, [p.name for p in first.items]) == (
            10,
            3,
            ["Mentor 00", "Mentor 01", "Mentor 02", "Mentor 03"],
        )
        assert (last.number, [p.name for p in last.items]) == (2, ["Mentor 08", "Mentor 09"])
        # A search by business name; % and _ are letters here, not wildcards.
        found = await roles.directory(db, query="100%_")
        assert [(p.name, p.business, p.paused) for p in found.items] == [
            ("Maria", "Tenun 100%_Ina", True)
        ]
        assert (await roles.directory(db, query="1%0")).total == 0  # a wildcard would match "100"
        assert [p.name for p in (await roles.directory(db, paused=True)).items] == ["Maria"]
        counts = await roles.overview(db)
        assert (counts.by_role[Role.MENTOR], counts.by_role[Role.UMKM], counts.paused) == (
            10,
            1,
            1,
        )


async def test_unused_invitations_are_cancelled_and_reissued(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        mentor, mentor_code = await invitations.create_invitation(
            db, clock, role=Role.MENTOR, invitee_name="Yohanes", created_by_id=None
        )
        _, _, business_code = await invitations.invite_business(
            db,
            clock,
            business_name="Kue Ina",
            owner_name="Maria",
            sector="kue",
            sectors=("kue",),
            created_by_id=None,
        )
        used, used_code = await invitations.create_invitation(
            db, clock, role=Role.MENTOR, invitee_name="Eka", created_by_id=None
        )
        await invitations.accept(db, clock, used_code, 5005, "Eka")
    clock.advance(timedelta(days=20))  # every link has expired: they can still be re-issued
    async with sessions() as db, db.begin():
        listed = await invitations.unused(db, clock)
        assert [(u.invitee_name, u.expired) for u in listed] == [
            ("Maria", True),
            ("Yohanes", True),
        ]
        found = await invitations.find_unused(db, clock, f"https://t.me/Bot?start={business_code}")
        made, new_code = await invitations.reissue(db, clock, found.id, by_id=None)
        assert made.business_id is not None
        with pytest.raises(invitations.InvitationCancelled):
            await invitations.check(db, clock, business_code)
        assert (await invitations.check(db, clock, new_code)).id == made.id

        await invitations.cancel(db, clock, mentor.id, by_id=None)
        with pytest.raises(invitations.InvitationExpired):  # told like an expired link
            await invitations.check(db, clock, mentor_code)
        assert [u.id for u in await invitations.unused(db, clock)] == [made.id]
        assert await invitations.count_unused(db) == 1
        with pytest.raises(Stale):
            await invitations.cancel(db, clock, used.id, by_id=None)
        with pytest.raises(NotFound):
            await invitations.find_unused(db, clock, "no-such-code")


async def test_audit_pages_newest_first_and_reads_since(
    sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        boss = await people.ensure_coordinator(db, clock, 9001, "Yuliana")
        budi = await people.register(db, clock, 5001, "Budi", [Role.MENTOR])
        start = clock.now()
        for _ in range(3):
            clock.advance(timedelta(hours=1))
            await roles.deactivate(db, clock, budi.id, by_id=boss.id)
            await roles.reactivate(db, clock, budi.id, by_id=boss.id)
    async with sessions() as db:
        page = await audit.latest(db, per_page=4)
        assert (page.total, page.pages) == (11, 3)  # 2 + 3 at registration, 6 changes
        newest = page.items[0]
        assert (newest.action, newest.actor, newest.subject) == (
            "person.reactivated",
            "Yuliana",
            "Budi",
        )
        later = await audit.since(db, start + timedelta(minutes=90))
        assert [line.action for line in later] == ["person.deactivated", "person.reactivated"] * 2
        assert all(line.at > start for line in later)
