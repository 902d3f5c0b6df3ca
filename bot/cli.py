"""The `pendamping` command line: run the bot, manage the database, check content."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__, cli_deadlines, cli_invite
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("pendamping")

EXIT_CONFIG = 2


class RedactSecrets(logging.Filter):
    """Replace the bot token (and the webhook secret) wherever a log line would show it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "[REDACTED]")
            record.msg, record.args = message, None
        return True


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.webhook_secret)
        if s is not None
    ]
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets(secrets))
    # httpx logs request URLs, and Telegram's URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


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
    commands.add_parser("webhook", help="serve Telegram webhooks (needs WEBHOOK_URL)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply all database migrations")
    content = commands.add_parser("content", help="guidance and checklist files")
    content_commands = content.add_subparsers(
        dest="content_command", metavar="ACTION", required=True
    )
    check = content_commands.add_parser("check", help="validate every file in content/")
    check.add_argument("--root", type=Path, help="content folder (default: the shipped one)")
    cli_invite.add_parsers(commands)
    for action in commands.choices["import"]._actions:  # the kinds of `import`
        if isinstance(action, argparse._SubParsersAction):
            cli_deadlines.add_parser(action)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "content":
        return _content_check(args.root)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"pendamping: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    _configure_logging(settings)
    if args.command == "db":
        from bot.runner import prepare_database

        prepare_database(settings)
        print("database is up to date")
        return 0
    if args.command == "run":
        return _run(settings, args.port)
    if args.command == "webhook":
        return _webhook(settings)
    if args.command == "import" and args.import_kind == "deadlines":
        return cli_deadlines.main(args, settings)
    if args.command in {"invite", "import"}:
        return cli_invite.main(args, settings)
    parser.print_help()
    return EXIT_CONFIG


def _content_check(root: Path | None) -> int:
    from bot.content import DEFAULT_CONTENT_ROOT, check_content

    problems = check_content(root or DEFAULT_CONTENT_ROOT)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("content OK")
    return 0


def _run(settings: Settings, port: int | None) -> int:
    from bot.runner import prepare_database

    prepare_database(settings)
    if settings.simulated:
        from bot.simulator import serve_simulator

        chosen = port or settings.simulator_port
        try:
            asyncio.run(serve_simulator(settings, chosen))
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
    from bot.app import build_application
    from bot.runner import serve_polling

    asyncio.run(serve_polling(build_application(settings)))
    return 0


def _webhook(settings: Settings) -> int:
    if settings.simulated or not settings.webhook_url or not settings.webhook_secret:
        print(
            "pendamping: webhook needs TELEGRAM_BOT_TOKEN, WEBHOOK_URL and WEBHOOK_SECRET",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from bot.app import build_application
    from bot.runner import prepare_database

    prepare_database(settings)
    app = build_application(settings)
    secret = settings.webhook_secret.get_secret_value()
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path="telegram",
        webhook_url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=["message", "callback_query", "edited_message"],
    )
    return 0
