"""The desk on an HTTP server: the page, its files and the API, all under /desk/."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.context import BotApplication
from bot.desk import PATH, api
from bot.desk.routes import api as desk_api

STATIC = Path(__file__).with_name("static")
# The page loads Telegram's Mini App script and nothing else from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' https://telegram.org; "
        "img-src 'self' blob: data:; style-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
FILES = {
    "desk.css": "text/css",
    "desk.js": "text/javascript",
    "desk-broadcasts.js": "text/javascript",
}


def _file(name: str, content_type: str) -> web.RouteDef:
    body = (STATIC / name).read_bytes()  # read once: the page is small and never changes

    async def serve(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, headers=SECURITY_HEADERS)

    return web.get("/" + (name if name != "index.html" else ""), serve)


def application(app: BotApplication) -> web.Application:
    """The desk as an aiohttp application, to mount at /desk (no cookies, no sessions)."""
    desk = web.Application(client_max_size=api.BODY_LIMIT)
    desk.add_routes([_file("index.html", "text/html"), *(_file(n, t) for n, t in FILES.items())])
    desk.add_routes(api.routes(app, desk_api, "/api"))
    return desk


def mount(served: web.Application, app: BotApplication) -> None:
    """Serve the desk under /desk/ of `served` (the webhook's, or its own when polling)."""

    async def to_desk(_request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect(PATH)

    served.router.add_get(PATH.rstrip("/"), to_desk)  # before the sub-app, which takes /desk
    served.add_subapp(PATH.rstrip("/"), application(app))
