"""Catalogs and the per-person translator; dates and times shown in the bot's time zone."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.support import Translations
from markupsafe import Markup as Html

from bot.shipped import shipped_folder

LOCALES_DIR = shipped_folder("locales")
DEFAULT_LOCALE = "id"
SUPPORTED_LOCALES = ("id", "en")

# Indonesia names its zones by region, not by offset; Babel would print "GMT+08:00".
ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


class CatalogError(Exception):
    """A catalog is missing or broken: the bot refuses to start rather than speak English."""


def compile_catalog(po_path: Path) -> Translations:
    """Compile a .po file in memory, so no build step or manual pybabel compile is needed."""
    try:
        messages = read_messages(po_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read {po_path}: {exc}") from exc
    return Translations(io.BytesIO(_mo(messages)), domain="messages")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r'\\([\\trn"])')  # as babel: any other backslash stays
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) +(".*")$')


def _string(quoted: str) -> str:
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"not a quoted string: {quoted}")
    inner = quoted[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES[m[1]], inner) if "\\" in inner else inner


def read_messages(text: str) -> dict[str, str]:
    r"""A .po file's messages as a .mo holds them: the header and every translated entry that
    is not fuzzy; keys "context\x04id" and "id\x00plural", plural forms joined by NUL.

    What babel's read_po and write_mo(use_fuzzy=False) make of it, five times as fast
    (tests/unit/test_i18n.py compares the two); a line of no known shape is an error.
    """
    messages: dict[str, str] = {}
    fields: dict[str, str] = {}
    strings: dict[int, str] = {}
    fuzzy = False
    last: tuple[str, int] = ("", 0)

    def close() -> None:
        nonlocal fuzzy
        if "msgid" in fields:
            msgid, context = fields["msgid"], fields.get("msgctxt")
            if "msgid_plural" in fields:
                ids = (msgid, fields["msgid_plural"])
                forms = [strings[i] or ids[min(i, 1)] for i in sorted(strings)]
                key, value = f"{msgid}\x00{ids[1]}", "\x00".join(forms)
            else:
                key, value = msgid, strings.get(0, "")
            if context is not None:
                key = f"{context}\x04{key}"
            if msgid == "" or (value and strings and not fuzzy):
                messages[key] = value
        fields.clear()
        strings.clear()
        fuzzy = False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if strings:
                close()
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            continue
        if line.startswith('"'):
            if not last[0]:
                raise ValueError(f"line {number}: a string continues nothing")
            if last[0] == "msgstr":
                strings[last[1]] += _string(line)
            else:
                fields[last[0]] += _string(line)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"line {number}: {line[:40]}")
        keyword, index, value = match[1], match[2], _string(match[3])
        if keyword.startswith("msgstr"):
            last = ("msgstr", int(index or 0))
            if "msgid" not in fields or last[1] in strings:
                raise ValueError(f"line {number}: a msgstr without its msgid")
            strings[last[1]] = value
            continue
        if strings:
            close()
        fields[keyword] = value
        last = (keyword, 0)
    close()
    return messages


def _mo(messages: dict[str, str]) -> bytes:
    """The GNU .mo file of these messages (little-endian, no hash table)."""
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count  # the header, then both offset tables
    offsets: list[int] = []
    blob = bytearray()
    for data in (*ids, *strs):
        offsets += [len(data), start + len(blob)]
        blob += data + b"\x00"
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    return header + struct.pack(f"<{4 * count}I", *offsets) + bytes(blob)


@dataclass(frozen=True)
class Translator:
    """Everything a renderer needs to speak one person's language."""

    locale: str
    translations: Translations
    zone: ZoneInfo

    def gettext(self, message: str) -> str:
        return str(self.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self.translations.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        return str(self.translations.pgettext(context, message))

    # The same, as trusted HTML (bot/render/text.py): values put in with `.format` are escaped.
    def html(self, message: str) -> Html:
        return Html(self.gettext(message))

    def nhtml(self, singular: str, plural: str, n: int) -> Html:
        return Html(self.ngettext(singular, plural, n))

    def phtml(self, context: str, message: str) -> Html:
        return Html(self.pgettext(context, message))

    @property
    def zone_label(self) -> str:
        return ZONE_LABELS.get(self.zone.key, self.zone.key)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def format_date(self, day: date | datetime) -> str:
        """ "Senin, 1 Desember 2026"."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        return format_date(day, "EEEE, d MMMM y", locale=self.locale)

    def format_short_date(self, day: date | datetime) -> str:
        """ "1 Des 2026"."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        return format_date(day, "d MMM y", locale=self.locale)

    def format_time(self, moment: datetime) -> str:
        """ "09.00 WITA"."""
        local = self.local(moment)
        # Indonesian writes hours with a dot (09.00); Babel's "id" pattern does the same.
        return f"{format_time(local, 'HH.mm', locale=self.locale)} {self.zone_label}"

    def format_datetime(self, moment: datetime) -> str:
        """ "Senin, 1 Desember 2026 pukul 09.00 WITA"."""
        return self.gettext("{date} at {time}").format(
            date=self.format_date(moment), time=self.format_time(moment)
        )

    def relative_days(self, target: datetime, now: datetime) -> str:
        """ "hari ini", "3 hari lagi", "terlambat 2 hari", counted in local calendar days."""
        days = (self.local(target).date() - self.local(now).date()).days
        if days == 0:
            return self.gettext("today")
        if days == 1:
            return self.gettext("tomorrow")
        if days > 0:
            return self.ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
        late = -days
        return self.ngettext("%(n)d day late", "%(n)d days late", late) % {"n": late}


class I18n:
    """All catalogs, loaded once; `translator(locale)` is cheap and shares nothing mutable."""

    def __init__(self, zone: ZoneInfo, locales_dir: Path = LOCALES_DIR) -> None:
        self.zone = zone
        self._translations: dict[str, Translations] = {}
        for code in SUPPORTED_LOCALES:
            po_path = locales_dir / code / "LC_MESSAGES" / "messages.po"
            if not po_path.exists():
                raise CatalogError(f"missing catalog {po_path}")
            self._translations[code] = compile_catalog(po_path)

    def translator(self, locale: str | None = None) -> Translator:
        code = locale if locale in self._translations else DEFAULT_LOCALE
        assert code is not None
        return Translator(code, self._translations[code], self.zone)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message
