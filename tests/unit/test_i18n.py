"""Catalogs: Indonesian complete, dates in WITA, no locale shared between two people."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, I18n

ROOT = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")


def _code_msgids() -> set[str]:
    ids: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords={
                "_": None,
                "gettext": None,
                "ngettext": (1, 2),
                "pgettext": ((1, "c"), 2),
                "N_": None,
            },
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_interface_string_has_an_indonesian_translation() -> None:
    with (LOCALES_DIR / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="id")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and m.string and (not isinstance(m.string, tuple) or all(m.string)) and not m.fuzzy
    }
    missing = sorted(_code_msgids() - translated)
    assert missing == [], f"run `make locales` and translate: {missing[:10]}"


def test_dates_read_as_people_say_them() -> None:
    tr = I18n(WITA).translator("id")
    moment = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert tr.format_datetime(moment) == "Senin, 7 Desember 2026 pukul 09.00 WITA"


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "hari ini"), (1, "besok"), (3, "3 hari lagi"), (-2, "terlambat 2 hari")],
)
def test_relative_days_in_indonesian(days: int, expected: str) -> None:
    tr = I18n(WITA).translator("id")
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    target = datetime(2026, 12, 7 + days, 8, 0, tzinfo=UTC)
    assert tr.relative_days(target, now) == expected


def test_translators_do_not_share_a_locale() -> None:
    i18n = I18n(WITA)
    indonesian, english = i18n.translator("id"), i18n.translator("en")
    assert indonesian.gettext("Main menu") == "Menu utama"
    assert english.gettext("Main menu") == "Main menu"
    assert indonesian.gettext("Main menu") == "Menu utama"


def test_unknown_locale_falls_back_to_indonesian() -> None:
    assert I18n(WITA).translator("xx").gettext("Main menu") == "Menu utama"


def test_a_broken_catalog_stops_the_start(tmp_path: Path) -> None:
    from bot.i18n import CatalogError

    for code in ("id", "en"):
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
    (tmp_path / "id" / "LC_MESSAGES" / "messages.po").write_text('msgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogError):
        I18n(WITA, tmp_path)
