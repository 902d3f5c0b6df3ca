"""What the desk's API serves, route by route, over the services the chat uses too.

Coordinators reach everything; a mentor the open questions; a focal point their own
agency and its deadlines; a business owner only `/me` (and the files they sent). The
broadcasts tab's routes are in bot/desk/broadcasts.py.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from bot.desk import broadcasts as broadcast_routes
from bot.desk import texts
from bot.desk.api import Api, Call, Download, in_thread
from bot.i18n import N_
from bot.render import invite as invite_render
from bot.render import people as people_render
from bot.render.assessment.labels import light_name
from bot.render.common import ROLE_NAMES
from bot.render.deadlines.shared import KIND_NAMES, STATUS_NAMES
from bot.render.exports import ALL_LABEL, FORMAT_LABELS
from bot.render.invite import ROLE_LABELS
from bot.services import (
    agencies,
    evidence,
    exports,
    invitations,
    people,
    questions,
    reports,
    roles,
)
from bot.services.deadlines import views as deadline_views
from bot.services.deadlines.history import history
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.exports import TITLES, ExportFormat, ExportKind
from bot.services.reports import agencies as agency_reports
from bot.services.reports import businesses as business_reports
from db.models import Light, Role, Salutation

COORDINATOR, MENTOR, FOCAL, UMKM = Role.COORDINATOR, Role.MENTOR, Role.FOCAL, Role.UMKM
EVERYONE = (COORDINATOR, MENTOR, FOCAL, UMKM)
MIMES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
}
INVITATIONS_SHOWN = 200

api = Api()
api.include(broadcast_routes.api)  # the broadcasts tab (bot/desk/broadcasts.py)


def _sectors(call: Call) -> dict[str, str]:
    return {sector.key: sector.name for sector in call.deps.content.sectors}


def _indicators(call: Call) -> int:
    return len(call.deps.content.iso18091.indicators)


async def _agency_id(call: Call) -> int | None:
    agency = await agencies.agency_of(call.db, call.me.id)
    return agency.id if agency is not None else None


# --- who is asking, and the page's words in their language ------------------------------------


@api.get("/me", *EVERYONE)
async def who_am_i(call: Call) -> dict[str, Any]:
    tr = call.tr
    return {
        "me": call.me,
        "agency_id": await _agency_id(call),
        "zone": call.deps.settings.bot_timezone,
        "texts": texts.translated(tr),
        "labels": {
            "roles": {r.value: tr.gettext(ROLE_LABELS[r]) for r in Role},
            "role_names": {r.value: tr.gettext(ROLE_NAMES[r]) for r in Role},
            "statuses": {s.value: tr.gettext(n) for s, n in STATUS_NAMES.items()},
            "kinds": {k.value: tr.gettext(n) for k, n in KIND_NAMES.items()},
            "lights": {light.value: light_name(tr, light) for light in Light},
            "sectors": _sectors(call),
        },
    }


# --- the programme at a glance, businesses -----------------------------------------------------


@api.get("/overview", COORDINATOR)
async def overview(call: Call) -> dict[str, Any]:
    """The figures of /rekap, with the moment they were computed."""
    summary = await reports.summary(
        call.db, call.deps.clock, call.deps.settings.timezone, _indicators(call)
    )
    return {"summary": summary, "sectors": _sectors(call)}


@api.get("/businesses", COORDINATOR)
async def business_table(call: Call) -> dict[str, Any]:
    rows = await business_reports.business_table(call.db)
    return {"now": call.deps.clock.now(), "rows": rows, "sectors": _sectors(call)}


@api.get(r"/businesses/{business:\d+}", COORDINATOR)
async def business_page(call: Call) -> object:
    return await business_reports.business_history(
        call.db, call.deps.clock, call.deps.content, call.number("business")
    )


@api.get(r"/evidence/{evidence:\d+}", *EVERYONE)
async def evidence_file(call: Call) -> Download:
    """A photo or document, to those allowed to see it (bot/services/evidence.py says who)."""
    found = await evidence.open_file(
        call.db,
        call.deps.settings.data_dir,
        call.number("evidence"),
        person_id=call.me.id,
        roles=call.me.roles,
    )

    async def data() -> bytes:
        return found.data

    return Download(found.filename, found.mime, data)


@api.get("/questions", COORDINATOR, MENTOR)
async def open_questions(call: Call) -> dict[str, Any]:
    found, total = await questions.open_questions(call.db, limit=INVITATIONS_SHOWN)
    return {"now": call.deps.clock.now(), "items": found, "total": total}


# --- agencies and deadlines ----------------------------------------------------------------------


@api.get("/agencies", COORDINATOR)
async def agency_table(call: Call) -> object:
    return await agency_reports.agency_records(
        call.db, call.deps.clock, call.deps.settings.timezone, _indicators(call)
    )


@api.get(r"/agencies/{agency:\d+}", COORDINATOR, FOCAL)
async def agency_page(call: Call) -> object:
    """One agency: a focal point sees only their own."""
    agency_id = call.number("agency")
    if not call.me.coordinator and not await agencies.is_member(call.db, agency_id, call.me.id):
        raise NotAllowed()
    return await agency_reports.agency_page(
        call.db, call.deps.clock, call.deps.settings.timezone, _indicators(call), agency_id
    )


@api.get("/deadlines", COORDINATOR, FOCAL)
async def deadline_list(call: Call) -> dict[str, Any]:
    """Open deadlines with each agency's answer; a focal point's only their agency's."""
    if call.me.coordinator:
        found = await deadline_views.overview(call.db)
    else:
        found = await deadline_views.for_focal_point(call.db, call.me.id)
    return {"now": call.deps.clock.now(), "items": found}


@api.get(r"/deadlines/{deadline:\d+}", COORDINATOR, FOCAL)
async def deadline_history(call: Call) -> object:
    """Its reminders (planned, sent, ...) and answers; a focal point's agency's only."""
    focal = None if call.me.coordinator else call.me.id
    return await history(call.db, call.number("deadline"), focal_id=focal)


# --- exports -------------------------------------------------------------------------------------


@api.get("/exports", COORDINATOR)
async def export_choices(call: Call) -> dict[str, Any]:
    tr = call.tr
    kinds = [{"value": k.value, "label": tr.gettext(TITLES[k])} for k in exports.KINDS]
    kinds.append({"value": ExportKind.ALL.value, "label": tr.gettext(ALL_LABEL)})
    formats = [{"value": f.value, "label": tr.gettext(FORMAT_LABELS[f])} for f in ExportFormat]
    return {"kinds": kinds, "formats": formats}


@api.get(r"/exports/{what:[a-z]+}/{format:[a-z]+}", COORDINATOR)
async def export_file(call: Call) -> Download:
    """The same file as `pendamping export --what ... --format ...`."""
    try:
        what = ExportKind(call.request.match_info["what"])
        fmt = ExportFormat(call.request.match_info["format"])
    except ValueError:
        raise NotFound() from None
    sheets = await exports.collect(call.db, call.deps.content, what)
    name = exports.filename(fmt, what, call.tr.local(call.deps.clock.now()).date())
    tr = call.tr

    async def make() -> bytes:
        return await in_thread(lambda: exports.write(sheets, fmt, tr))

    return Download(name, MIMES["." + name.rsplit(".", 1)[-1]], make)


# --- people: the /orang actions -----------------------------------------------------------------


@api.get("/people", COORDINATOR)
async def people_list(call: Call) -> dict[str, Any]:
    role_value, query = call.query("role"), call.query("q")
    role = Role(role_value) if role_value in {r.value for r in Role} else None
    page = int(call.query("page")) if call.query("page").isdigit() else 0
    found = await roles.directory(
        call.db,
        role=role,
        paused=call.query("paused") == "1",
        query=query[: roles.MAX_QUERY] or None,
        page=page,
        per_page=50,
    )
    return {"overview": await roles.overview(call.db), "page": found}


@api.get(r"/people/{person:\d+}", COORDINATOR)
async def person_page(call: Call) -> dict[str, Any]:
    choices = [{"id": a.id, "name": a.name} for a in await agencies.all_agencies(call.db)]
    return {
        "person": await roles.view(call.db, call.number("person")),
        "grantable": [r.value for r in roles.GRANTABLE],
        "agencies": choices,
    }


def _role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise Invalid() from None


def _optional_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise Invalid()


async def _changed(call: Call, change: Awaitable[roles.Changed]) -> dict[str, Any]:
    """Make a change; after the commit the dispatcher tells them and their menus follow."""
    changed = await change
    notice = people_render.changed_notice(
        call.tr, changed.change, changed.done, changed.person.name, changed.role
    )
    if changed.done:
        person = await people.get(call.db, changed.person.id)
        deps, bot, menus = call.deps, call.app.bot, call.app.bot_data.commands

        async def follow() -> None:
            deps.wake_dispatcher()
            if person is not None and menus is not None:
                await menus.give(bot, person)

        call.after.append(follow)
    return {"person": changed.person, "done": changed.done, "notice": str(notice)}


@api.post(r"/people/{person:\d+}/roles", COORDINATOR)
async def grant_role(call: Call) -> dict[str, Any]:
    body = await call.body()
    change = roles.grant(
        call.db,
        call.deps.clock,
        call.number("person"),
        _role(body.get("role")),
        by_id=call.me.id,
        agency_id=_optional_int(body.get("agency_id")),
    )
    return await _changed(call, change)


@api.delete(r"/people/{person:\d+}/roles/{role:[a-z_]+}", COORDINATOR)
async def revoke_role(call: Call) -> dict[str, Any]:
    role = _role(call.request.match_info["role"])
    change = roles.revoke(call.db, call.deps.clock, call.number("person"), role, by_id=call.me.id)
    return await _changed(call, change)


@api.post(r"/people/{person:\d+}/pause", COORDINATOR)
async def pause_access(call: Call) -> dict[str, Any]:
    change = roles.deactivate(call.db, call.deps.clock, call.number("person"), by_id=call.me.id)
    return await _changed(call, change)


@api.post(r"/people/{person:\d+}/resume", COORDINATOR)
async def resume_access(call: Call) -> dict[str, Any]:
    change = roles.reactivate(call.db, call.deps.clock, call.number("person"), by_id=call.me.id)
    return await _changed(call, change)


@api.get("/invitations", COORDINATOR)
async def invitation_list(call: Call) -> dict[str, Any]:
    found = await invitations.unused(call.db, call.deps.clock, limit=INVITATIONS_SHOWN)
    return {"items": found, "total": await invitations.count_unused(call.db)}


@api.delete(r"/invitations/{invitation:\d+}", COORDINATOR)
async def cancel_invitation(call: Call) -> dict[str, Any]:
    found = await invitations.cancel(
        call.db, call.deps.clock, call.number("invitation"), by_id=call.me.id
    )
    return {
        "invitation": found,
        "notice": str(people_render.invitation_cancelled(call.tr, found).text),
    }


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


@api.post("/invitations", COORDINATOR)
async def invite(call: Call) -> dict[str, Any]:
    """A new invitation link, as the chat's invite dialogue makes it."""
    body = await call.body()
    role = _role(body.get("role"))
    salutation_value = _text(body, "salutation")
    salutation = Salutation(salutation_value) if salutation_value in set(Salutation) else None
    db, clock = call.db, call.deps.clock
    if role is UMKM:
        _, made, code = await invitations.invite_business(
            db,
            clock,
            business_name=_text(body, "business"),
            owner_name=_text(body, "name"),
            sector=_text(body, "sector"),
            sectors=call.deps.content.sector_keys,
            phone=_text(body, "phone") or None,
            created_by_id=call.me.id,
            salutation=salutation,
        )
    else:
        agency_id = _optional_int(body.get("agency_id"))
        if role is FOCAL and (agency_id is None or await agencies.get(db, agency_id) is None):
            raise Invalid(N_("a focal point needs an agency."))
        made, code = await invitations.create_invitation(
            db,
            clock,
            role=role,
            invitee_name=_text(body, "name"),
            created_by_id=call.me.id,
            agency_id=agency_id,
            salutation=salutation,
        )
    link = invitations.link(call.app.bot.username, code)
    reply = invite_render.made(call.tr, role, made.invitee_name, link, made.expires_at)
    return {"link": link, "expires_at": made.expires_at, "notice": str(reply.text)}
