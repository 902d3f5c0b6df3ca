"""/hapusdata: anyone deletes their own data in the chat; coordinators hear of it, no more."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import people
from db.models import Business, Person, Role
from tests.support.world import World


async def test_an_owner_deletes_their_data_and_the_coordinators_are_told(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    maria = world.person("Maria")
    async with world.sessions() as db, db.begin():
        person = await people.register(db, world.clock, maria.user_id, "Maria Ndun", [Role.UMKM])
        person.consent_at = world.clock.now()
        db.add(
            Business(
                name="Tenun Ina",
                sector="tenun",
                owner_name="Maria Ndun",
                phone="0812 3456 7890",
                owner_id=person.id,
                profile_confirmed_at=world.clock.now(),
                last_active_at=world.clock.now(),
                created_at=world.clock.now(),
            )
        )

    notice = await maria.send("/privasi")
    assert "/hapusdata" in notice.text
    assert "Hapus data saya" in maria.buttons()
    ask = await maria.press("Hapus data saya")
    assert "tidak dapat dibatalkan" in ask.text
    kept = await maria.press("Tidak, simpan")
    assert "Tidak ada yang dihapus" in kept.text

    await maria.send("/hapusdata")
    done = await maria.press("Ya, hapus data saya")
    assert "sudah dihapus" in done.text
    async with world.sessions() as db:
        assert await people.find_by_telegram_id(db, maria.user_id) is None
        business = await db.scalar(select(Business))
        assert business is not None
        assert (business.owner_id, business.owner_name, business.phone) == (None, "", None)

    await world.tick()
    told = await koordinator.expect("menarik persetujuannya")
    assert "Maria" not in told.text
    assert "pelaku UMKM binaan" in told.text  # the former role, nothing personal
    again = await maria.send("/start")
    assert "tautan undangan" in again.text  # a stranger again


async def test_the_last_coordinator_cannot_delete_themselves(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    await koordinator.send("/hapusdata")
    refused = await koordinator.press("Ya, hapus data saya")
    assert "satu-satunya koordinator" in refused.text
    async with world.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Person)) == 1


async def test_a_stranger_has_nothing_to_delete(world: World) -> None:
    tamu = world.person("Tamu")
    reply = await tamu.send("/hapusdata")
    assert "tidak menyimpan data" in reply.text
