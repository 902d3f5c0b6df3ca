"""The desk's JSON API, /desk/api/...: who asks is checked on every request, no session kept.

Each request carries the Mini App's signed `initData` in `Authorization: tma <initData>`
(bot/desk/signin.py); a missing, forged, malformed or stale one is 401 and logged with the
reason only. The signed Telegram user must be a person with a role the route allows
(403 otherwise). A route runs in one transaction, reaches the database only through
bot/services and answers with their views as JSON; work that must follow the commit
(waking the dispatcher, a changed command menu) runs after it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import BotApplication, Deps
from bot.desk import jsonview, signin, texts
from bot.i18n import Translator
from bot.services import people
from bot.services.errors import DomainError, Invalid, NotAllowed, NotFound, Stale
from db.models import Person, Role

log = logging.getLogger(__name__)

AUTH_HEADER = "Authorization"
AUTH_SCHEME = "tma "  # as Telegram's own Mini App examples send it
JSON = "application/json"
BODY_LIMIT = 16 * 1024  # the API takes small forms only


@dataclass(frozen=True)
class Me:
    """The person the signed data names, as the routes need them."""

    id: int
    telegram_id: int
    name: str
    roles: frozenset[Role]
    locale: str

    @property
    def coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles


@dataclass(frozen=True)
class Download:
    """A file to download; `make` runs after the transaction has closed."""

    filename: str
    mime: str
    make: Callable[[], Awaitable[bytes]]


@dataclass
class Call:
    """One API request being served: its session, the person, their language."""

    request: web.Request
    db: AsyncSession
    app: BotApplication
    me: Me
    tr: Translator
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def deps(self) -> Deps:
        return self.app.bot_data.require()

    def number(self, name: str) -> int:
        """A path parameter (the route's pattern lets only digits through)."""
        return int(self.request.match_info[name])

    def query(self, name: str) -> str:
        return self.request.query.get(name, "").strip()

    async def body(self) -> dict[str, Any]:
        """The request's JSON object (Invalid when it is something else)."""
        try:
            found = await self.request.json()
        except ValueError:
            raise Invalid() from None
        if not isinstance(found, dict):
            raise Invalid()
        return found


Handler = Callable[[Call], Awaitable[object]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # below /desk/api, aiohttp's pattern syntax: /businesses/{business:\d+}
    roles: frozenset[Role]
    handler: Handler


class Api:
    """The routes of the API, declared next to what they serve (bot/desk/routes.py)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, path: str, *roles: Role) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, path, frozenset(roles), handler))
            return handler

        return register

    def get(self, path: str, *roles: Role) -> Callable[[Handler], Handler]:
        return self.route("GET", path, *roles)

    def post(self, path: str, *roles: Role) -> Callable[[Handler], Handler]:
        return self.route("POST", path, *roles)

    def delete(self, path: str, *roles: Role) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, *roles)

    def include(self, other: Api) -> None:
        """Serve another module's routes too (one tab's routes in a module of its own)."""
        self.routes.extend(other.routes)


def _problem(status: int, error: str, message: str = "") -> web.Response:
    body = {"error": error, "message": message}
    return web.Response(status=status, text=jsonview.dumps(body), content_type=JSON)


def _init_data(request: web.Request) -> str | None:
    given = request.headers.get(AUTH_HEADER, "")
    return given[len(AUTH_SCHEME) :] if given.startswith(AUTH_SCHEME) else None


def _me(person: Person) -> Me:
    return Me(person.id, person.telegram_id, person.full_name, person.role_set, person.locale)


def _domain_problem(exc: DomainError, tr: Translator) -> web.Response:
    if isinstance(exc, NotAllowed):
        return _problem(403, "not_allowed", tr.gettext(texts.NOT_ALLOWED))
    if isinstance(exc, NotFound):
        return _problem(404, "not_found", tr.gettext(texts.NOT_FOUND))
    if isinstance(exc, Stale):
        return _problem(409, "stale", tr.gettext(texts.STALE))
    reason = exc.explain(tr.gettext) if isinstance(exc, Invalid) else ""
    return _problem(400, "invalid", reason or tr.gettext(texts.INVALID))


async def _answer(result: object) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    if isinstance(result, Download):
        data = await result.make()
        disposition = f'attachment; filename="{result.filename}"'
        return web.Response(
            body=data,
            headers={
                "Content-Type": result.mime,
                "Content-Disposition": disposition,
                "Cache-Control": "no-store",
            },
        )
    return web.Response(
        text=jsonview.dumps(result), content_type=JSON, headers={"Cache-Control": "no-store"}
    )


def _trouble(request: web.Request, route: Route, tr: Translator) -> web.Response:
    """Log the failure with an incident code the person can quote; show them the code only."""
    incident = secrets.token_hex(2).upper()
    log.exception("desk: %s %s failed, incident %s", request.method, route.path, incident)
    return _problem(500, "trouble", tr.gettext(texts.TROUBLE).format(code=incident))


def serve(app: BotApplication, route: Route) -> Callable[[web.Request], Awaitable[Any]]:
    """The aiohttp handler of one route: signature, person, roles, transaction, answer."""
    deps = app.bot_data.require()
    max_age = timedelta(seconds=deps.settings.desk_max_age_s)

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            user = signin.verify(_init_data(request), app.bot.token, deps.clock.now(), max_age)
        except signin.NotSignedIn as refused:
            log.warning(
                "desk: %s %s from %s refused: %s sign-in data",
                request.method,
                route.path,
                request.remote,
                refused.reason.value,
            )
            return _problem(401, "not_signed_in", refused.reason.value)
        tr = deps.i18n.translator()
        try:
            async with deps.sessions() as db, db.begin():
                person = await people.find_by_telegram_id(db, user.telegram_id)
                if person is None or person.deactivated_at is not None:
                    return _problem(403, "not_allowed", tr.gettext(texts.NOT_ALLOWED))
                me = _me(person)
                tr = deps.i18n.translator(me.locale)
                if not me.roles & route.roles:
                    return _problem(403, "not_allowed", tr.gettext(texts.NOT_ALLOWED))
                call = Call(request, db, app, me, tr)
                result = await route.handler(call)
        except DomainError as exc:
            return _domain_problem(exc, tr)
        except Exception:
            return _trouble(request, route, tr)
        for then in call.after:
            try:
                await then()
            except Exception:  # the change is committed; a menu not updated is no failure
                log.exception("desk: after %s %s", request.method, route.path)
        try:
            return await _answer(result)
        except Exception:
            return _trouble(request, route, tr)

    return handle


def routes(app: BotApplication, api: Api, prefix: str) -> list[web.RouteDef]:
    return [web.route(r.method, prefix + r.path, serve(app, r), name=None) for r in api.routes]


async def in_thread(fn: Callable[[], bytes]) -> bytes:
    return await asyncio.to_thread(fn)
