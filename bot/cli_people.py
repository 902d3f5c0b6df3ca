"""`pendamping people ...`, `pendamping audit` and `pendamping invite --cancel`.

Only argparse at import time: the database layers load when a command runs, so `--help`
stays quick. Changes made here are recorded in the audit trail with no person as the doer
(the operator), and the person concerned is told when the bot next sends its outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.services.roles import Changed
    from bot.settings import Settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
ROLES = ("coordinator", "mentor", "focal", "umkm")  # db.models.Role's values
AUDIT_DAYS = 7

T = TypeVar("T")


class Rejected(Exception):
    """The change cannot be made (unknown person, a rule): one line, exit status 1."""


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `people` and `audit` subcommands."""
    people = commands.add_parser("people", help="list people, change their roles and access")
    actions = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="everyone, or those with a role")
    listing.add_argument("--role", choices=ROLES, help="only people with this role")
    listing.add_argument("--search", help="only names (or businesses) containing this")
    listing.add_argument(
        "--paused", action="store_true", help="only people whose access is paused"
    )
    set_role = actions.add_parser("set-role", help="give a person a role")
    set_role.add_argument("telegram_id", type=int)
    set_role.add_argument("role", choices=ROLES[:3])
    set_role.add_argument("--agency", help="agency name or short name (role focal)")
    revoke = actions.add_parser("revoke", help="take a role away from a person")
    revoke.add_argument("telegram_id", type=int)
    revoke.add_argument("role", choices=ROLES)
    for name, what in (
        ("deactivate", "pause a person's access (their data is kept)"),
        ("reactivate", "give a paused person access again"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("telegram_id", type=int)
    audit = commands.add_parser("audit", help="print the audit trail")
    audit.add_argument(
        "--since",
        type=_day,
        help=f"first day, YYYY-MM-DD in the bot's time zone (default: {AUDIT_DAYS} days ago)",
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def main(args: argparse.Namespace, settings: Settings) -> int:
    """Run a `people` or `audit` command."""
    commands: dict[str, Callable[[AsyncSession], Awaitable[list[str]]]] = {
        "list": lambda db: _list(db, args),
        "set-role": lambda db: _set_role(db, args),
        "revoke": lambda db: _revoke(db, args),
        "deactivate": lambda db: _access(db, args, pause=True),
        "reactivate": lambda db: _access(db, args, pause=False),
    }
    if args.command == "audit":
        return _run(settings, lambda db: _audit(db, args, settings))
    return _run(settings, commands[args.people_command])


def cancel_invitation(ref: str, settings: Settings) -> int:
    """`pendamping invite --cancel <id, code or link>`."""

    async def cancel(db: AsyncSession) -> list[str]:
        from bot.clock import SystemClock
        from bot.services import invitations
        from bot.services.errors import NotFound, Stale

        clock = SystemClock()
        try:
            found = await invitations.find_unused(db, clock, ref)
            await invitations.cancel(db, clock, found.id, by_id=None)
        except (NotFound, Stale):
            raise Rejected(f"no unused invitation matches {ref!r}") from None
        name = found.business or found.invitee_name or "-"
        return [f"invitation {found.id} ({found.role.value}, {name}) cancelled"]

    return _run(settings, cancel)


def _run(settings: Settings, command: Callable[[AsyncSession], Awaitable[list[str]]]) -> int:
    from bot.runner import prepare_database

    logging.getLogger("alembic").setLevel(logging.WARNING)
    prepare_database(settings)
    try:
        out = asyncio.run(_in_transaction(settings, command))
    except Rejected as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    for line in out:
        print(line)
    return EXIT_OK


async def _in_transaction(
    settings: Settings, command: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    from db.session import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            return await command(db)
    finally:
        await engine.dispose()


async def _list(db: AsyncSession, args: argparse.Namespace) -> list[str]:
    from bot.services import roles
    from db.models import Role

    role = Role(args.role) if args.role else None
    page = await roles.directory(
        db, role=role, paused=args.paused, query=args.search, per_page=10_000
    )
    out = ["telegram_id\tname\troles\tagency_or_business\tstatus"]
    for line in page.items:
        view = await roles.view(db, line.id)
        held = ",".join(
            h.role.value + ("*" if h.source.value == "setting" else "") for h in view.roles
        )
        status = "paused" if line.paused else "active"
        where = line.agency or line.business or ""
        out.append(f"{view.telegram_id}\t{line.name}\t{held or '-'}\t{where}\t{status}")
    out.append(f"# {page.total} person(s); * = from BOT_COORDINATORS")
    return out


async def _person_id(db: AsyncSession, telegram_id: int) -> int:
    from bot.services import people

    person = await people.find_by_telegram_id(db, telegram_id)
    if person is None:
        raise Rejected(f"nobody with Telegram id {telegram_id} is known")
    return person.id


async def _changed(
    db: AsyncSession, telegram_id: int, change: Callable[[int], Awaitable[Changed]]
) -> list[str]:
    from bot.services.roles import Refused

    try:
        result = await change(await _person_id(db, telegram_id))
    except Refused as exc:
        raise Rejected(f"not changed: {exc}") from None
    what = result.change.value + (f" {result.role.value}" if result.role else "")
    if not result.done:
        return [f"{result.person.name} ({telegram_id}): nothing to change ({what} already)"]
    return [f"{result.person.name} ({telegram_id}): {what}; they will be told"]


async def _set_role(db: AsyncSession, args: argparse.Namespace) -> list[str]:
    from bot.clock import SystemClock
    from bot.services import agencies, roles
    from db.models import Role

    role = Role(args.role)
    agency_id = None
    if role is Role.FOCAL:
        if not args.agency:
            raise Rejected("set-role focal needs --agency")
        await agencies.seed_pilot_agencies(db, SystemClock())
        agency = await agencies.find(db, args.agency)
        if agency is None:
            names = ", ".join(a.short_name for a in await agencies.all_agencies(db))
            raise Rejected(f"unknown agency {args.agency!r} (known: {names})")
        agency_id = agency.id

    async def grant(person_id: int) -> Changed:
        return await roles.grant(
            db, SystemClock(), person_id, role, by_id=None, agency_id=agency_id
        )

    return await _changed(db, args.telegram_id, grant)


async def _revoke(db: AsyncSession, args: argparse.Namespace) -> list[str]:
    from bot.clock import SystemClock
    from bot.services import roles
    from db.models import Role

    async def revoke(person_id: int) -> Changed:
        return await roles.revoke(db, SystemClock(), person_id, Role(args.role), by_id=None)

    return await _changed(db, args.telegram_id, revoke)


async def _access(db: AsyncSession, args: argparse.Namespace, *, pause: bool) -> list[str]:
    from bot.clock import SystemClock
    from bot.services import roles

    change = roles.deactivate if pause else roles.reactivate

    async def apply(person_id: int) -> Changed:
        return await change(db, SystemClock(), person_id, by_id=None)

    return await _changed(db, args.telegram_id, apply)


async def _audit(db: AsyncSession, args: argparse.Namespace, settings: Settings) -> list[str]:
    from bot.clock import SystemClock
    from bot.services import audit

    zone = settings.timezone
    if args.since is not None:
        since = datetime.combine(args.since, time(), tzinfo=zone)
    else:
        since = SystemClock().now().astimezone(zone) - timedelta(days=AUDIT_DAYS)
    out = []
    for line in await audit.since(db, since):
        when = line.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        by = f"{line.actor or '?'} (#{line.actor_id})" if line.actor_id else "system"
        about = f"\tabout {line.subject or '?'} (#{line.subject_id})" if line.subject_id else ""
        detail = " ".join(f"{k}={v}" for k, v in line.detail)
        out.append(f"{when}\t{line.action}\tby {by}{about}\t{detail}".rstrip())
    if not out:
        out.append(f"# nothing recorded since {since:%Y-%m-%d %H:%M %Z}")
    return out
