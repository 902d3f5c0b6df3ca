"""A local Bot API server (a fake Telegram) with spec checks, faults and a web chat."""

from bot.localapi.server import (
    DEFAULT_PORT,
    Button,
    Fault,
    Faults,
    LocalBotApi,
    SentMessage,
    SimUser,
    StoredFile,
)
from bot.localapi.spec import ApiError, BadRequest, Spec, load_spec, parse_html
from bot.localapi.webchat import Persona, WebChat

__all__ = [
    "DEFAULT_PORT",
    "ApiError",
    "BadRequest",
    "Button",
    "Fault",
    "Faults",
    "LocalBotApi",
    "Persona",
    "SentMessage",
    "SimUser",
    "Spec",
    "StoredFile",
    "WebChat",
    "load_spec",
    "parse_html",
]
