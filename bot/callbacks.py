"""Callback data: `<prefix>:<id>[:<arg>...]`, short, typed, checked both ways.

Every prefix is registered once here, so two features can never claim the same one and a
forged or stale button is recognised before any handler trusts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes, UTF-8
_ARG = re.compile(r"^[A-Za-z0-9_.\-]*$")


class CallbackDataError(ValueError):
    """Callback data that we did not make, or that no longer fits its shape."""


@dataclass(frozen=True)
class Route:
    """A button family: a prefix and the names of its arguments."""

    prefix: str
    args: tuple[str, ...] = ()

    @property
    def pattern(self) -> str:
        """An anchored regex for CallbackQueryHandler."""
        return rf"^{re.escape(self.prefix)}(:|$)"

    def pack(self, *values: object) -> str:
        if len(values) != len(self.args):
            raise CallbackDataError(
                f"{self.prefix}: expected {len(self.args)} values, got {len(values)}"
            )
        parts = [self.prefix]
        for value in values:
            text = str(value)
            if not _ARG.match(text):
                raise CallbackDataError(f"{self.prefix}: unsafe value {text!r}")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise CallbackDataError(
                f"{self.prefix}: callback data over {MAX_CALLBACK_BYTES} bytes"
            )
        return data

    def unpack(self, data: str | None) -> dict[str, str]:
        """The named values, or CallbackDataError when the data is not ours or malformed."""
        if not data:
            raise CallbackDataError("empty callback data")
        prefix, *values = data.split(":")
        if prefix != self.prefix or len(values) != len(self.args):
            raise CallbackDataError(f"not a {self.prefix} button: {data!r}")
        if any(not _ARG.match(v) for v in values):
            raise CallbackDataError(f"malformed {self.prefix} button")
        return dict(zip(self.args, values, strict=True))

    def unpack_int(self, data: str | None, name: str) -> int:
        value = self.unpack(data)[name]
        if not value.isdigit():
            raise CallbackDataError(f"{self.prefix}: {name} is not a number")
        return int(value)


_REGISTRY: dict[str, Route] = {}


def route(prefix: str, *args: str) -> Route:
    """Register a button family; a prefix can be registered only once."""
    if not re.fullmatch(r"[a-z]{1,4}", prefix):
        raise ValueError(f"prefix {prefix!r}: use 1-4 lowercase letters")
    if prefix in _REGISTRY:
        raise ValueError(f"callback prefix {prefix!r} is already registered")
    _REGISTRY[prefix] = Route(prefix, args)
    return _REGISTRY[prefix]


def registered_routes() -> dict[str, Route]:
    return dict(_REGISTRY)


# --- the button families; each feature adds its own block below -------------------------

# Main menu: one button per entry, by menu key.
MENU = route("m", "key")
# Consent to the privacy notice (yes / later).
CONSENT = route("pc", "choice")
# The language a person reads the bot in.
LANGUAGE = route("lg", "code")
# "Tanya mentor" from a guidance step or checklist item: ref = module or item id, or "-".
ASK = route("ask", "ref")
# ISO 18091 self-assessment: action + a dotted ref of ids. `ASSESS.pack("open", "-")` opens the
# person's current assessment where they left off (focal points) or the chart (coordinators).
# Others: "q" <assessment>.<quadrant index>.<page>, "r" <assessment>.<indicator>.<r|y|g>,
# "n"/"f" <assessment>.<indicator> (note / photo), "sub"/"sum" <assessment>.
ASSESS = route("sa", "action", "ref")
# Coordinator's invitation dialogue: "role" <umkm|focal|mentor|coordinator>, "sec" <sector key>,
# "ag" <agency id>, "skip" / "ok" / "new" with "-".
INVITE = route("iv", "action", "arg")
# Onboarding after consent: "ok"/"fix" "-" (profile), "fld" <name|owner|sector>,
# "sec" <sector key>, "hr" <hour>.
ONBOARD = route("ob", "action", "arg")
# A mentor's "Jawab" on a question (from the outbox copy, an escalation or /pertanyaan).
ANSWER = route("qa", "question")
# Guidance: module id + step index ("r": where the business left off).
GUIDE = route("g", "module", "step")
# Checklist answer: run id + item id + y (Ya) / p (Sebagian) / n (Belum).
CHECK_ANSWER = route("ca", "run", "item", "value")
# Checklist actions on a run: "f" photo / "n" note / "o" open item / "x" back to the item
# (item id), "s" save for later / "sum" summary / "ed" change answers / "sub" submit ("-").
CHECK = route("ck", "action", "run", "item")
# Deadlines, focal point: answer <deadline> <agency> d (done) / p (in progress) / h (help) /
# x (extension); open one of the agency's deadlines from /tenggat.
DL_ANSWER = route("dla", "deadline", "agency", "answer")
DL_OPEN = route("dlo", "deadline", "agency")
# Deadlines, coordinator: decide an extension request (a approve / d decline); the creation
# dialogue's choices ("ag" <agency id|all>, "rec" <recurrence>, "kind" <kind>, "skip"/"ok" "-");
# the list ("list"/"new" "0", "open"/"date"/"title"/"cancel"/"cnf" <deadline id>).
DL_EXT = route("dlx", "request", "choice")
DL_NEW = route("dln", "step", "value")
DL_ADMIN = route("dlm", "action", "deadline")
# Coordinators' progress overview (/rekap): "s" summary "-", "b" business list <page>,
# "bd" one business <business id>.<list page>, "a" agencies "-", "u" unreachable <page>.
REPORT = route("rk", "view", "arg")
