"""The simulator's web chat: a phone-like page and a small JSON API on the Bot API's port.

Any web page the developer opens can send requests to 127.0.0.1, so the chat answers only
its own page: a loopback Host (no DNS rebinding), no foreign Origin, and for the JSON API a
per-run token that the page carries in a header (a cross-site form or fetch cannot).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlencode, urlparse

from aiohttp import web

if TYPE_CHECKING:
    from bot.localapi.model import SentMessage
    from bot.localapi.server import LocalBotApi

STATIC_DIR = Path(__file__).parent / "static"
LONG_POLL_SECONDS = 20.0  # how long /sim/api/messages holds a request without news
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's photo upload limit
MAX_VOICE_BYTES = 20 * 1024 * 1024  # what a bot may download; a minute of speech is ~100 KB
VOICE_TYPES = frozenset({"audio/ogg", "audio/webm", "audio/mp4", "audio/mpeg"})
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
TOKEN_HEADER = "X-Sim-Token"
TOKEN_PLACEHOLDER = "__SIM_TOKEN__"  # in webchat.html's <meta name="sim-token">
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
REFUSED = "Permintaan ditolak: buka web chat dari http://127.0.0.1"
# Served with the page: no framing by other sites, no referrer, never cached with its token.
PAGE_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# Served with files: whatever they hold, never a script running on the chat's origin.
FILE_HEADERS = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
# What Telegram puts in a Mini App's address fragment besides the signed data: its light theme
# (the web chat's own colours), the client's version and platform.
WEB_APP_THEME = (
    '{"bg_color":"#ffffff","text_color":"#1b1f23","hint_color":"#6b7a6e",'
    '"link_color":"#2a7ab0","button_color":"#2a7ab0","button_text_color":"#ffffff",'
    '"secondary_bg_color":"#f0f3f5"}'
)
WEB_APP_VERSION = "8.0"
NO_WEB_APP = "Tombol ini tidak membuka Mini App"


@dataclass(frozen=True)
class Persona:
    """Someone the web chat can speak as."""

    user_id: int
    first_name: str
    label: str
    description: str


# The Mini App's initData for a persona, signed with the bot's token as Telegram signs it.
SignInitData = Callable[[Persona], str]


class WebChat:
    """State of the web chat: personas, invitation links and the callbacks it sent."""

    def __init__(
        self,
        api: LocalBotApi,
        personas: list[Persona],
        start_links: dict[int, str],
        sign_init_data: SignInitData | None = None,
    ) -> None:
        """Serve these personas; start_links maps a user id to a /start code; with
        sign_init_data, web_app buttons open their Mini App signed in as the persona."""
        self.api = api
        self.personas = list(personas)
        self.start_links = start_links
        self.sign_init_data = sign_init_data
        self.pressed: dict[str, int] = {}  # callback query id -> user id
        self.token = secrets.token_urlsafe(32)  # new each run; only the served page holds it
        self._links_changed = 0

    def set_start_link(self, user_id: int, code: str | None) -> None:
        """Offer (or, with None, withdraw) a "Gunakan undangan" button for a persona; an open
        page shows the change at once."""
        if code is None:
            if self.start_links.pop(user_id, None) is None:
                return
        else:
            self.start_links[user_id] = code
        self._links_changed += 1
        self.api.notify_watchers()

    def page(self) -> str:
        """The page, with this run's token in it."""
        html = (STATIC_DIR / "webchat.html").read_text(encoding="utf-8")
        return html.replace(TOKEN_PLACEHOLDER, self.token)

    def check(self, request: web.Request, *, port: int, api_call: bool) -> None:
        """403 unless the request comes from this chat's own page (see the module docstring)."""
        host = request.headers.get("Host", "")
        if host not in loopback_hosts(port):
            raise web.HTTPForbidden(text=REFUSED)
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            raise web.HTTPForbidden(text=REFUSED)
        if not api_call:
            return
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), self.token):
            raise web.HTTPForbidden(text=REFUSED)
        if request.method != "GET" and request.content_type != "application/json":
            raise web.HTTPForbidden(text=REFUSED)

    def persona(self, user_id: int) -> Persona:
        """The persona with this id, or a 404."""
        for p in self.personas:
            if p.user_id == user_id:
                return p
        raise web.HTTPNotFound(text="Persona tidak dikenal")

    def version(self, user_id: int) -> str:
        """Changes whenever the conversation or its notices change."""
        msgs = self.api.all_messages(user_id)
        answered = sum(1 for q in self.pressed if q in self.api.callback_answers)
        return (
            f"{self.api.activity_mark()}.{len(msgs)}.{answered}.{self._links_changed}"
            f".{self.api.menu_changes}"
        )

    def conversation(self, user_id: int) -> dict[str, Any]:
        """What the page draws for one persona."""
        messages = [_message_json(m) for m in self.api.all_messages(user_id)]
        toasts = []
        for query_id, uid in self.pressed.items():
            answer = self.api.callback_answers.get(query_id)
            if uid == user_id and answer and answer.get("text"):
                alert = bool(answer.get("show_alert"))
                toasts.append({"id": query_id, "text": answer["text"], "alert": alert})
        return {
            "version": self.version(user_id),
            "messages": messages,
            "toasts": toasts,
            "invite": user_id in self.start_links,
            "menu": self._menu(user_id),
        }

    def _menu(self, user_id: int) -> dict[str, str] | None:
        """The chat's menu button when it opens a Mini App (Telegram shows it left of the
        text field); the command list needs no button here."""
        button = self.api.menu_button(user_id)
        if button.get("type") != "web_app" or self.sign_init_data is None:
            return None
        return {"text": str(button.get("text", ""))}

    def web_app_url(
        self, user_id: int, message_id: int | None, row: int = 0, column: int = 0
    ) -> str:
        """The address a web_app button opens for a persona (the menu button's when
        message_id is None), with the signed data and the theme in its fragment, as
        Telegram opens a Mini App; a 404 when that button opens none."""
        persona = self.persona(user_id)
        button = (
            self.api.menu_button(user_id)
            if message_id is None
            else _inline_button(self.api.find_message(user_id, message_id), row, column)
        )
        url = (button.get("web_app") or {}).get("url") if button is not None else None
        if not isinstance(url, str) or self.sign_init_data is None:
            raise web.HTTPNotFound(text=NO_WEB_APP)
        fragment = {
            "tgWebAppData": self.sign_init_data(persona),
            "tgWebAppVersion": WEB_APP_VERSION,
            "tgWebAppPlatform": "web",
            "tgWebAppThemeParams": WEB_APP_THEME,
        }
        return f"{urldefrag(url).url}#{urlencode(fragment)}"

    def invitation_link(self, text: str) -> bool:
        """Whether a text is this bot's invitation link (pasted into a persona's chat, it opens
        as tapping it in Telegram would: `/start <code>`)."""
        parsed = urlparse(text)
        return (
            parsed.scheme in ("http", "https")
            and parsed.netloc in ("t.me", "telegram.me")
            and parsed.path.strip("/") == self.api.bot_username
            and "start=" in parsed.query
        )


def _inline_button(m: SentMessage | None, row: int, column: int) -> dict[str, Any] | None:
    if m is None or m.deleted or not m.reply_markup:
        return None
    rows = m.reply_markup.get("inline_keyboard", [])
    if not 0 <= row < len(rows) or not 0 <= column < len(rows[row]):
        return None
    button: dict[str, Any] = rows[row][column]
    return button


def _message_json(m: SentMessage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.message_id,
        "from_bot": m.from_bot,
        "kind": m.kind,
        "tree": m.tree if m.tree else ([m.text] if m.text else []),
        "date": m.date,
        "edited": m.edits > 0,
        "buttons": [],
    }
    if m.reply_markup:
        for row in m.reply_markup.get("inline_keyboard", []):
            out["buttons"].append(
                [
                    {
                        "text": b.get("text", ""),
                        "data": b.get("callback_data"),
                        "url": b.get("url"),
                        "web_app": "web_app" in b,
                    }
                    for b in row
                ]
            )
    if m.photo_file is not None:
        out["photo"] = f"/sim/file/{m.photo_file.file_id}"
    if m.voice_file is not None:
        out["voice"] = {"url": f"/sim/file/{m.voice_file.file_id}", "seconds": m.voice_duration}
    if m.document_file is not None:
        out["document"] = {
            "name": m.document_file.file_name or "dokumen",
            "url": f"/sim/file/{m.document_file.file_id}",
        }
    return out


def loopback_hosts(port: int) -> frozenset[str]:
    """The Host values of the chat's own origin (a browser leaves out port 80)."""
    hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    return frozenset(hosts | set(LOOPBACK_NAMES) if port == 80 else hosts)


def add_routes(app: web.Application, api: LocalBotApi) -> None:
    """Register the page and /sim/api on the Bot API's application (inert until enabled)."""

    def chat(request: web.Request, *, api_call: bool = True) -> WebChat:
        if api.webchat is None:
            raise web.HTTPNotFound(text="Simulator web chat tidak aktif")
        api.webchat.check(request, port=api.port, api_call=api_call)
        return api.webchat

    async def index(request: web.Request) -> web.StreamResponse:
        # One self-contained file (styles and script inline): no CDN, nothing else to package.
        page = chat(request, api_call=False).page()
        return web.Response(text=page, content_type="text/html", headers=PAGE_HEADERS)

    async def personas(request: web.Request) -> web.Response:
        wc = chat(request)
        return web.json_response(
            {
                "bot": {"name": api.bot_first_name, "username": api.bot_username},
                "personas": [
                    {**asdict(p), "has_start_link": p.user_id in wc.start_links}
                    for p in wc.personas
                ],
            }
        )

    async def messages(request: web.Request) -> web.Response:
        wc = chat(request)
        user_id = _int(request.query.get("user_id"))
        wc.persona(user_id)
        since = request.query.get("since", "")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONG_POLL_SECONDS
        while wc.version(user_id) == since and not api.closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await api.wait_for_activity(remaining)
        return web.json_response(wc.conversation(user_id))

    async def send(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        user_id = _int(body.get("user_id"))
        wc.persona(user_id)
        text = str(body.get("text", "")).strip()
        if not text:
            raise web.HTTPBadRequest(text="Pesan kosong")
        if wc.invitation_link(text):
            await api.user_opens_link(user_id, text)
        else:
            await api.user_sends_text(user_id, text)
        return web.json_response({"ok": True})

    async def press(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        user_id = _int(body.get("user_id"))
        wc.persona(user_id)
        query_id = await api.user_presses(
            user_id, _int(body.get("message_id")), str(body.get("data", ""))
        )
        wc.pressed[query_id] = user_id
        return web.json_response({"ok": True, "query_id": query_id})

    async def start_link(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        user_id = _int(body.get("user_id"))
        wc.persona(user_id)
        code = wc.start_links.get(user_id)
        if not code:
            raise web.HTTPNotFound(text="Tidak ada undangan untuk persona ini")
        await api.user_sends_text(user_id, f"/start {code}")
        return web.json_response({"ok": True})

    async def web_app(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        given = body.get("message_id")
        message_id = None if given is None else _int(given)
        url = wc.web_app_url(
            _int(body.get("user_id")),
            message_id,
            _int(body.get("row", 0)),
            _int(body.get("column", 0)),
        )
        return web.json_response({"url": url})

    async def photo(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        user_id = _int(body.get("user_id"))
        wc.persona(user_id)
        data = _upload(body, "photo", MAX_PHOTO_BYTES, "Foto")
        caption = str(body.get("caption") or "").strip() or None
        mime = str(body.get("mime"))
        mime = mime if mime in PHOTO_TYPES else "image/jpeg"  # as Telegram says of photos
        await api.user_sends_photo(user_id, data, caption=caption, mime=mime)
        return web.json_response({"ok": True})

    async def voice(request: web.Request) -> web.Response:
        wc = chat(request)
        body = await _json(request)
        user_id = _int(body.get("user_id"))
        wc.persona(user_id)
        data = _upload(body, "voice", MAX_VOICE_BYTES, "Pesan suara")
        seconds = max(1, min(_int(body.get("seconds")), 3600))
        mime = str(body.get("mime")).split(";")[0]
        await api.user_sends_voice(
            user_id, data, seconds, mime=mime if mime in VOICE_TYPES else "audio/ogg"
        )
        return web.json_response({"ok": True})

    async def file(request: web.Request) -> web.StreamResponse:
        # An <img> cannot send the token; other sites may embed it but never read its pixels.
        chat(request, api_call=False)
        stored = api.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=FILE_HEADERS,
        )

    app.router.add_get("/", index)
    app.router.add_get("/sim/api/personas", personas)
    app.router.add_get("/sim/api/messages", messages)
    app.router.add_post("/sim/api/send", send)
    app.router.add_post("/sim/api/press", press)
    app.router.add_post("/sim/api/start_link", start_link)
    app.router.add_post("/sim/api/web_app", web_app)
    app.router.add_post("/sim/api/photo", photo)
    app.router.add_post("/sim/api/voice", voice)
    app.router.add_get("/sim/file/{file_id}", file)


def _upload(body: dict[str, Any], key: str, limit: int, what: str) -> bytes:
    """A file the page sent as base64 in its JSON body (a 400 naming `what` otherwise)."""
    try:
        data = base64.b64decode(str(body.get(key, "")), validate=True)
    except binascii.Error:
        raise web.HTTPBadRequest(text=f"{what} tidak ditemukan") from None
    if not data or len(data) > limit:
        raise web.HTTPBadRequest(text=f"Ukuran {what.lower()} tidak sesuai")
    return data


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="Nomor tidak valid") from None


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON tidak valid") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON tidak valid")
    return body
