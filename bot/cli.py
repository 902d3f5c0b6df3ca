"""The `pendamping` command line: run the bot, manage the database, check content."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__, cli_deadlines, cli_export, cli_invite, cli_people, logs

if TYPE_CHECKING:
    from bot.context import BotApplication
    from bot.settings import Settings

EXIT_CONFIG = 2


class StartFailed(Exception):
    """Telegram refused the token or could not be reached: one line for the operator."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pendamping",
        description=(
            "Pendamping UMKM: the Telegram bot of the Kota Kupang standardization programme. "
            "Settings come from the environment or a .env file (see README)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"pendamping {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="start the bot with long polling (no TELEGRAM_BOT_TOKEN: the local simulator)",
    )
    run.add_argument("--port", type=int, help="web chat port of the simulator (default 8080)")
    webhook = commands.add_parser(
        "webhook", help="serve Telegram webhooks (needs WEBHOOK_URL and WEBHOOK_SECRET)"
    )
    webhook.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes sharing the port (more than 1 needs PostgreSQL)",
    )
    webhook.add_argument(
        "--delete", action="store_true", help="only tell Telegram to stop sending updates here"
    )
    # A worker started by the parent: serve on the listening socket it inherited.
    webhook.add_argument("--worker-fd", type=int, help=argparse.SUPPRESS)
    webhook.add_argument("--parent-fd", type=int, help=argparse.SUPPRESS)
    commands.add_parser(
        "dispatch",
        help="run the outbox dispatcher and the periodic jobs alone (no updates)",
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply all database migrations")
    backup = db_commands.add_parser(
        "backup", help="copy the SQLite database to FILE while the bot runs"
    )
    backup.add_argument("file", type=Path, help="a new file")
    restore = db_commands.add_parser(
        "restore", help="replace the SQLite database with a backup (stop the bot first)"
    )
    restore.add_argument("file", type=Path, help="a file made by `pendamping db backup`")
    content = commands.add_parser("content", help="guidance and checklist files")
    content_commands = content.add_subparsers(
        dest="content_command", metavar="ACTION", required=True
    )
    check = content_commands.add_parser("check", help="validate every file in content/")
    check.add_argument("--root", type=Path, help="content folder (default: the shipped one)")
    check.add_argument(
        "--open-questions",
        action="store_true",
        help="also list every point the content marks as still to be confirmed",
    )
    import_kinds = cli_invite.add_parsers(commands)
    cli_deadlines.add_parser(import_kinds)
    cli_people.add_parsers(commands)
    cli_export.add_parser(commands)
    forget = commands.add_parser(
        "forget",
        help="delete a person's personal data on their request (UU 27/2022)",
    )
    forget.add_argument("telegram_id", type=int, help="the person's Telegram user id")
    forget.add_argument("--yes", action="store_true", help="really delete (else: only show)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "content":
        return _content_check(args.root, open_questions=args.open_questions)
    from bot.settings import SettingsError, load_settings  # pydantic: not for --help, --version

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    # Everything the process writes (database, evidence, exports) is for its owner only.
    os.umask(0o077)
    logs.configure(settings.log_level, settings.secrets)
    if args.command == "db":
        return _db(settings, args.db_command, getattr(args, "file", None))
    try:
        if args.command == "run":
            return _run(settings, args.port)
        if args.command == "webhook":
            return _webhook(settings, args)
        if args.command == "dispatch":
            return _dispatch(settings)
    except StartFailed as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "import" and args.import_kind == "deadlines":
        return cli_deadlines.main(args, settings)
    if args.command == "invite" and args.cancel:
        return cli_people.cancel_invitation(args.cancel, settings)
    if args.command in {"invite", "import"}:
        return cli_invite.main(args, settings)
    if args.command in {"people", "audit"}:
        return cli_people.main(args, settings)
    if args.command == "export":
        return cli_export.main(args, settings)
    if args.command == "forget":
        return _forget(settings, args.telegram_id, confirmed=args.yes)
    parser.print_help()
    return EXIT_CONFIG


def _content_check(root: Path | None, *, open_questions: bool = False) -> int:
    from bot import content

    folder = root or content.DEFAULT_CONTENT_ROOT
    problems = content.check_content(folder)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    if open_questions:
        questions = content.open_questions(folder)
        for question in questions:
            print(question)
        print(f"{len(questions)} open question(s) for the programme team", file=sys.stderr)
    print("content OK")
    return 0


def _run(settings: Settings, port: int | None) -> int:
    # The imports and the build make ~140,000 objects that live as long as the process; the
    # collector would walk them over and over (~100 ms). post_init freezes them, turns it on.
    gc.disable()
    if settings.simulated:  # never DATABASE_URL: the simulator migrates its own database
        from bot.simulator import DeskPortInUse, serve_simulator

        chosen = port or settings.simulator_port
        try:
            asyncio.run(serve_simulator(settings, chosen))
        except DeskPortInUse as exc:
            print(
                f"pendamping: the desk's port {exc.listen} is already in use; "
                "choose another with BOT_DESK_PORT (or off)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            print(
                f"pendamping: port {chosen} is already in use; "
                "choose another with --port or SIMULATOR_PORT",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        return 0
    from db import upgrade

    upgraded = upgrade.start(settings.database_url)  # migrates beside the imports below
    from bot.app import build_application

    upgraded()
    asyncio.run(_serve_polling(build_application(settings), settings))
    return 0


async def _serve_polling(app: BotApplication, settings: Settings) -> None:
    from telegram.error import InvalidToken, NetworkError

    from bot.runner import PollingConflict, serve_polling

    try:
        await app.initialize()  # the first call to Telegram: the token and the network
    except (InvalidToken, NetworkError) as exc:
        raise StartFailed(_start_failure(exc, settings)) from None
    try:
        await serve_polling(app)
    except PollingConflict:
        raise StartFailed(
            "Telegram answered 409 Conflict: another process is polling with this token "
            "(or a webhook is set); run one `pendamping run` only, or use `pendamping webhook`"
        ) from None


def _start_failure(exc: Exception, settings: Settings) -> str:
    """What went wrong at start, without the token (PTB's own message shows it)."""
    from telegram.error import InvalidToken

    if isinstance(exc, InvalidToken):
        return "Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from @BotFather"
    return (
        f"cannot reach the Bot API at {settings.telegram_api_url} ({type(exc).__name__}); "
        "check the network and TELEGRAM_API_URL"
    )


def _webhook(settings: Settings, args: argparse.Namespace) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot import webhook
    from db.session import is_sqlite

    workers: int = args.workers
    if settings.simulated:
        print("pendamping: webhook needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if args.delete:
            asyncio.run(webhook.delete_webhook(settings))
            print("webhook deleted: Telegram keeps updates until the bot polls or sets one")
            return 0
        if not settings.webhook_url or not settings.webhook_secret:
            print(
                "pendamping: webhook needs TELEGRAM_BOT_TOKEN, WEBHOOK_URL and WEBHOOK_SECRET",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        if args.worker_fd is not None:  # started by the parent below
            _serve_worker(settings, socket.socket(fileno=args.worker_fd), args.parent_fd)
            return 0
        if workers > 1 and is_sqlite(settings.database_url):
            print(
                "pendamping: several webhook workers need PostgreSQL (DATABASE_URL); "
                "SQLite serves one process",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        from bot.runner import prepare_database

        prepare_database(settings)  # before any worker: the upgrade path is migrate, then roll
        try:
            sock = webhook.bind(settings)
        except OSError as exc:
            print(
                f"pendamping: cannot listen on {settings.webhook_listen}:{settings.webhook_port} "
                f"({exc.strerror}); choose another WEBHOOK_PORT",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        with sock:
            asyncio.run(webhook.set_webhook(settings))
            if workers == 1:
                _serve_worker(settings, sock)
                return 0
            return asyncio.run(webhook.supervise(settings, workers, sock))
    except (InvalidToken, NetworkError) as exc:  # getMe, setWebhook or deleteWebhook
        raise StartFailed(_start_failure(exc, settings)) from None


def _serve_worker(settings: Settings, sock: socket.socket, parent_fd: int | None = None) -> None:
    from bot.app import build_application
    from bot.webhook import serve_worker

    asyncio.run(serve_worker(build_application(settings), sock, parent_fd))


def _dispatch(settings: Settings) -> int:
    if settings.simulated:
        print("pendamping: dispatch needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return EXIT_CONFIG
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.runner import prepare_database, serve_dispatcher

    prepare_database(settings)
    try:
        asyncio.run(serve_dispatcher(build_application(settings)))
    except (InvalidToken, NetworkError) as exc:
        raise StartFailed(_start_failure(exc, settings)) from None
    return 0


def _db(settings: Settings, action: str, file: Path | None) -> int:
    from bot import backup
    from bot.runner import prepare_database

    try:
        if action == "backup":
            assert file is not None
            size = backup.backup(settings.database_url, file)
            print(f"backed up to {file} ({size:,} bytes)")
            return 0
        if action == "restore":
            assert file is not None
            backup.restore(settings.database_url, file)
            prepare_database(settings)  # a backup of an older version is brought up to date
            print(f"restored from {file}; database is up to date")
            return 0
    except backup.BackupError as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    prepare_database(settings)
    print("database is up to date")
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _forget(settings: Settings, telegram_id: int, *, confirmed: bool) -> int:
    from bot.runner import prepare_database

    prepare_database(settings)
    summary = asyncio.run(_forget_async(settings, telegram_id, confirmed))
    if summary is None:
        print(f"pendamping: nobody with Telegram id {telegram_id} is known", file=sys.stderr)
        return 1
    print(summary)
    if not confirmed:
        print("nothing deleted yet: run again with --yes to delete", file=sys.stderr)
        return 1
    return 0


async def _forget_async(settings: Settings, telegram_id: int, confirmed: bool) -> str | None:
    from bot.clock import SystemClock
    from bot.services import privacy
    from bot.services.errors import NotFound
    from db.session import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        sessions = create_session_factory(engine)
        async with sessions() as db:
            try:
                async with db.begin():
                    found = await privacy.forget(db, SystemClock(), telegram_id)
                    if not confirmed:
                        await db.rollback()
            except NotFound:
                return None
        if confirmed:
            await privacy.remove_files(settings.data_dir, found.evidence_paths)
        return (
            f"{'deleted' if confirmed else 'would delete'}: person {found.person_id} "
            f"({', '.join(found.roles) or 'no role'}), {found.questions} question(s), "
            f"{len(found.evidence_paths)} evidence file(s); "
            f"{found.businesses} business(es) keep their records without the owner's details"
        )
    finally:
        await engine.dispose()
