"""Catalogs and the per-person translator; dates and times shown in the bot's time zone."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=po_path.parent.parent.name)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read {po_path}: {exc}") from exc
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


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
