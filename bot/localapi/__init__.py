"""A local Bot API server (a fake Telegram) with spec checks, faults and a web chat.

errors, formatting, limits and spec check calls as Telegram would; model and world hold what
Telegram knows; faults are injected failures; methods answer the Bot API methods; server is
the HTTP glue; webchat is the simulator's page.
"""

from bot.localapi.errors import ApiError, BadRequest
from bot.localapi.faults import Fault, Faults
from bot.localapi.formatting import parse_html
from bot.localapi.model import Button, SentMessage, SimUser, StoredFile
from bot.localapi.server import DEFAULT_PORT, LocalBotApi
from bot.localapi.spec import Spec, load_spec
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
