"""Invitations on real databases: hashed codes, single use, expiry, every role."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import agencies, businesses, invitations, people
from bot.services.errors import Invalid
from bot.services.invitations import (
    AlreadyOwner,
    InvitationExpired,
    InvitationUnknown,
    InvitationUsed,
)
from db.models import AgencyMember, Business, Invitation, Person, Role

SECTORS = ("kue", "tenun", "sasando", "hotel")


async def _business_invite(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, name: str = "Tenun Ina"
) -> tuple[int, str]:
    async with sessions() as db, db.begin():
        business, _, code = await invitations.invite_business(
            db,
            clock,
            business_name=f"  {name} ",
            owner_name="Maria  Ndun",
            sector="tenun",
            sectors=SECTORS,
            created_by_id=None,
        )
        return business.id, code


async def test_only_the_hash_of_the_code_is_stored(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    business_id, code = await _business_invite(sessions, clock)
    assert 16 <= len(code) <= 64
    assert all(c.isalnum() or c in "-_" for c in code)
    async with sessions() as db:
        row = await db.scalar(select(Invitation))
        assert row is not None
        assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
        assert code not in {row.code_hash, row.invitee_name}
        assert row.expires_at == clock.now() + timedelta(days=14)
        business = await db.get(Business, business_id)
        assert business is not None
        assert (business.name, business.owner_name) == ("Tenun Ina", "Maria Ndun")
    assert invitations.link("PendampingUMKMBot", code) == (
        f"https://t.me/PendampingUMKMBot?start={code}"
    )


async def test_accept_links_the_owner_and_grants_the_role_once(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    business_id, code = await _business_invite(sessions, clock)
    async with sessions() as db, db.begin():
        accepted = await invitations.accept(db, clock, code, 7001, "maria_tg")
        assert accepted.role is Role.UMKM
        assert accepted.role_added
    async with sessions() as db, db.begin():
        person = await people.find_by_telegram_id(db, 7001)
        assert person is not None
        assert person.role_set == {Role.UMKM}
        assert person.full_name == "Maria Ndun"  # as the coordinator knows them
        business = await db.get(Business, business_id)
        assert business is not None
        assert business.owner_id == person.id
        with pytest.raises(InvitationUsed):
            await invitations.accept(db, clock, code, 7002, "someone else")


async def test_an_invitation_without_a_name_takes_the_telegram_name(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        business, _, code = await invitations.invite_business(
            db,
            clock,
            business_name="Kue Mama Ina",
            owner_name="",
            sector="kue",
            sectors=SECTORS,
            created_by_id=None,
        )
        business_id = business.id
    async with sessions() as db, db.begin():
        await invitations.accept(db, clock, code, 7003, "Ina Lodo")
    async with sessions() as db:
        person = await people.find_by_telegram_id(db, 7003)
        assert person is not None
        assert person.full_name == "Ina Lodo"
        owned = await db.get(Business, business_id)
        assert owned is not None
        assert owned.owner_name == "Ina Lodo"


async def test_two_concurrent_accepts_use_the_code_once(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        _, code = await invitations.create_invitation(
            db, clock, role=Role.MENTOR, invitee_name="Bapak Mentor", created_by_id=None
        )

    async def tap(telegram_id: int) -> str:
        try:
            async with sessions() as db, db.begin():
                await invitations.accept(db, clock, code, telegram_id, "x")
                await asyncio.sleep(0.05)  # hold the transaction open while the other runs
            return "accepted"
        except InvitationUsed:
            return "used"

    outcomes = await asyncio.gather(tap(7101), tap(7102))
    assert sorted(outcomes) == ["accepted", "used"]
    async with sessions() as db:
        mentors = await people.with_role(db, Role.MENTOR)
        assert len(mentors) == 1
        row = await db.scalar(select(Invitation))
        assert row is not None
        assert row.used_by_id == mentors[0].id


async def test_an_expired_code_is_refused_with_its_own_error(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    _, code = await _business_invite(sessions, clock)
    clock.advance(days=14, seconds=1)
    async with sessions() as db, db.begin():
        with pytest.raises(InvitationExpired):
            await invitations.accept(db, clock, code, 7201, "Maria")
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 0


@pytest.mark.parametrize("forged", ["", "abc", "x" * 65, "not a code!", "Ω" * 10])
async def test_a_forged_code_is_unknown(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, forged: str
) -> None:
    await _business_invite(sessions, clock)
    async with sessions() as db, db.begin():
        with pytest.raises(InvitationUnknown):
            await invitations.accept(db, clock, forged, 7301, "Tamu")
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 0


async def test_focal_point_joins_the_agency_and_a_coordinator_becomes_a_mentor(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, clock)
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        assert rsud is not None
        _, focal_code = await invitations.create_invitation(
            db,
            clock,
            role=Role.FOCAL,
            invitee_name="Yohanes",
            created_by_id=None,
            agency_id=rsud.id,
        )
        coordinator = await people.ensure_coordinator(db, clock, 7401, "Yuliana")
        await people.revoke_role(db, clock, coordinator, Role.MENTOR)
        _, mentor_code = await invitations.create_invitation(
            db, clock, role=Role.MENTOR, invitee_name="Yuliana", created_by_id=coordinator.id
        )
        agency_id = rsud.id
    async with sessions() as db, db.begin():
        focal = await invitations.accept(db, clock, focal_code, 7402, "yohanes")
        assert focal.agency_id == agency_id
        added = await invitations.accept(db, clock, mentor_code, 7401, "Yuliana")
        assert added.role_added
    async with sessions() as db:
        member = await db.get(AgencyMember, (agency_id, focal.person_id))
        assert member is not None
        yuliana = await people.find_by_telegram_id(db, 7401)
        assert yuliana is not None
        assert yuliana.role_set == {Role.COORDINATOR, Role.MENTOR}


async def test_an_owner_cannot_take_a_second_business(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    _, first = await _business_invite(sessions, clock, "Tenun Ina")
    _, second = await _business_invite(sessions, clock, "Kue Mama")
    async with sessions() as db, db.begin():
        await invitations.accept(db, clock, first, 7501, "Maria")
    async with sessions() as db, db.begin():
        with pytest.raises(AlreadyOwner):
            await invitations.accept(db, clock, second, 7501, "Maria")
    async with sessions() as db, db.begin():
        # The refused link is still unused: its real owner can take it.
        await invitations.check(db, clock, second)


async def test_a_new_link_for_a_business_retires_the_old_one(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    business_id, old = await _business_invite(sessions, clock)
    async with sessions() as db, db.begin():
        _, new = await invitations.reinvite_business(db, clock, business_id, created_by_id=None)
    clock.advance(minutes=1)
    async with sessions() as db, db.begin():
        with pytest.raises(InvitationExpired):
            await invitations.check(db, clock, old)
        await invitations.accept(db, clock, new, 7601, "Maria")
    async with sessions() as db, db.begin():
        with pytest.raises(Invalid):
            await invitations.reinvite_business(db, clock, business_id, created_by_id=None)


async def test_declining_before_joining_forgets_the_person(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        held = await invitations.hold(db, clock, 7701, "Maria")
        assert held.role_set == frozenset()
        assert await invitations.release(db, held.id)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 0


async def test_business_fields_are_validated(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        for name, owner, sector, phone in [
            ("", "Maria", "tenun", None),
            ("Tenun Ina", "x" * 121, "tenun", None),
            ("Tenun Ina", "Maria", "batik", None),
            ("Tenun Ina", "Maria", "tenun", "call me"),
        ]:
            with pytest.raises(Invalid):
                await businesses.create(
                    db,
                    clock,
                    name=name,
                    owner_name=owner,
                    sector=sector,
                    sectors=SECTORS,
                    phone=phone,
                )
        ok = await businesses.create(
            db,
            clock,
            name="Kue Mama",
            owner_name="Ina",
            sector="KUE",
            sectors=SECTORS,
            phone="+62 812-3456-7890",
        )
        assert (ok.sector, ok.phone) == ("kue", "+62 812-3456-7890")


async def test_simulator_personas_get_fresh_links_until_they_join(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    from bot.simulator import FOCAL_POINT, UMKM_OWNER, persona_invitations

    first = await persona_invitations(sessions, clock, SECTORS)
    assert set(first) == {UMKM_OWNER.user_id, FOCAL_POINT.user_id}
    again = await persona_invitations(sessions, clock, SECTORS)  # a simulator restart
    assert again[UMKM_OWNER.user_id] != first[UMKM_OWNER.user_id]
    async with sessions() as db, db.begin():
        assert await db.scalar(select(func.count()).select_from(Business)) == 1
        with pytest.raises(InvitationExpired):  # the older link of the business retired
            await invitations.check(db, clock, first[UMKM_OWNER.user_id])
        await invitations.accept(db, clock, again[UMKM_OWNER.user_id], UMKM_OWNER.user_id, "M")
        await invitations.accept(db, clock, again[FOCAL_POINT.user_id], FOCAL_POINT.user_id, "Y")
    assert await persona_invitations(sessions, clock, SECTORS) == {}
