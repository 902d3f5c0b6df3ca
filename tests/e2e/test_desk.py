"""The desk's API over real HTTP, beside the running bot, with initData signed by its token.

The routes come from bot/desk/routes.py, so a new one is tried here by every kind of person
without editing this file.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta
from typing import Any

import openpyxl
import pytest

from bot.desk.jsonview import plain
from bot.desk.routes import api
from bot.services import reports
from db.models import Role
from tests.support import tables
from tests.support.desk import DESK_URL, Desk
from tests.support.png import tiny_png
from tests.support.sides import SECRETS, Kind, OtherSide, persona, seed_other_side
from tests.support.world import World

pytestmark = pytest.mark.e2e

# Path parameters filled with the other side's ids (bot/desk/routes.py's patterns).
OTHERS = {"what": "people", "format": "xlsx", "role": "umkm"}
BODIES = {
    "/people/{person:\\d+}/roles": {"role": "mentor"},
    "/invitations": {"role": "mentor", "name": "Calon Mentor"},
    "/broadcasts": {"text": "Halo", "audience": "coordinators"},
    "/broadcasts/preview": {"text": "<b>Halo</b>"},
    "/broadcasts/reach": {"audience": "coordinators"},
    "/broadcasts/{broadcast:\\d+}/send": {"at": None},
    "/broadcasts/{broadcast:\\d+}/time": {"at": "2026-12-08T09:00"},
}
# What a kind of person may see of the other side: mentors read every business's questions.
MAY_SEE = {Kind.MENTOR: frozenset({"question", "business", "owner"})}
ROLE_OF = {Kind.OWNER: Role.UMKM, Kind.FOCAL: Role.FOCAL, Kind.MENTOR: Role.MENTOR}


def _path(template: str, other_id: int) -> str:
    def fill(match: re.Match[str]) -> str:
        return OTHERS.get(match.group(1), str(other_id))

    return re.sub(r"\{(\w+)(?::[^}]*)?\}", fill, template).lstrip("/")


def _text(body: Any) -> str:
    return body.decode("latin-1") if isinstance(body, bytes) else json.dumps(body)


async def test_the_page_is_served_and_unsigned_calls_are_refused_and_logged_bare(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = desk.world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    async with desk.http.get(desk.base) as page:
        assert page.status == 200 and page.content_type == "text/html"
        assert "frame-ancestors" not in page.headers["Content-Security-Policy"]
        assert 'src="desk.js"' in await page.text()
    async with desk.http.get(desk.base.rstrip("/"), allow_redirects=False) as bare:
        assert (bare.status, bare.headers["Location"]) == (308, "/desk/")

    status, me, _ = await desk.call("GET", "me", coordinator)
    assert status == 200, me
    assert "coordinator" in me["me"]["roles"] and me["texts"]["overview"] == "Ringkasan"

    valid = desk.init_data(coordinator)
    forged = desk.init_data(coordinator, token="424242:another-bot")
    tampered = valid.replace("Ibu+Rina", "Ibu+Rini")
    stale = desk.init_data(coordinator, at=desk.world.clock.now() - timedelta(days=1, seconds=1))
    caplog.set_level(logging.WARNING, logger="bot.desk.api")
    for given, reason in [
        (None, "missing"),
        ("", "missing"),
        (forged, "forged"),
        (tampered, "forged"),
        (stale, "stale"),
        ("user=%7B&&hash", "malformed"),
    ]:
        caplog.clear()
        status, body, _ = await desk.call("GET", "overview", init_data=given)
        assert (status, body["error"], body["message"]) == (401, "not_signed_in", reason)
        logged = [r.getMessage() for r in caplog.records]
        assert logged == [f"desk: GET /overview from 127.0.0.1 refused: {reason} sign-in data"]
    assert valid.split("hash=")[1] not in caplog.text and "Rin" not in caplog.text

    # The same data a day later (BOT_DESK_MAX_AGE) is stale too; the Mini App opens afresh.
    desk.world.clock.advance(timedelta(days=1, seconds=1))
    assert (await desk.call("GET", "me", init_data=valid))[0] == 401


@pytest.mark.parametrize("kind", list(Kind))
async def test_every_route_serves_each_kind_only_what_their_roles_allow(
    desk: Desk, kind: Kind, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    world = desk.world
    other = await seed_other_side(world)
    who = await persona(world, kind)
    baseline = await tables.read(world.sessions)
    roles = {Role.COORDINATOR} if kind is Kind.COORDINATOR else set()
    if kind in ROLE_OF:
        roles = {ROLE_OF[kind]}
    failures: list[str] = []
    for route in api.routes:
        path = _path(route.path, other.ints[0])
        status, body, _ = await desk.call(route.method, path, who, json=BODIES.get(route.path, {}))
        where = f"{kind.value} {route.method} /{path}: {status}"
        if not roles & route.roles:
            if status != 403:
                failures.append(f"{where}, not refused for the role")
        elif kind is Kind.COORDINATOR:
            if status >= 500 or status == 401:
                failures.append(f"{where} {_text(body)[:200]}")
        else:
            failures += _kept_apart(where, status, body, route.path, kind, other)
        after = await tables.read(world.sessions)
        if kind is not Kind.COORDINATOR:
            failures += [f"{where} changed {d}" for d in tables.differences(baseline, after)]
        elif after != baseline:
            await world.tick()  # the notes it planned are sent before their rows go
            await tables.restore(world.sessions, baseline)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[:5]
    assert not failures, "\n".join(failures)


def _kept_apart(
    where: str, status: int, body: Any, template: str, kind: Kind, other: OtherSide
) -> list[str]:
    """A non-coordinator: others' ids are refused; nothing of the other side is shown."""
    found = []
    if "{" in template and status != 403:  # every id in the path is the other side's
        found.append(f"{where}, another party's row not refused")
    if "{" not in template and status != 200:
        found.append(f"{where}, their own view not served")
    text = _text(body)
    for what, mark in other.secrets.items():
        if mark in text and what not in MAY_SEE.get(kind, frozenset()):
            found.append(f"{where} shows the other side's {what}")
    return found


async def test_a_coordinator_reads_the_programme_as_the_chat_shows_it(desk: Desk) -> None:
    world = desk.world
    other = await seed_other_side(world)
    coordinator = await persona(world, Kind.COORDINATOR)

    status, overview, _ = await desk.call("GET", "overview", coordinator)
    async with world.sessions() as db:
        indicators = len(world.deps.content.iso18091.indicators)
        summary = await reports.summary(db, world.clock, world.deps.settings.timezone, indicators)
    assert status == 200 and overview["summary"] == plain(summary)  # the figures of /rekap
    assert overview["summary"]["now"] == world.clock.now().isoformat()
    assert overview["summary"]["businesses"]["invited"] == 2

    status, table, _ = await desk.call("GET", "businesses", coordinator)
    assert status == 200
    rows = {r["business"]["name"]: r for r in table["rows"]}
    assert sorted(rows) == [f"Usaha 0{SECRETS['business']}", f"Usaha 1{SECRETS['business']}"]
    assert {r["open_questions"] for r in rows.values()} == {1}

    first = rows[f"Usaha 0{SECRETS['business']}"]["business"]["id"]
    status, page, _ = await desk.call("GET", f"businesses/{first}", coordinator)
    assert status == 200
    assert [v["submitted_at"] for v in page["versions"]] == [None]  # the draft being filled
    answered = [i for i in page["items"] if i["answers"][0]]
    assert len(answered) == 1
    answer = answered[0]["answers"][0]
    assert answer["value"] == "sebagian" and SECRETS["checklist note"] in answer["note"]
    assert SECRETS["question"] in page["questions"][0]["question"]["text"]

    status, photo, response = await desk.call(
        "GET", f"evidence/{answer['evidence_id']}", coordinator
    )
    assert (status, response.content_type, photo) == (200, "image/png", tiny_png(seed=0))

    status, agencies, _ = await desk.call("GET", "agencies", coordinator)
    assert status == 200 and len(agencies["periods"]) == 4
    mine = next(r for r in agencies["rows"] if r["id"] == other.agency_ids[0])
    assert (mine["kept"], mine["late"], mine["missed"], mine["open"]) == (0, 0, 0, 1)
    assert mine["quarters"][0]["red"] == 1
    assert [f["unreachable_since"] for f in mine["focal_points"]] == [None]

    status, agency, _ = await desk.call("GET", f"agencies/{mine['id']}", coordinator)
    assert status == 200
    note = agency["sheets"][0]["ratings"]
    assert any(SECRETS["assessment note"] in (r["note"] or "") for r in note.values())

    status, deadlines, _ = await desk.call("GET", "deadlines", coordinator)
    assert status == 200 and len(deadlines["items"]) == 2
    deadline = deadlines["items"][0]["deadline"]["id"]
    status, history, _ = await desk.call("GET", f"deadlines/{deadline}", coordinator)
    assert status == 200
    assert history["reminders"] and {r["state"] for r in history["reminders"]} == {"pending"}
    assert {"h-7", "h-0", "o1"} <= {r["label"] for r in history["reminders"]}

    status, workbook, response = await desk.call("GET", "exports/all/xlsx", coordinator)
    assert status == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pendamping-all-20261207.xlsx"'
    )
    sheets = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True).sheetnames
    assert sheets[:4] == ["Orang", "UMKM binaan", "Cek kesiapan", "Tenggat"]
    status, csv, response = await desk.call("GET", "exports/businesses/csv", coordinator)
    assert status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert SECRETS["business"] in csv.decode("utf-8-sig")
    assert (await desk.call("GET", "exports/nothing/xlsx", coordinator))[0] == 404


async def test_a_focal_point_reads_their_agency_and_a_mentor_the_questions(desk: Desk) -> None:
    world = desk.world
    other = await seed_other_side(world)
    focal, mentor = await persona(world, Kind.FOCAL), await persona(world, Kind.MENTOR)
    status, me, _ = await desk.call("GET", "me", focal)
    own = me["agency_id"]
    assert status == 200 and own not in other.agency_ids
    status, page, _ = await desk.call("GET", f"agencies/{own}", focal)
    assert status == 200 and page["record"]["id"] == own
    assert (await desk.call("GET", f"agencies/{other.agency_ids[0]}", focal))[0] == 403
    status, deadlines, _ = await desk.call("GET", "deadlines", focal)
    assert status == 200 and deadlines["items"] == []  # the other agencies' deadlines only

    status, found, _ = await desk.call("GET", "questions", mentor)
    assert status == 200 and found["total"] == 2
    assert (await desk.call("GET", "businesses", mentor))[0] == 403


async def test_a_coordinator_changes_roles_and_invitations_from_the_desk(desk: Desk) -> None:
    world = desk.world
    coordinator = world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    yohanes = world.person("Yohanes")
    async with world.sessions() as db, db.begin():
        from bot.services import people

        person = await people.register(db, world.clock, yohanes.user_id, "Yohanes", [Role.UMKM])
        person.consent_at = world.clock.now()
        yohanes_id = person.id

    status, changed, _ = await desk.call(
        "POST", f"people/{yohanes_id}/roles", coordinator, json={"role": "mentor"}
    )
    assert status == 200 and changed["done"], changed
    assert "mentor" in changed["notice"] and "Yohanes" in changed["notice"]
    await world.tick()
    assert "mentor" in yohanes.last.text.lower()
    # Their command menu follows, and the chat's menu button opens the desk for them now.
    assert world.api.menu_buttons[yohanes.user_id]["type"] == "web_app"

    status, refused, _ = await desk.call(
        "POST", f"people/{yohanes_id}/roles", coordinator, json={"role": "focal"}
    )
    assert (
        status == 400 and refused["message"] == "petugas penghubung memerlukan perangkat daerah."
    )

    me = (await desk.call("GET", "me", coordinator))[1]["me"]["id"]
    status, refused, _ = await desk.call("POST", f"people/{me}/pause", coordinator)
    assert status == 400 and "BOT_COORDINATORS" in refused["message"]

    status, paused, _ = await desk.call("POST", f"people/{yohanes_id}/pause", coordinator)
    assert status == 200 and paused["person"]["paused_since"] is not None
    assert (await desk.call("GET", "me", yohanes))[0] == 403  # paused: no desk either

    status, made, _ = await desk.call(
        "POST",
        "invitations",
        coordinator,
        json={"role": "umkm", "name": "Maria", "business": "Tenun Ina", "sector": "tenun"},
    )
    assert status == 200, made
    assert made["link"].startswith("https://t.me/PendampingUMKMBot?start=")
    status, listed, _ = await desk.call("GET", "invitations", coordinator)
    invitation = next(i for i in listed["items"] if i["business"] == "Tenun Ina")
    status, cancelled, _ = await desk.call(
        "DELETE", f"invitations/{invitation['id']}", coordinator
    )
    assert status == 200 and "Maria" in cancelled["notice"]
    assert (await desk.call("DELETE", f"invitations/{invitation['id']}", coordinator))[0] == 409
    maria = world.person("Maria")
    await maria.send("/start " + made["link"].rsplit("=", 1)[1])
    assert "tidak berlaku" in maria.last.text.lower() or "kedaluwarsa" in maria.last.text.lower()


async def test_coordinators_find_the_desk_in_their_menu_and_menu_button(desk: Desk) -> None:
    world = desk.world
    coordinator = world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    first = coordinator.last.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
    assert first == {"text": "Buka meja kerja", "web_app": {"url": DESK_URL}}
    button = world.api.menu_buttons[coordinator.user_id]
    assert button == {"type": "web_app", "text": "Meja kerja", "web_app": {"url": DESK_URL}}


async def test_without_a_desk_url_nobody_is_offered_one(world: World) -> None:
    coordinator = world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    assert "Buka meja kerja" not in coordinator.buttons()
    assert coordinator.user_id not in world.api.menu_buttons


async def test_the_desk_is_served_beside_the_webhook(desk: Desk) -> None:
    from aiohttp.test_utils import TestServer

    from bot import webhook

    coordinator = desk.world.coordinator("Ibu Rina")
    await coordinator.send("/start")
    assert desk.world.app is not None
    async with TestServer(webhook.web_app(desk.world.app, "s3cret"), host="127.0.0.1") as server:
        headers = {"Authorization": f"tma {desk.init_data(coordinator)}"}
        async with desk.http.get(server.make_url("/desk/api/me"), headers=headers) as me:
            assert me.status == 200
        async with desk.http.get(server.make_url("/desk/api/me")) as unsigned:
            assert unsigned.status == 401
        async with desk.http.post(server.make_url("/telegram"), json={}) as update:
            assert update.status == 403  # the webhook keeps its own secret
