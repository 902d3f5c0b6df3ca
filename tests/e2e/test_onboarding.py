"""Invitations end to end: a coordinator makes a link in chat, the invitee joins through it."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.render.invite import InviteAction, InviteButton
from bot.services import agencies, businesses, people
from db.models import AgencyMember, Business, Invitation, Role, Salutation
from tests.support.people import Person
from tests.support.replies import repeated_sentences
from tests.support.world import World

LINK = re.compile(r"https://t\.me/PendampingUMKMBot\?start=([A-Za-z0-9_-]{16,64})")


def _code(text: str) -> str:
    found = LINK.search(text)
    assert found, f"no invitation link in {text!r}"
    return found.group(1)


async def _invite_business(koordinator: Person, business: str = "Tenun Ina") -> str:
    await koordinator.send("/undang")
    await koordinator.press("Pelaku UMKM")
    await koordinator.expect("nama usaha")
    await koordinator.send(business)
    await koordinator.expect("nama pemilik")
    await koordinator.send("Maria Ndun")
    await koordinator.expect("Bagaimana bot menyapa Maria Ndun?")
    assert koordinator.buttons() == ["Bapak", "Ibu", "Nama saja", "Batal"]
    await koordinator.press("Ibu")
    await koordinator.expect("sektor")
    await koordinator.press("Tenun ikat")
    await koordinator.expect("nomor telepon")
    await koordinator.press("Lewati")
    await koordinator.expect("Mohon periksa undangan")
    made = await koordinator.press("Buat tautan")
    assert "berlaku sampai" in made.text
    return _code(made.text)


async def _telegram_person_count(world: World, telegram_id: int) -> int:
    async with world.sessions() as db:
        return 0 if await people.find_by_telegram_id(db, telegram_id) is None else 1


async def test_business_joins_consents_confirms_and_sees_the_umkm_menu(world: World) -> None:
    koordinator = world.coordinator()
    code = await _invite_business(koordinator)
    assert "<code>" in koordinator.last.html

    maria = world.person("Maria")
    welcome = await maria.send(f"/start {code}")
    await maria.expect("Selamat datang, Ibu Maria Ndun, dari Tenun Ina! 🙏")
    assert "Bapak/Ibu Maria" not in welcome.text
    assert "UU No. 27 Tahun 2022" in welcome.text
    assert maria.buttons() == ["Setuju", "Nanti saja"]

    await maria.press("Setuju")
    await maria.expect("Mohon periksa profil usaha")
    assert "Tenun ikat" in maria.last.text
    await maria.press("Benar")
    await maria.expect("Kapan Bapak/Ibu ingin menerima")
    assert maria.buttons() == ["Pagi 08.00", "Siang 12.00", "Sore 16.00", "Malam 19.00"]
    menu = await maria.press("Sore 16.00")
    assert "pelaku UMKM binaan" in menu.text
    await world.tick()
    told = await koordinator.expect("sudah bergabung lewat undangan")
    assert "Maria Ndun dari Tenun Ina" in told.text
    assert {"Panduan SNI", "Cek kesiapan"} <= set(maria.buttons())
    assert "Undang peserta" not in maria.buttons()

    async with world.sessions() as db:
        person = await people.find_by_telegram_id(db, maria.user_id)
        assert person is not None
        assert person.role_set == {Role.UMKM}
        assert person.consent_at is not None
        business = await businesses.of_owner(db, person.id)
        assert business is not None
        assert (business.name, business.nudge_hour) == ("Tenun Ina", 16)
        assert business.profile_confirmed_at is not None
    # Telegram's command menu for her now has the business commands.
    assert "/start" not in menu.text

    # The same link a second time, by anyone: already used.
    other = world.person("Tamu")
    used = await other.send(f"/start {code}")
    assert "sudah dipakai" in used.text
    assert await _telegram_person_count(world, other.user_id) == 0


async def test_declining_consent_stores_nothing_and_the_link_still_works(world: World) -> None:
    koordinator = world.coordinator()
    code = await _invite_business(koordinator)
    maria = world.person("Maria")
    await maria.send(f"/start {code}")
    assert await _telegram_person_count(world, maria.user_id) == 1  # held, without roles
    typed = await maria.send("ya saya setuju")
    assert "pilih dengan tombol" in typed.text.lower()
    declined = await maria.press("Nanti saja")
    assert "tidak menyimpan data" in declined.text
    assert "tautan undangan yang sama" in declined.text
    assert await _telegram_person_count(world, maria.user_id) == 0
    async with world.sessions() as db:
        invitation = await db.scalar(select(Invitation))
        assert invitation is not None
        assert invitation.used_at is None

    # A stale tap on the old notice changes nothing.
    await maria.press_data("pc:yes")
    assert await _telegram_person_count(world, maria.user_id) == 0

    await maria.send(f"/start {code}")
    await maria.expect("Selamat datang, Ibu Maria Ndun")


async def test_expired_and_forged_links_get_polite_answers(world: World) -> None:
    koordinator = world.coordinator()
    code = await _invite_business(koordinator)
    world.clock.advance(days=15)
    maria = world.person("Maria")
    expired = await maria.send(f"/start {code}")
    assert "sudah kedaluwarsa" in expired.text
    assert "minta tautan baru kepada koordinator" in expired.text
    forged = await maria.send("/start AAAAAAAAAAAAAAAAAAAAAA")
    assert "tidak dikenal" in forged.text
    assert await _telegram_person_count(world, maria.user_id) == 0


async def test_profile_can_be_corrected_before_choosing_the_hour(world: World) -> None:
    koordinator = world.coordinator()
    code = await _invite_business(koordinator, "Tenun Ina")
    maria = world.person("Maria")
    await maria.send(f"/start {code}")
    await maria.press("Setuju")
    await maria.press("Perbaiki")
    await maria.press("Nama usaha")
    await maria.expect("nama usaha")
    too_long = await maria.send("x" * 121)
    assert "1 sampai 120 karakter" in too_long.text
    fixed = await maria.send("  Tenun Ina   Kupang ")
    assert "Tenun Ina Kupang" in fixed.text
    await maria.press("Perbaiki")
    await maria.press("Sektor")
    again = await maria.press("Sasando")
    assert "Sasando" in again.text
    await maria.press("Benar")
    await maria.press("Pagi 08.00")
    async with world.sessions() as db:
        business = await db.scalar(select(Business))
        assert business is not None
        assert (business.name, business.sector, business.nudge_hour) == (
            "Tenun Ina Kupang",
            "sasando",
            8,
        )


async def test_focal_point_joins_their_agency_and_later_becomes_a_mentor(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/undang")
    await koordinator.press("Petugas penghubung")
    await koordinator.press("RSUD S.K. Lerik")
    await koordinator.send("Yohanes Bria")
    await koordinator.press("Bapak")
    await koordinator.expect("Perangkat daerah: RSUD S.K. Lerik")
    assert "Nama: Bapak Yohanes Bria" in koordinator.last.text
    code = _code((await koordinator.press("Buat tautan")).text)

    yohanes = world.person("Yohanes")
    await yohanes.send(f"/start {code}")
    await yohanes.expect("Selamat datang, Bapak Yohanes Bria")
    joined = await yohanes.press("Setuju")
    assert "petugas penghubung RSUD S.K. Lerik" in yohanes.transcript()
    assert "Tenggat saya" in yohanes.buttons()
    # The welcome said what a focal point does; the menu after it does not say it again.
    assert repeated_sentences(world.api.all_messages(yohanes.user_id)) == [], yohanes.transcript()
    assert "menerima pengingat" not in joined.text

    # A second link for someone already with us adds the role without asking again.
    await koordinator.send("/undang")
    await koordinator.press("Mentor")
    await koordinator.send("Yohanes Bria")
    await koordinator.press("Nama saja")
    mentor_code = _code((await koordinator.press("Buat tautan")).text)
    again = await yohanes.send(f"/start {mentor_code}")
    assert "Sebagai mentor" in again.text
    async with world.sessions() as db:
        person = await people.find_by_telegram_id(db, yohanes.user_id)
        assert person is not None
        assert person.role_set == {Role.FOCAL, Role.MENTOR}
        rsud = await agencies.find(db, "RSUD S.K. Lerik")
        assert rsud is not None
        assert await db.get(AgencyMember, (rsud.id, person.id)) is not None


async def test_invite_dialogue_resumes_after_a_restart(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/undang")
    await koordinator.press("Pelaku UMKM")
    await koordinator.send("Kue Mama Ina")
    await koordinator.expect("nama pemilik")
    await world.restart()
    await koordinator.send("Ina Lado")
    await koordinator.press("Nama saja")
    await koordinator.expect("sektor")
    await koordinator.press("Kue lokal")
    bad = await koordinator.send("nomor saya")
    assert "belum seperti nomor telepon" in bad.text
    await koordinator.send("0812 3456 7890")
    summary = await koordinator.expect("Mohon periksa undangan")
    assert "Kue Mama Ina" in summary.text
    assert "Ina Lado" in summary.text
    assert "0812 3456 7890" in summary.text
    await world.restart()
    made = await koordinator.press("Buat tautan")
    _code(made.text)


async def test_only_coordinators_may_invite(world: World) -> None:
    koordinator = world.coordinator()
    code = await _invite_business(koordinator)
    maria = world.person("Maria")
    await maria.send(f"/start {code}")
    await maria.press("Setuju")
    await maria.press("Benar")
    await maria.press("Malam 19.00")
    refused = await maria.send("/undang")
    assert "tidak tersedia untuk peran" in refused.text
    forged = await maria.press_data(InviteButton(InviteAction.ROLE, Role.COORDINATOR).pack())
    assert "tidak tersedia untuk peran" in forged.text
    stale = await koordinator.press_data(InviteButton(InviteAction.OK).pack())
    assert "tidak berlaku" in stale.text


async def test_batal_leaves_the_invite_dialogue_and_a_photo_is_not_a_name(world: World) -> None:
    koordinator = world.coordinator()
    await koordinator.send("/undang")
    await koordinator.press("Pelaku UMKM")
    photo = await koordinator.send_photo(b"\xff\xd8\xff\xe0not-really-a-jpeg")
    assert "nama usaha" in photo.text
    await koordinator.send("/batal")
    after = await koordinator.send("Tenun Ina")
    assert "belum memahami" in after.text
    async with world.sessions() as db:
        assert await db.scalar(select(Business)) is None


async def test_the_inviter_chooses_ibu_and_the_person_corrects_it(world: World) -> None:
    """The bot writes "Ibu Maria Ndun", never "Bapak/Ibu Maria Ndun", and the person decides."""
    koordinator = world.coordinator()
    code = await _invite_business(koordinator)  # the coordinator taps "Ibu"

    maria = world.person("Maria")
    await maria.send(f"/start {code}")
    await maria.press("Setuju")
    await maria.press("Benar")
    menu = await maria.press("Pagi 08.00")
    assert "Bapak/Ibu Maria" not in menu.text
    hello = await maria.send("/start")
    assert "Halo, Ibu Maria Ndun!" in hello.text

    choice = await maria.send("/sapaan")
    assert "Saat ini bot menyapa: Ibu Maria Ndun" in choice.text
    assert maria.buttons()[:3] == ["Bapak", "Ibu ✓", "Nama saja"]
    saved = await maria.press("Nama saja")
    assert "Mulai sekarang kami menyapa: Maria Ndun." in saved.text
    assert "Halo, Maria Ndun!" in (await maria.send("/start")).text
    await maria.send("/sapaan")
    await maria.press("Bapak")
    assert "Halo, Bapak Maria Ndun!" in (await maria.send("/start")).text

    async with world.sessions() as db:
        person = await people.find_by_telegram_id(db, maria.user_id)
        assert person is not None
        assert person.salutation is Salutation.BAPAK
        invitation = await db.scalar(select(Invitation))
        assert invitation is not None
        assert invitation.salutation is Salutation.IBU  # what the inviter chose stays on record
