"""Broadcasts in the chat: write, choose the audience, preview, send or schedule, watch it go."""

from __future__ import annotations

import asyncio

from bot.localapi import SentMessage
from bot.render.broadcasts import BroadcastAction, BroadcastButton
from bot.services import people
from db.models import Role
from tests.support.broadcasts import member, mixed_audience, refresh_progress
from tests.support.people import Person
from tests.support.png import tiny_png
from tests.support.world import World

BOLD = [{"type": "bold", "offset": 0, "length": 7}]
NEWS = "Rapat besok pukul 09.00 di aula Bappeda."


def _labels(message: SentMessage) -> list[str]:
    return [b.text for row in message.buttons for b in row]


def _got(person: Person, fragment: str) -> int:
    return sum(1 for m in person.messages if fragment in m.text)


async def _write(world: World, koordinator: Person) -> None:
    await koordinator.send("/start")
    await koordinator.press("Kirim siaran")
    asked = await koordinator.send(f"Penting {NEWS}", entities=BOLD)
    assert "Siapa yang menerima" in asked.text, koordinator.transcript()


async def _to_schedule(world: World) -> tuple[Person, Person, SentMessage]:
    """A coordinator, one business owner, and the question when to send to all businesses."""
    koordinator = world.coordinator("Yuliana")
    ana = await member(world, "Ana")
    await _write(world, koordinator)
    await koordinator.press("Semua pelaku UMKM")
    return koordinator, ana, await koordinator.press("Jadwalkan")


async def test_broadcast_reaches_every_reachable_business_once_as_written(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    mixed = await mixed_audience(world, ("Ana", "Beni", "Citra"))
    owners, tenun, left_out, focal = mixed.owners, mixed.tenun, mixed.left_out, mixed.focal
    await _write(world, koordinator)

    card = await koordinator.press("Semua pelaku UMKM")
    preview = koordinator.messages[-2]
    assert preview.html == f"<b>Penting</b> {NEWS}"  # exactly as recipients will see it
    assert "Penerima: 4 orang" in card.text
    assert "Tidak dikirimi: 3 orang" in card.text
    assert "1 memblokir bot" in card.text and "1 aksesnya dijeda" in card.text
    assert "Perkiraan waktu pengiriman: sekitar 1 detik" in card.text
    assert "Stars" not in card.text  # paid broadcasts are off

    shown = await koordinator.press("Kirim sekarang")
    assert shown.message_id == card.message_id  # the card becomes the progress view
    assert "Siaran sedang dikirim" in shown.text and "Sisa: 4" in shown.text
    await world.tick()  # the tap woke the dispatcher too: this waits for its pass
    await refresh_progress(world)

    for person in (*owners, tenun):
        assert _got(person, NEWS) == 1
        assert person.messages[-1].html == f"<b>Penting</b> {NEWS}"
    for person in (*left_out, focal):
        assert _got(person, NEWS) == 0
    final = koordinator.messages[-1]
    assert final.message_id == card.message_id
    assert "Siaran selesai" in final.text and "Terkirim: 4" in final.text, final.text
    assert "Memblokir bot: 0" in final.text and "Gagal: 0" in final.text
    assert (await world.tick()).claimed == 0  # nothing left, nothing twice

    listed = await koordinator.send("/siaran")
    assert "terkirim 4 dari 4" in listed.text and "Penting Rapat besok" in listed.text


async def test_one_sector_and_a_photo_with_its_caption(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    kue = await member(world, "Ana")
    tenun = await member(world, "Dewi", sector="tenun")
    await koordinator.send("/start")
    await koordinator.press("Kirim siaran")
    await koordinator.send_photo(tiny_png(), caption="Contoh label kemasan")
    await koordinator.press("Pelaku UMKM satu sektor")
    card = await koordinator.press("Tenun ikat")
    assert "Pelaku UMKM sektor Tenun ikat" in card.text and "Penerima: 1 orang" in card.text
    assert koordinator.messages[-2].photo_file is not None
    await koordinator.press("Kirim sekarang")
    await world.tick()

    assert tenun.messages[-1].photo_file is not None
    assert tenun.messages[-1].text == "Contoh label kemasan"
    assert kue.messages == []


async def test_a_scheduled_broadcast_can_be_moved_and_cancelled_before_it_starts(
    world: World,
) -> None:
    koordinator, ana, asked = await _to_schedule(world)
    assert "08-12-2026 09.00" in asked.text  # tomorrow, 09.00 WITA, as an example
    wrong = await koordinator.send("kemarin")
    assert "tidak dapat saya baca" in wrong.text
    done = await koordinator.send("08-12-2026 09.00")
    assert "Siaran dijadwalkan" in done.text and "Selasa, 8 Desember 2026" in done.text

    await koordinator.press("Ubah waktu")
    moved = await koordinator.send("09-12-2026 10.30")
    assert "Rabu, 9 Desember 2026 pukul 10.30 WITA" in moved.text
    assert (await world.advance(days=1, hours=1)).sent == 0  # not at the old moment
    await koordinator.press("Batalkan siaran")
    assert "Siaran dibatalkan" in koordinator.last.text
    assert (await world.advance(days=2)).sent == 0
    assert _got(ana, NEWS) == 0

    listed = await koordinator.send("/siaran")
    assert "dibatalkan" in listed.text


async def test_a_scheduled_broadcast_starts_on_time_with_a_new_progress_view(
    world: World,
) -> None:
    koordinator, ana, _ = await _to_schedule(world)
    await koordinator.send("07-12-2026 10.00")
    world.clock.advance(hours=1)
    await refresh_progress(world)  # its moment came: it starts, a new message shows its progress
    assert "Siaran sedang dikirim" in koordinator.last.text
    await world.tick()
    await refresh_progress(world)
    assert _got(ana, NEWS) == 1
    assert "Siaran selesai" in koordinator.last.text and "Terkirim: 1" in koordinator.last.text


async def test_pause_holds_the_rest_and_going_on_sends_each_once(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    owners = [await member(world, f"Pemilik {n}") for n in range(60)]
    await _write(world, koordinator)
    await koordinator.press("Semua pelaku UMKM")
    await koordinator.press("Kirim sekarang")

    running = asyncio.create_task(world.tick())  # 60 messages at the real pace: two seconds
    while sum(_got(p, NEWS) for p in owners) < 5:
        await world.api.wait_for_activity(1)
    paused = await koordinator.press("Jeda")
    assert "Siaran dijeda" in paused.text
    await running
    held = sum(_got(p, NEWS) for p in owners)
    assert held < 60  # the rest waits, even what the dispatcher had already claimed
    assert (await world.advance(hours=5)).sent == 0

    await koordinator.press("Lanjutkan")
    await world.tick()
    await refresh_progress(world)
    assert [_got(p, NEWS) for p in owners] == [1] * 60
    assert "Terkirim: 60" in koordinator.last.text


async def test_people_picked_in_orang_are_the_audience_and_nobody_else(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    ana, beni = await member(world, "Ana"), await member(world, "Beni")
    hana = await member(world, "Hana", Role.FOCAL)
    eko = await member(world, "Eko", consent=False)
    await koordinator.send("/start")
    for name in ("Beni", "Hana", "Eko"):
        await koordinator.send("/orang")
        await koordinator.press("Cari nama")
        await koordinator.send(name)
        await koordinator.press(name)
        card = await koordinator.press("Pilih untuk siaran")
        assert "✓ Dipilih untuk siaran (batalkan)" in _labels(card), _labels(card)
    overview = await koordinator.send("/orang")
    assert "Dipilih untuk siaran: 3 orang" in overview.text

    await koordinator.press("Kirim siaran")
    await koordinator.send(f"Penting {NEWS}", entities=BOLD)
    card = await koordinator.press("3 orang dipilih di /orang")
    assert "Penerima: 2 orang" in card.text and "Tidak dikirimi: 1 orang" in card.text
    await koordinator.press("Kirim sekarang")
    await world.tick()
    assert (_got(beni, NEWS), _got(hana, NEWS)) == (1, 1)
    assert (_got(ana, NEWS), _got(eko, NEWS)) == (0, 0)

    await koordinator.send("/orang")
    cleared = await koordinator.press("Kosongkan pilihan")
    assert "Dipilih untuk siaran" not in cleared.text
    await koordinator.press("Kirim siaran")
    asked = await koordinator.send(NEWS)
    assert not any("dipilih di /orang" in label for label in _labels(asked))


async def test_a_paid_broadcast_shows_its_cost_and_is_sent_as_paid(world: World) -> None:
    world.paid_broadcast = True
    await world.restart()
    koordinator = world.coordinator("Yuliana")
    owners = [await member(world, f"Pemilik {n}") for n in range(12)]
    await _write(world, koordinator)
    card = await koordinator.press("Semua pelaku UMKM")
    assert "Penerima: 12 orang" in card.text
    assert "sekitar 1,2 Telegram Stars" in card.text, card.text
    preview = koordinator.messages[-2]
    await koordinator.press("Kirim sekarang")
    await world.tick()
    assert [_got(p, NEWS) for p in owners] == [1] * 12
    to_owners = [
        params
        for method, params in world.api.calls
        if method == "sendMessage" and NEWS in str(params.get("text"))
    ]
    assert len(to_owners) == 13  # the preview, then each owner
    paid = [p for p in to_owners if p.get("allow_paid_broadcast")]
    assert len(paid) == 12 and all(p["chat_id"] != koordinator.user_id for p in paid)
    assert preview.message_id not in {p.get("message_id") for p in paid}


async def test_broadcasts_are_for_coordinators_only(world: World) -> None:
    mentor = world.person("Maria")
    async with world.sessions() as db, db.begin():
        await people.register(db, world.clock, mentor.user_id, "Maria", [Role.MENTOR])
    refused = await mentor.send("/siaran")
    assert "tidak tersedia untuk peran" in refused.text, refused.text
    owner = await member(world, "Ana")
    refused = await owner.send("/siaran")
    assert "tidak tersedia untuk peran" in refused.text
    forged = await owner.press_data(BroadcastButton(BroadcastAction.SEND, 1).pack())
    assert "tidak tersedia untuk peran" in forged.text


async def _owners(world: World, n: int) -> list[Person]:
    """n business owners who agreed to the privacy notice, registered in one transaction."""
    found = [world.person(f"Pemilik {i:03d}") for i in range(n)]
    async with world.sessions() as db, db.begin():
        for person in found:
            row = await people.register(
                db, world.clock, person.user_id, person.first_name, [Role.UMKM]
            )
            row.consent_at = world.clock.now()
    return found


async def test_five_hundred_recipients_through_429s_and_403s_each_get_it_once(
    world: World,
) -> None:
    world.sends_per_second = 200  # the pace is not under test here: keep the test short
    await world.restart()
    koordinator = world.coordinator("Yuliana")
    owners = await _owners(world, 500)
    blocked = owners[7::71]  # seven people who blocked the bot since they joined
    for person in blocked:
        world.api.faults.add("sendMessage", "403", chat_id=person.user_id)
    await _write(world, koordinator)
    card = await koordinator.press("Semua pelaku UMKM")
    assert "Penerima: 500 orang" in card.text
    world.api.faults.add("sendMessage", "429", count=3, retry_after=1)
    await koordinator.press("Kirim sekarang")

    await world.tick()
    while (await world.advance(seconds=2)).claimed:  # rows a 429 gave back come due again
        pass
    assert world.api.faults.pending == []  # every 429 and 403 was met
    await refresh_progress(world)

    assert [_got(p, NEWS) for p in owners if p not in blocked] == [1] * 493
    assert [_got(p, NEWS) for p in blocked] == [0] * 7
    final = koordinator.last
    assert "Siaran selesai" in final.text, final.text
    assert "Terkirim: 493" in final.text and "Memblokir bot: 7" in final.text
    assert "Gagal: 0" in final.text and "Sisa" not in final.text
    for person in blocked:
        assert person.first_name in final.text  # named among those not reached
    listed = await koordinator.send("/siaran")
    assert "terkirim 493 dari 500, memblokir 7, gagal 0" in listed.text, listed.text
