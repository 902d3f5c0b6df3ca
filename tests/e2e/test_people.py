"""People and roles end to end: /orang lists, searches and changes; the person is told."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import agencies, invitations, nudges, outbox, people
from db.models import AuditEvent, OutboxMessage, OutboxState, Role, RoleSource
from tests.support.people import Person
from tests.support.world import World


async def _known(world: World, who: Person, name: str, *roles: Role) -> int:
    """Someone already in the programme (registered as an invitation would)."""
    async with world.sessions() as db, db.begin():
        person = await people.register(db, world.clock, who.user_id, name, roles)
        person.consent_at = world.clock.now()
        return person.id


async def _coordinator(world: World) -> Person:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    return koordinator


async def test_people_are_listed_by_role_and_found_by_name(world: World) -> None:
    koordinator = await _coordinator(world)
    for name in ("Budi Santoso", "Agnes Lay", "Yosef Bria"):
        await _known(world, world.person(name.split()[0]), name, Role.MENTOR)

    overview = await koordinator.send("/orang")
    assert "Orang dan peran" in overview.text
    assert {"Koordinator (1)", "Mentor (4)", "Pelaku UMKM (0)", "Akses dijeda (0)"} <= set(
        koordinator.buttons()
    )
    mentors = await koordinator.press("Mentor (4)")
    assert "Ketuk nama" in mentors.text
    names = koordinator.buttons()
    assert names[:4] == ["Agnes Lay", "Budi Santoso", "Yosef Bria", "Yuliana"]

    await koordinator.press("Kembali")
    await koordinator.press("Cari nama")
    found = await koordinator.send("santo")
    assert "Ditemukan untuk “santo”" in found.text
    assert "Budi Santoso" in koordinator.buttons()
    assert "Agnes Lay" not in koordinator.buttons()
    nobody = await koordinator.send("zzz")  # while results show, a new name searches again
    assert "Tidak ada yang ditemukan untuk “zzz”" in nobody.text


async def test_a_role_change_is_confirmed_and_the_person_is_told(world: World) -> None:
    koordinator = await _coordinator(world)
    budi = world.person("Budi")
    budi_id = await _known(world, budi, "Budi Santoso", Role.MENTOR)

    await koordinator.send("/orang")
    await koordinator.press("Mentor (2)")
    shown = await koordinator.press("Budi Santoso")
    assert "mentor" in shown.text
    asked = await koordinator.press("Jadikan koordinator program")
    assert "Jadikan Budi Santoso koordinator program?" in asked.text
    assert budi.messages == []  # nothing happens before the confirmation
    done = await koordinator.press("Ya, berikan peran")
    assert "Selesai: Budi Santoso sekarang koordinator program" in done.text

    await world.tick()
    told = await budi.expect("telah menjadikan Bapak/Ibu koordinator program")
    assert "Budi Santoso" in told.text
    async with world.sessions() as db:
        person = await people.get(db, budi_id)
        assert person is not None
        sources = {r.role: r.source for r in person.roles}
        assert sources == {Role.MENTOR: RoleSource.INVITATION, Role.COORDINATOR: RoleSource.MANUAL}
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "role.granted", AuditEvent.subject_id == budi_id
            )
        )
        assert event is not None
        assert event.detail == {"role": "coordinator", "source": "manual"}
    # His command menu now has the coordinator's commands.
    scope = {"type": "chat", "chat_id": budi.user_id}
    assert "orang" in {c["command"] for c in world.api.commands(scope)}

    await koordinator.press("Cabut peran: mentor")
    removed = await koordinator.press("Ya, cabut peran")
    assert "bukan lagi mentor" in removed.text
    await world.tick()
    await budi.expect("peran Bapak/Ibu sebagai mentor di Pendamping UMKM telah berakhir")


async def test_a_paused_person_is_answered_politely_and_sent_nothing(world: World) -> None:
    koordinator = await _coordinator(world)
    budi = world.person("Budi")
    budi_id = await _known(world, budi, "Budi Santoso", Role.MENTOR)

    await koordinator.send("/orang")
    await koordinator.press("Mentor (2)")
    await koordinator.press("Budi Santoso")
    await koordinator.press("Jeda akses")
    paused = await koordinator.press("Ya, jeda akses")
    assert "akses Budi Santoso dijeda" in paused.text
    async with world.sessions() as db, db.begin():  # something planned for him meanwhile
        nudge = await outbox.plan(
            db,
            world.clock,
            kind=nudges.KIND_NUDGE,
            recipient_id=budi_id,
            dedupe_key="test",
            due_at=world.clock.now(),
            payload=nudges.NudgeFor(business_id=0),  # never composed: he is paused
        )
        nudge_id = nudge.id
    await world.tick()
    await budi.expect("dijeda oleh koordinator program")
    async with world.sessions() as db:
        skipped = await db.get(OutboxMessage, nudge_id)
        assert skipped is not None
        assert skipped.state is OutboxState.SKIPPED

    for attempt in ("/menu", "halo", "/pertanyaan"):
        answer = await budi.send(attempt)
        assert "sedang dijeda" in answer.text, attempt
    await budi.press_data("m:home")
    assert "sedang dijeda" in budi.last.text

    listed = await koordinator.send("/orang")
    assert "Akses dijeda (1)" in koordinator.buttons(), listed.text
    await koordinator.press("Akses dijeda (1)")
    await koordinator.press("⏸ Budi Santoso")
    await koordinator.press("Buka akses kembali")
    resumed = await koordinator.press("Ya, buka akses")
    assert "Budi Santoso dapat memakai bot lagi" in resumed.text
    await world.tick()
    await budi.expect("sudah dibuka kembali")
    menu = await budi.send("/menu")
    assert "Menu utama" in menu.text


async def test_the_last_coordinator_cannot_be_removed_or_paused(world: World) -> None:
    ani = world.person("Ani")
    await _known(world, ani, "Ani Manek", Role.COORDINATOR)  # nobody from BOT_COORDINATORS yet
    await ani.send("/orang")
    await ani.press("Koordinator (1)")
    await ani.press("Ani Manek")
    await ani.press("Cabut peran: koordinator program")
    refused = await ani.press("Ya, cabut peran")
    assert "Tidak diubah: program harus tetap punya setidaknya satu koordinator aktif" in (
        refused.text
    )
    await ani.press("Jeda akses")
    refused = await ani.press("Ya, jeda akses")
    assert "setidaknya satu koordinator aktif" in refused.text
    async with world.sessions() as db:
        person = await people.find_by_telegram_id(db, ani.user_id)
        assert person is not None
        assert person.role_set == {Role.COORDINATOR}
        assert person.deactivated_at is None

    # A coordinator from BOT_COORDINATORS follows the setting, not the chat.
    yuliana = await _coordinator(world)
    await ani.send("/orang")
    await ani.press("Koordinator (2)")
    shown = await ani.press("Yuliana")
    assert "dari BOT_COORDINATORS" in shown.text
    assert not any(b.startswith("Cabut peran") for b in ani.buttons())
    await ani.press("Jeda akses")
    refused = await ani.press("Ya, jeda akses")
    assert "pengaturan BOT_COORDINATORS" in refused.text
    assert "Menu utama" in (await yuliana.send("/menu")).text


async def test_an_unused_invitation_is_cancelled_or_made_again(world: World) -> None:
    koordinator = await _coordinator(world)
    async with world.sessions() as db, db.begin():
        await agencies.seed_pilot_agencies(db, world.clock)
        _, first = await invitations.create_invitation(
            db, world.clock, role=Role.MENTOR, invitee_name="Yohanes Bria", created_by_id=None
        )
        _, second = await invitations.create_invitation(
            db, world.clock, role=Role.MENTOR, invitee_name="Maria Ndun", created_by_id=None
        )

    await koordinator.send("/orang")
    listed = await koordinator.press("Undangan belum dipakai (2)")
    assert "belum dipakai" in listed.text
    await koordinator.press("Yohanes Bria")
    asked = await koordinator.press("Batalkan tautan")
    assert "Batalkan tautan ini?" in asked.text
    done = await koordinator.press("Ya, batalkan tautan")
    assert "Undangan untuk Yohanes Bria dibatalkan" in done.text
    yohanes = world.person("Yohanes")
    refused = await yohanes.send(f"/start {first}")
    assert "kedaluwarsa" in refused.text

    await koordinator.press("Undangan belum dipakai")
    await koordinator.press("Maria Ndun")
    await koordinator.press("Buat tautan baru")
    made = await koordinator.press("Ya, buat tautan baru")
    assert "Tautan undangan baru untuk Maria Ndun sudah siap" in made.text
    assert "https://t.me/PendampingUMKMBot?start=" in made.text
    maria = world.person("Maria")
    assert "kedaluwarsa" in (await maria.send(f"/start {second}")).text
    new_code = made.text.split("start=", 1)[1].split()[0]
    await maria.send(f"/start {new_code}")
    await maria.expect("Selamat datang, Maria Ndun!")


async def test_people_audit_and_export_are_for_coordinators_only(world: World) -> None:
    budi = world.person("Budi")
    await _known(world, budi, "Budi Santoso", Role.MENTOR)
    for command in ("/orang", "/audit", "/ekspor"):
        refused = await budi.send(command)
        assert "tidak tersedia untuk peran" in refused.text, command
    await budi.press_data("ppy:p:1::")  # a forged "pause" confirmation
    assert "tidak tersedia untuk peran" in budi.last.text
    stranger = world.person("Tamu")
    assert "tautan undangan" in (await stranger.send("/orang")).text
