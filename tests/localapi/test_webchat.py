"""The web chat answers its own page only: loopback Host, no foreign Origin, this run's token."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import ClientSession, FormData

from bot.desk.signin import NotSignedIn, sign, verify
from bot.localapi import LocalBotApi, Persona
from bot.localapi.webchat import TOKEN_HEADER
from tests.support.png import tiny_png

MARIA = Persona(601, "Maria", "Pelaku UMKM", "Tenun ikat")
EVIL = "http://evil.example"
TOKEN_RE = re.compile(r'<meta name="sim-token" content="([^"]+)">')


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi()
    server.enable_webchat([MARIA], start_links={MARIA.user_id: "UNDANGAN"})
    async with server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


def _own(api: LocalBotApi) -> dict[str, str]:
    """Headers of the chat's own page: its origin and this run's token."""
    assert api.webchat is not None
    return {"Origin": f"http://127.0.0.1:{api.port}", TOKEN_HEADER: api.webchat.token}


def _nothing_changed(api: LocalBotApi) -> None:
    assert api.pending_updates == []
    assert api.all_messages(MARIA.user_id) == []


async def test_the_page_carries_the_token_that_opens_the_api(
    api: LocalBotApi, http: ClientSession
) -> None:
    for host in (f"127.0.0.1:{api.port}", f"localhost:{api.port}", f"[::1]:{api.port}"):
        async with http.get(api.url, headers={"Host": host}) as page:
            assert page.status == 200, host
            found = TOKEN_RE.search(await page.text())
            assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert api.webchat is not None
    assert found is not None
    assert found.group(1) == api.webchat.token
    token = {TOKEN_HEADER: found.group(1)}
    async with http.get(f"{api.url}sim/api/personas", headers=token) as r:
        assert r.status == 200
        assert [p["user_id"] for p in (await r.json())["personas"]] == [MARIA.user_id]
    body = {"user_id": MARIA.user_id, "text": "halo"}
    async with http.post(f"{api.url}sim/api/send", json=body, headers=_own(api)) as r:
        assert r.status == 200
    assert [u["message"]["text"] for u in api.pending_updates] == ["halo"]


SEND = '{"user_id": 601, "text": "/start UNDANGAN"}'


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        # A form on another site posting text/plain that happens to be JSON, no token.
        ("cross-site form", {"Origin": EVIL, "Content-Type": "text/plain"}),
        ("foreign origin", {"Origin": EVIL, "Content-Type": "application/json", "token": "1"}),
        # DNS rebinding: evil.example resolves to 127.0.0.1, so to the browser it is same-origin.
        (
            "foreign host",
            {"Host": "evil.example:{port}", "Origin": EVIL + ":{port}", "token": "1"},
        ),
        ("no token", {"Origin": "own", "Content-Type": "application/json"}),
        ("wrong token", {"Origin": "own", "Content-Type": "application/json", "token": "x"}),
        ("not JSON", {"Origin": "own", "Content-Type": "text/plain", "token": "1"}),
    ],
)
async def test_a_request_not_from_the_page_is_refused_and_changes_nothing(
    api: LocalBotApi, http: ClientSession, case: str, headers: dict[str, str]
) -> None:
    assert api.webchat is not None
    sent: dict[str, Any] = {"Content-Type": "application/json"}
    for name, value in headers.items():
        if name == "token":
            sent[TOKEN_HEADER] = api.webchat.token if value == "1" else "not-the-token"
        elif value == "own":
            sent[name] = f"http://127.0.0.1:{api.port}"
        else:
            sent[name] = value.format(port=api.port)
    for path in ("send", "start_link", "press"):
        async with http.post(f"{api.url}sim/api/{path}", data=SEND, headers=sent) as r:
            assert r.status == 403, (case, path)
    _nothing_changed(api)


async def test_a_foreign_host_never_gets_the_page_nor_the_conversation(
    api: LocalBotApi, http: ClientSession
) -> None:
    assert api.webchat is not None
    rebound = {"Host": f"evil.example:{api.port}"}
    async with http.get(api.url, headers=rebound) as page:
        assert page.status == 403
        assert api.webchat.token not in await page.text()
    query = f"{api.url}sim/api/messages?user_id={MARIA.user_id}"
    async with http.get(query, headers={**rebound, TOKEN_HEADER: api.webchat.token}) as r:
        assert r.status == 403
    for url in (f"{api.url}sim/api/personas", query):
        async with http.get(url) as r:  # no token
            assert r.status == 403


async def test_each_run_has_its_own_token(api: LocalBotApi, http: ClientSession) -> None:
    other = LocalBotApi()
    other_chat = other.enable_webchat([MARIA])
    assert api.webchat is not None
    assert other_chat.token != api.webchat.token
    stale = {**_own(api), TOKEN_HEADER: other_chat.token}
    async with http.post(f"{api.url}sim/api/send", data=SEND, headers=stale) as r:
        assert r.status == 403
    _nothing_changed(api)


async def test_a_photo_goes_up_as_json_and_comes_back_sandboxed(
    api: LocalBotApi, http: ClientSession
) -> None:
    png = tiny_png(width=3, height=2)
    multipart = {TOKEN_HEADER: _own(api)[TOKEN_HEADER]}
    form = FormData({"user_id": str(MARIA.user_id)})
    form.add_field("photo", png, filename="produk.png", content_type="image/png")
    async with http.post(f"{api.url}sim/api/photo", data=form, headers=multipart) as r:
        assert r.status == 403  # a form upload is what another site could send
    _nothing_changed(api)
    body = {
        "user_id": MARIA.user_id,
        "photo": base64.b64encode(png).decode(),
        "mime": "text/html",  # never served back as a page on the chat's origin
        "caption": "produk",
    }
    async with http.post(f"{api.url}sim/api/photo", json=body, headers=_own(api)) as r:
        assert r.status == 200
    [update] = api.pending_updates
    assert update["message"]["caption"] == "produk"
    [sent] = api.all_messages(MARIA.user_id)
    assert sent.photo == png
    assert sent.photo_file is not None
    async with http.get(f"{api.url}sim/file/{sent.photo_file.file_id}") as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "image/jpeg"
        assert r.headers["Content-Security-Policy"] == "sandbox"
        assert await r.read() == png


async def test_a_voice_message_goes_up_and_plays_back_from_the_chat(
    api: LocalBotApi, http: ClientSession
) -> None:
    body = {
        "user_id": MARIA.user_id,
        "voice": base64.b64encode(b"OggS-recorded").decode(),
        "mime": "audio/webm;codecs=opus",
        "seconds": 7,
    }
    async with http.post(f"{api.url}sim/api/voice", json=body, headers=_own(api)) as r:
        assert r.status == 200
    [update] = api.pending_updates
    assert update["message"]["voice"]["duration"] == 7
    assert update["message"]["voice"]["mime_type"] == "audio/webm"
    params = {"user_id": str(MARIA.user_id)}
    async with http.get(f"{api.url}sim/api/messages", params=params, headers=_own(api)) as r:
        [shown] = (await r.json())["messages"]
    assert shown["voice"]["seconds"] == 7
    async with http.get(f"{api.url}{shown['voice']['url'].lstrip('/')}") as r:
        assert await r.read() == b"OggS-recorded"


async def test_a_pasted_invitation_link_opens_as_a_tap_and_the_button_goes_once_used(
    api: LocalBotApi, http: ClientSession
) -> None:
    assert api.webchat is not None
    params = {"user_id": str(MARIA.user_id)}
    async with http.get(f"{api.url}sim/api/messages", params=params, headers=_own(api)) as r:
        before = await r.json()
    assert before["invite"] is True
    link = {"user_id": MARIA.user_id, "text": "https://t.me/PendampingUMKMBot?start=ABCdef123"}
    async with http.post(f"{api.url}sim/api/send", json=link, headers=_own(api)) as r:
        assert r.status == 200
    assert api.pending_updates[-1]["message"]["text"] == "/start ABCdef123"

    # The simulator withdraws the button once the persona has joined: an open page sees it.
    api.webchat.set_start_link(MARIA.user_id, None)
    since = {**params, "since": before["version"]}
    async with http.get(f"{api.url}sim/api/messages", params=since, headers=_own(api)) as r:
        after = await r.json()
    assert after["invite"] is False and after["version"] != before["version"]


DESK = "http://127.0.0.1:8088/desk/"


async def test_web_app_buttons_open_their_mini_app_signed_in_as_the_persona(
    http: ClientSession,
) -> None:
    from telegram import (
        Bot,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        MenuButtonWebApp,
        WebAppInfo,
    )

    token = "4242:WEB-APP-token"
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)

    def signed(persona: Persona) -> str:
        user = {"id": persona.user_id, "first_name": persona.first_name}
        return sign(token, user, now, chat_type="private")

    rina = Persona(603, "Rina", "Koordinator", "Pemkot Kupang")
    api = LocalBotApi(token=token)
    api.enable_webchat([MARIA, rina], sign_init_data=signed)
    async with api, Bot(token, base_url=api.base_url) as bot:

        async def shown(user_id: int, since: str = "") -> dict[str, Any]:
            params = {"user_id": str(user_id), "since": since}
            async with http.get(
                f"{api.url}sim/api/messages", params=params, headers=_own(api)
            ) as r:
                found: dict[str, Any] = await r.json()
                return found

        async def opened(user_id: int, **where: int) -> tuple[int, str]:
            body = {"user_id": user_id, **where}
            async with http.post(f"{api.url}sim/api/web_app", json=body, headers=_own(api)) as r:
                return r.status, (await r.json())["url"] if r.status == 200 else await r.text()

        before = await shown(rina.user_id)
        assert before["menu"] is None
        desk = MenuButtonWebApp("Meja kerja", WebAppInfo(DESK))
        await bot.set_chat_menu_button(rina.user_id, desk)
        # An open page learns of the new menu button at once (its long poll returns).
        after = await shown(rina.user_id, before["version"])
        assert after["menu"] == {"text": "Meja kerja"}
        assert (await shown(MARIA.user_id))["menu"] is None  # set for Rina's chat only

        status, url = await opened(rina.user_id)
        assert status == 200
        address, _, fragment = url.partition("#")
        assert address == DESK
        given = dict(parse_qsl(fragment))
        user = verify(given["tgWebAppData"], token, now, timedelta(minutes=1))
        assert (user.telegram_id, user.first_name) == (rina.user_id, "Rina")
        assert json.loads(given["tgWebAppThemeParams"])["bg_color"] == "#ffffff"
        with pytest.raises(NotSignedIn):  # signed with this bot's token, no other
            verify(given["tgWebAppData"], "1:other", now, timedelta(minutes=1))

        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Lanjut", callback_data="next")],
                [InlineKeyboardButton("Buka meja kerja", web_app=WebAppInfo(DESK + "#old"))],
            ]
        )
        sent = await bot.send_message(rina.user_id, "Menu", reply_markup=keyboard)
        buttons = (await shown(rina.user_id))["messages"][-1]["buttons"]
        assert [[b["web_app"] for b in row] for row in buttons] == [[False], [True]]
        status, url = await opened(rina.user_id, message_id=sent.message_id, row=1, column=0)
        assert status == 200 and url.startswith(DESK + "#tgWebAppData=")
        # Neither a callback button nor Maria's chat (no menu button) opens anything.
        assert (await opened(rina.user_id, message_id=sent.message_id, row=0))[0] == 404
        assert (await opened(rina.user_id, message_id=sent.message_id, row=5))[0] == 404
        assert (await opened(MARIA.user_id))[0] == 404
    assert api.violations == []
