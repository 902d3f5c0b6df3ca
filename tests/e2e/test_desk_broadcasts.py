"""The desk's broadcasts tab over real HTTP: compose, count, preview, send or schedule, watch,
pause, go on, cancel; the recipients in the local Bot API server get it exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support import tables
from tests.support.broadcasts import member, mixed_audience, refresh_progress
from tests.support.desk import Desk, open_desk
from tests.support.people import Person
from tests.support.world import World

pytestmark = pytest.mark.e2e

TYPED = "<strong>Penting</strong>: rapat & makan siang <i>pukul 12.00</i> < 13.00"
# What recipients get: Telegram's own tags, the text escaped.
SENT = "<b>Penting</b>: rapat &amp; makan siang <i>pukul 12.00</i> &lt; 13.00"
SEEN = "Penting: rapat & makan siang pukul 12.00 < 13.00"  # what a reader sees
NEWS = "rapat & makan siang"
STALE = "Ini sudah berubah. Silakan buka lagi."
NOT_FOUND = "Tidak ditemukan: mungkin sudah dihapus."
BAD_MOMENT = "waktunya harus tanggal dan jam yang belum lewat, paling lambat setahun lagi."


async def _coordinator(desk: Desk) -> Person:
    coordinator = desk.world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    return coordinator


async def _ok(desk: Desk, method: str, path: str, who: Person, body: Any = None) -> Any:
    status, found, _ = await desk.call(method, path, who, json=body)
    assert status == 200, (method, path, found)
    return found


async def _draft(desk: Desk, who: Person, audience: str = "businesses", **more: str) -> int:
    made = await _ok(
        desk, "POST", "broadcasts", who, {"text": TYPED, "audience": audience, **more}
    )
    return int(made["id"])


async def _reach(desk: Desk, who: Person, **audience: str) -> Any:
    return await _ok(desk, "POST", "broadcasts/reach", who, audience)


def _got(person: Person) -> int:
    return sum(1 for m in person.messages if NEWS in m.text)


async def test_a_coordinator_composes_sees_counts_and_preview_and_sends_it_once(
    desk: Desk,
) -> None:
    world = desk.world
    coordinator = await _coordinator(desk)
    mixed = await mixed_audience(world, ("Ana", "Beni"))
    owners, tenun, left_out, focal = mixed.owners, mixed.tenun, mixed.left_out, mixed.focal

    listed = await _ok(desk, "GET", "broadcasts", coordinator)
    assert listed["items"] == [] and listed["zone"] == "WITA" and not listed["paid"]
    assert {"value": "businesses", "label": "Semua pelaku UMKM"} in listed["audiences"]

    # The counts of the chat's preview: recipients, and who is left out and why.
    reach = await _reach(desk, coordinator, audience="businesses")
    assert (reach["recipients"], reach["unreachable"], reach["no_consent"], reach["paused"]) == (
        3,
        1,
        1,
        1,
    )
    assert "Penerima: 3 orang" in reach["facts"] and "Tidak dikirimi: 3 orang" in reach["facts"]
    assert "sekitar 1 detik" in reach["facts"] and reach["stars"] is None
    one = await _reach(desk, coordinator, audience="sector", sector="tenun")
    assert one["recipients"] == 1 and "Tenun ikat" in one["facts"]

    # The preview, live as it is typed, as recipients will see it.
    shown = await _ok(desk, "POST", "broadcasts/preview", coordinator, {"text": TYPED})
    assert shown["html"] == SENT and shown["length"] == len(SEEN)

    draft = await _ok(
        desk, "POST", "broadcasts", coordinator, {"text": TYPED, "audience": "businesses"}
    )
    assert draft["recipients"] == 3 and draft["html"] == SENT
    assert all(_got(p) == 0 for p in owners)  # a draft sends nothing

    sent = await _ok(desk, "POST", f"broadcasts/{draft['id']}/send", coordinator, {"at": None})
    assert sent["state"] == "sending" and sent["counts"]["remaining"] == 3
    status, again, _ = await desk.call(
        "POST", f"broadcasts/{draft['id']}/send", coordinator, json={}
    )
    assert (status, again["message"]) == (409, STALE)  # a second click sends nothing more
    await world.tick()  # the send woke the dispatcher too: this waits for its pass
    await refresh_progress(world)

    for person in (*owners, tenun):
        assert _got(person) == 1
        assert person.messages[-1].html == SENT
    assert all(_got(p) == 0 for p in (*left_out, focal))
    done = await _ok(desk, "GET", f"broadcasts/{draft['id']}", coordinator)
    assert done["state"] == "done" and done["status"] == "selesai"
    assert done["counts"]["sent"] == 3 and done["unreached"] == []
    assert "Tidak dikirimi: 3 orang" in done["left_out"]
    assert "Siaran selesai" in coordinator.messages[-1].text  # the chat's summary too
    assert (await world.tick()).claimed == 0  # nothing left, nothing twice

    listed = await _ok(desk, "GET", "broadcasts", coordinator)
    assert [(b["id"], b["counts"]["sent"], b["recipients"]) for b in listed["items"]] == [
        (draft["id"], 3, 3)
    ]


async def test_paid_broadcasts_show_their_cost_in_stars(world: World) -> None:
    world.paid_broadcast = True
    async with open_desk(world) as desk:
        coordinator = await _coordinator(desk)
        for name in ("Ana", "Beni"):
            await member(world, name)
        reach = await _reach(desk, coordinator, audience="businesses")
        assert reach["stars"] == pytest.approx(0.2)
        assert "sekitar 0,2 Telegram Stars" in reach["facts"]


async def test_a_scheduled_broadcast_is_moved_cancelled_or_sent_when_due(desk: Desk) -> None:
    world = desk.world
    coordinator = await _coordinator(desk)
    ana = await member(world, "Ana")

    # Monday 7 December 2026, 09.00 WITA: tomorrow at 09.00 is 01.00 UTC.
    first = await _draft(desk, coordinator)
    planned = await _ok(
        desk, "POST", f"broadcasts/{first}/send", coordinator, {"at": "2026-12-08T09:00"}
    )
    assert planned["state"] == "scheduled"
    assert planned["due_at"] == datetime(2026, 12, 8, 1, 0, tzinfo=UTC).isoformat()
    moved = await _ok(
        desk, "POST", f"broadcasts/{first}/time", coordinator, {"at": "2026-12-09T10:30"}
    )
    assert moved["due_at"] == datetime(2026, 12, 9, 2, 30, tzinfo=UTC).isoformat()
    await world.advance(days=1, hours=1)  # past the first time: nothing goes
    assert _got(ana) == 0

    cancelled = await _ok(desk, "POST", f"broadcasts/{first}/cancel", coordinator)
    assert cancelled["state"] == "cancelled" and cancelled["counts"]["skipped"] == 1
    status, refused, _ = await desk.call("POST", f"broadcasts/{first}/cancel", coordinator)
    assert (status, refused["message"]) == (409, STALE)
    await world.advance(days=1)
    assert _got(ana) == 0

    second = await _draft(desk, coordinator)
    await _ok(desk, "POST", f"broadcasts/{second}/send", coordinator, {"at": "2026-12-09T12:00"})
    await world.advance(hours=3)  # its moment has come: the rows are due and sent
    await refresh_progress(world)
    await world.tick()
    await refresh_progress(world)
    assert _got(ana) == 1
    started = await _ok(desk, "GET", f"broadcasts/{second}", coordinator)
    assert started["state"] == "done" and started["counts"]["sent"] == 1
    status, refused, _ = await desk.call(
        "POST", f"broadcasts/{second}/time", coordinator, json={"at": "2026-12-20T09:00"}
    )
    assert (status, refused["message"]) == (409, STALE)  # it started: no new time
    assert (await world.tick()).claimed == 0 and _got(ana) == 1


async def test_a_running_broadcast_is_paused_resumed_and_cancelled(desk: Desk) -> None:
    world = desk.world
    coordinator = await _coordinator(desk)
    owners = [await member(world, n) for n in ("Ana", "Beni", "Citra")]

    running = await _draft(desk, coordinator)
    await _ok(desk, "POST", f"broadcasts/{running}/send", coordinator, {})
    paused = await _ok(desk, "POST", f"broadcasts/{running}/pause", coordinator)
    assert paused["state"] == "paused" and paused["counts"]["remaining"] == 3
    assert paused["time_left"] == ""  # paused: no time left to show
    await world.tick()
    assert all(_got(p) == 0 for p in owners)
    status, refused, _ = await desk.call("POST", f"broadcasts/{running}/pause", coordinator)
    assert (status, refused["message"]) == (409, STALE)

    resumed = await _ok(desk, "POST", f"broadcasts/{running}/resume", coordinator)
    assert resumed["state"] == "sending" and resumed["time_left"] == "1 detik"
    await world.tick()
    polled = await _ok(desk, "GET", f"broadcasts/{running}", coordinator)
    assert polled["counts"]["sent"] == 3 and polled["counts"]["remaining"] == 0
    assert all(_got(p) == 1 for p in owners)

    stopped = await _draft(desk, coordinator)
    await _ok(desk, "POST", f"broadcasts/{stopped}/send", coordinator, {})
    cancelled = await _ok(desk, "POST", f"broadcasts/{stopped}/cancel", coordinator)
    assert cancelled["state"] == "cancelled" and cancelled["counts"]["skipped"] == 3
    await world.tick()
    assert all(_got(p) == 1 for p in owners)  # the first one only
    status, refused, _ = await desk.call("POST", f"broadcasts/{stopped}/resume", coordinator)
    assert (status, refused["message"]) == (409, STALE)


BAD_DRAFTS = [
    ({"text": "", "audience": "businesses"}, "pesannya kosong."),
    ({"text": "<b> </b>", "audience": "businesses"}, "pesannya kosong."),
    (
        {"text": "x" * 4097, "audience": "businesses"},
        "pesannya terlalu panjang: 4097 karakter, paling banyak 4096.",
    ),
    ({"text": "<b>tebal", "audience": "businesses"}, "<b> dibuka tetapi tidak ditutup."),
    (
        {"text": "<b><i>x</b></i>", "audience": "businesses"},
        "</b> muncul sebelum </i>: tutup yang di dalam lebih dahulu.",
    ),
    (
        {"text": '<a href="javascript:alert(1)">x</a>', "audience": "businesses"},
        'tautan ditulis <a href="https://...">teks</a>.',
    ),
    ({"text": "<div>x</div>", "audience": "businesses"}, "<div> bukan format Telegram"),
    ({"text": "Halo", "audience": "nobody"}, "pilih siapa yang menerimanya."),
    ({"text": "Halo", "audience": "sector", "sector": "nope"}, "pilih sektornya."),
    ({"text": "Halo", "audience": "agency", "agency": "999"}, "pilih perangkat daerahnya."),
    ({"text": "Halo", "audience": "picked"}, "belum ada yang dipilih"),
    ({"text": ["Halo"], "audience": "businesses"}, "pesannya kosong."),
]


async def test_bad_input_is_refused_in_indonesian_and_changes_nothing(desk: Desk) -> None:
    world = desk.world
    coordinator = await _coordinator(desk)
    ana = await member(world, "Ana")
    agency = (await _ok(desk, "GET", "broadcasts", coordinator))["agencies"][0]["id"]
    nobody = {"text": "Halo", "audience": "agency", "agency": str(agency)}  # no focal point yet
    baseline = tables.visible(await tables.read(world.sessions))

    for body, message in [*BAD_DRAFTS, (nobody, "tidak ada seorang pun dalam penerima ini")]:
        status, refused, _ = await desk.call("POST", "broadcasts", coordinator, json=body)
        assert (status, refused["error"]) == (400, "invalid"), (body, refused)
        assert refused["message"].startswith(message), (body, refused)
    for body, message in BAD_DRAFTS[:7]:
        status, refused, _ = await desk.call("POST", "broadcasts/preview", coordinator, json=body)
        assert status == 400 and refused["message"].startswith(message), (body, refused)
    status, refused, _ = await desk.call("POST", "broadcasts", coordinator, json=["Halo"])
    assert status == 400 and refused["message"] == "Itu tidak dapat dilakukan seperti yang diisi."
    assert tables.visible(await tables.read(world.sessions)) == baseline

    draft = await _draft(desk, coordinator)
    baseline = tables.visible(await tables.read(world.sessions))
    for at in (
        "2026-12-07T08:59",
        "2026-12-07T09:00",
        "2028-01-01T09:00",
        "besok",
        "2026-13-01T09:00",
    ):
        status, refused, _ = await desk.call(
            "POST", f"broadcasts/{draft}/send", coordinator, json={"at": at}
        )
        assert (status, refused["message"]) == (400, BAD_MOMENT), at
    for method, path in [
        ("GET", "broadcasts/999"),
        ("POST", "broadcasts/999/send"),
        ("POST", "broadcasts/999/pause"),
        ("POST", "broadcasts/999/resume"),
        ("POST", "broadcasts/999/cancel"),
    ]:
        status, refused, _ = await desk.call(method, path, coordinator, json={})
        assert (status, refused["message"]) == (404, NOT_FOUND), path
    status, refused, _ = await desk.call(
        "POST", "broadcasts/999/time", coordinator, json={"at": "2026-12-08T09:00"}
    )
    assert (status, refused["message"]) == (404, NOT_FOUND)
    for action in ("pause", "resume", "cancel"):  # a draft is neither running nor scheduled
        status, refused, _ = await desk.call("POST", f"broadcasts/{draft}/{action}", coordinator)
        assert (status, refused["message"]) == (409, STALE), action
    assert tables.visible(await tables.read(world.sessions)) == baseline
    await world.tick()
    assert _got(ana) == 0
