"""`pendamping invite` and `pendamping import umkm`: invitation links from the command line."""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import sys
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
IMPORT_COLUMNS = ("business", "owner", "sector", "phone")
LINK_COLUMNS = ("business", "owner", "sector", "link", "expires")
MAX_IMPORT_ROWS = 5000
SIMULATOR_USERNAME = "PendampingUMKMBot"
ROLES = ("coordinator", "mentor", "focal", "umkm")  # db.models.Role's values
SALUTATIONS = ("bapak", "ibu", "none")  # db.models.Salutation's values, and the name alone


class UsageError(Exception):
    """Bad arguments or settings, said in one line (exit status 2)."""


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The `invite` and `import` subcommands; returns the kinds of `import`."""
    invite = commands.add_parser("invite", help="make one invitation link and print it")
    invite.add_argument("--role", choices=ROLES)
    invite.add_argument(
        "--cancel", metavar="LINK", help="cancel an unused invitation (its link, code or id)"
    )
    invite.add_argument("--business", help="business name (role umkm)")
    invite.add_argument(
        "--owner", help="owner's name, without Bapak/Ibu (role umkm; default: their Telegram name)"
    )
    invite.add_argument("--sector", help="sector key, e.g. tenun (role umkm)")
    invite.add_argument("--phone", help="owner's phone number (role umkm, optional)")
    invite.add_argument("--agency", help="agency name or short name (role focal)")
    invite.add_argument(
        "--name",
        help="the invitee's name (roles focal, mentor, coordinator; default: their Telegram name)",
    )
    invite.add_argument(
        "--salutation",
        choices=SALUTATIONS,
        default="none",
        help="how the bot addresses the invitee: Bapak or Ibu before the name, or the name alone",
    )
    invite.add_argument("--days", type=int, default=14, help="days the link stays valid")
    imports = commands.add_parser("import", help="bulk invitations from a file")
    what = imports.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    umkm = what.add_parser(
        "umkm", help="businesses from a CSV (business,owner,sector,phone): links to a CSV"
    )
    umkm.add_argument("file", type=Path)
    umkm.add_argument("--out", type=Path, help="links CSV (default: <file>-links.csv)")
    umkm.add_argument("--days", type=int, default=14, help="days the links stay valid")
    return what


def main(args: argparse.Namespace, settings: Settings) -> int:
    """Run `invite` or `import umkm`: migrate, seed agencies, then the command."""
    try:
        if args.command == "invite":
            _check_invite_args(args)
        elif not args.file.is_file():
            raise UsageError(f"no such file: {args.file}")
        if args.days < 1:
            raise UsageError("--days must be at least 1")
        username = _bot_username(settings)
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line out, not twenty
        from bot.content import ContentError, load_content
        from bot.runner import prepare_database

        try:
            sectors = load_content().sector_keys
        except ContentError:
            raise UsageError(
                "the files in content/ have problems; run `pendamping content check`"
            ) from None
        prepare_database(settings)
        if args.command == "invite":
            return asyncio.run(_invite(args, settings, username, sectors))
        return asyncio.run(_import_umkm(args, settings, username, sectors))
    except UsageError as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _check_invite_args(args: argparse.Namespace) -> None:
    from db.models import Role  # SQLAlchemy: only for a command that runs

    if args.role is None:
        raise UsageError("invite needs --role (or --cancel LINK)")
    role = Role(args.role)
    # Names are optional: without one, the invitee is greeted by their Telegram name.
    needed, optional = {
        Role.UMKM: (("business", "sector"), {"owner", "phone"}),
        Role.FOCAL: (("agency",), {"name"}),
    }.get(role, ((), {"name"}))
    missing = [f"--{n}" for n in needed if not (getattr(args, n) or "").strip()]
    if missing:
        raise UsageError(f"invite --role {role.value} needs {' and '.join(missing)}")
    allowed = set(needed) | optional
    extra = [
        f"--{n}"
        for n in ("business", "owner", "sector", "phone", "agency", "name")
        if getattr(args, n) is not None and n not in allowed
    ]
    if extra:
        raise UsageError(f"invite --role {role.value} does not take {', '.join(extra)}")


def _bot_username(settings: Settings) -> str:
    """BOT_USERNAME, else getMe with the token, else the simulator's bot."""
    if settings.bot_username:
        return settings.bot_username
    if settings.telegram_bot_token is None:
        return SIMULATOR_USERNAME
    from telegram import Bot
    from telegram.error import TelegramError

    async def ask() -> str:
        assert settings.telegram_bot_token is not None
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_url
        )
        async with bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except (TelegramError, OSError) as exc:
        raise UsageError(
            f"could not ask Telegram for the bot's name ({type(exc).__name__}); set BOT_USERNAME"
        ) from None


async def _invite(
    args: argparse.Namespace, settings: Settings, username: str, sectors: Collection[str]
) -> int:
    from bot.clock import SystemClock
    from bot.services import agencies, businesses, invitations
    from bot.services.errors import Invalid
    from db.models import Role, Salutation
    from db.session import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    clock = SystemClock()
    role = Role(args.role)
    salutation = None if args.salutation == "none" else Salutation(args.salutation)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            await agencies.seed_pilot_agencies(db, clock)
            try:
                if role is Role.UMKM:
                    existing = await businesses.find_by_name(db, args.business)
                    if existing is not None and existing.owner_id is not None:
                        raise UsageError(f"the owner of {existing.name!r} has already joined")
                    if existing is not None:
                        invitation, code = await invitations.reinvite_business(
                            db,
                            clock,
                            existing.id,
                            created_by_id=None,
                            valid_days=args.days,
                            salutation=salutation,
                        )
                    else:
                        _, invitation, code = await invitations.invite_business(
                            db,
                            clock,
                            business_name=args.business,
                            owner_name=args.owner or "",
                            sector=args.sector,
                            sectors=sectors,
                            phone=args.phone,
                            created_by_id=None,
                            valid_days=args.days,
                            salutation=salutation,
                        )
                else:
                    agency_id = None
                    if role is Role.FOCAL:
                        agency = await agencies.find(db, args.agency)
                        if agency is None:
                            names = ", ".join(
                                a.short_name for a in await agencies.all_agencies(db)
                            )
                            raise UsageError(f"unknown agency {args.agency!r} (known: {names})")
                        agency_id = agency.id
                    invitation, code = await invitations.create_invitation(
                        db,
                        clock,
                        role=role,
                        invitee_name=args.name or "",
                        created_by_id=None,
                        agency_id=agency_id,
                        valid_days=args.days,
                        salutation=salutation,
                    )
            except Invalid as exc:
                raise UsageError(str(exc)) from None
            expires = invitation.expires_at
    finally:
        await engine.dispose()
    print(invitations.link(username, code))
    print(f"valid until {_local(expires, settings)}", file=sys.stderr)
    return EXIT_OK


@dataclass(frozen=True)
class ImportRow:
    line: int
    business: str
    owner: str
    sector: str
    phone: str | None


def read_umkm_csv(path: Path, sectors: Collection[str]) -> tuple[list[ImportRow], list[str]]:
    """Every row checked before anything is applied: the rows, and the problems by line."""
    from bot.i18n import N_
    from bot.services import businesses
    from bot.services.errors import Invalid

    problems: list[str] = []
    rows: list[ImportRow] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            if header[: len(IMPORT_COLUMNS)] != list(IMPORT_COLUMNS):
                columns = ",".join(IMPORT_COLUMNS)
                return [], [f"line 1: the header must be {columns} (found {','.join(header)})"]
            reader.fieldnames = header
            seen: dict[str, int] = {}
            for raw in reader:
                line = reader.line_num
                if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
                    problems.append(f"line {line}: more than {MAX_IMPORT_ROWS} rows")
                    break
                if None in raw or any(v is None for v in raw.values()):
                    problems.append(f"line {line}: expected {len(IMPORT_COLUMNS)} columns")
                    continue
                values = {k: (v or "").strip() for k, v in raw.items() if k}
                if not any(values.values()):
                    continue  # a blank line
                try:
                    business = businesses.clean_name(values["business"], N_("business name"))
                    owner = businesses.clean_name(values["owner"], N_("owner name"))
                    sector = businesses.check_sector(values["sector"], sectors)
                    phone = businesses.clean_phone(values["phone"]) if values["phone"] else None
                except Invalid as exc:
                    problems.append(f"line {line}: {exc}")
                    continue
                key = business.lower()
                if key in seen:
                    problems.append(f"line {line}: {business!r} repeats line {seen[key]}")
                    continue
                seen[key] = line
                rows.append(ImportRow(line, business, owner, sector, phone))
    except UnicodeDecodeError:
        return [], [f"{path}: not UTF-8 text; save the sheet as CSV UTF-8"]
    except csv.Error as exc:
        return [], [f"{path}: not a readable CSV ({exc})"]
    if not rows and not problems:
        problems.append(f"{path}: no rows")
    return rows, problems


async def _import_umkm(
    args: argparse.Namespace, settings: Settings, username: str, sectors: Collection[str]
) -> int:
    from bot.clock import SystemClock
    from bot.services import agencies, businesses, invitations
    from db.session import create_engine, create_session_factory

    rows, problems = read_umkm_csv(args.file, sectors)
    out: Path = args.out or args.file.with_name(f"{args.file.stem}-links.csv")
    links: list[tuple[ImportRow, str, datetime]] = []
    engine = create_engine(settings.database_url)
    clock = SystemClock()
    try:
        async with create_session_factory(engine)() as db, db.begin():
            await agencies.seed_pilot_agencies(db, clock)
            for row in rows:
                if await businesses.find_by_name(db, row.business) is not None:
                    problems.append(f"line {row.line}: {row.business!r} is already registered")
            if not problems:
                for row in rows:
                    _, invitation, code = await invitations.invite_business(
                        db,
                        clock,
                        business_name=row.business,
                        owner_name=row.owner,
                        sector=row.sector,
                        sectors=sectors,
                        phone=row.phone,
                        created_by_id=None,
                        valid_days=args.days,
                    )
                    links.append((row, invitations.link(username, code), invitation.expires_at))
                # The links exist only here: write them before the rows are committed.
                _write_links(out, links, settings)
    finally:
        await engine.dispose()
    if problems:
        problems.sort(key=_line_of)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was imported", file=sys.stderr)
        return EXIT_REJECTED
    print(f"{len(links)} invitation(s) written to {out}")
    return EXIT_OK


def _write_links(
    out: Path, links: list[tuple[ImportRow, str, datetime]], settings: Settings
) -> None:
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(LINK_COLUMNS)
            for row, link, expires in links:
                writer.writerow(
                    (row.business, row.owner, row.sector, link, _iso(expires, settings))
                )
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from None


def _line_of(problem: str) -> int:
    head = problem.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


def _iso(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.timezone).isoformat(timespec="minutes")


def _local(moment: datetime, settings: Settings) -> str:
    return moment.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M %Z")
