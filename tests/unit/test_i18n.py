"""Catalogs: Indonesian complete, dates in WITA, no locale shared between two people."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.i18n import LOCALES_DIR, CatalogError, I18n, compile_catalog

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
    for code in ("id", "en"):
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
    (tmp_path / "id" / "LC_MESSAGES" / "messages.po").write_text('msgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogError):
        I18n(WITA, tmp_path)


# Every shape babel writes, and what a translator may leave behind.
TRICKY_PO = r"""# A comment
msgid ""
msgstr ""
"Language: id\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#: bot/x.py:1
msgid "plain"
msgstr "polos"

#, python-format
msgid "with %(n)d \"quotes\"\tand a tab"
msgstr "dengan %(n)d \"kutip\"\tdan tab \\ \q"

msgid ""
"two "
"lines\n"
msgstr ""
"dua "
"baris\n"

#, fuzzy
msgid "fuzzy"
msgstr "kabur"

#, python-format, fuzzy
msgid "fuzzy too"
msgstr "kabur juga"

msgid "untranslated"
msgstr ""

msgctxt "button"
msgid "Open"
msgstr "Buka"

msgctxt "verb"
msgid "Open"
msgstr ""

msgid "one day"
msgid_plural "%(n)d days"
msgstr[0] "satu hari"
msgstr[1] ""

msgctxt "late"
msgid "one"
msgid_plural "many"
msgstr[0] "satu"
msgstr[1] "banyak"

#~ msgid "obsolete"
#~ msgstr "usang"
"""


def _catalog(translations: Translations) -> tuple[dict[object, str], list[int]]:
    """What a compiled catalog answers (GNUTranslations keeps it in `_catalog`), without
    the header, and its plural form of 0 to 100."""
    messages = {k: v for k, v in vars(translations)["_catalog"].items() if k != ""}
    return messages, [translations.plural(n) for n in range(101)]


def _by_babel(po: Path) -> Translations:
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


@pytest.mark.parametrize("code", ["id", "en"])
def test_the_shipped_catalogs_compile_as_babel_compiles_them(code: str) -> None:
    po = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    assert _catalog(compile_catalog(po)) == _catalog(_by_babel(po))


def test_every_shape_of_entry_compiles_as_babel_compiles_it(tmp_path: Path) -> None:
    po = tmp_path / "id" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(TRICKY_PO, encoding="utf-8")
    ours = compile_catalog(po)
    assert _catalog(ours) == _catalog(_by_babel(po))
    assert ours.gettext("fuzzy") == "fuzzy"
    assert ours.pgettext("button", "Open") == "Buka"
    assert ours.ngettext("one day", "%(n)d days", 2) == "%(n)d days"


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a',
        'msgid "a"\nmsgtext "b"',
        'msgstr "b"',
        'msgid "a"\nmsgstr "b"\nmsgstr "c"',
        '"x"',
    ],
)
def test_a_line_of_no_known_shape_is_a_catalog_error(tmp_path: Path, text: str) -> None:
    po = tmp_path / "messages.po"
    po.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        compile_catalog(po)
