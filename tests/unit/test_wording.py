"""The Indonesian the bot serves: natural words, and one name for one thing (see VOICE.md)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, I18n, Translator
from bot.render.deadlines.shared import day_list
from bot.render.onboarding import welcome
from bot.services.invitations import Invitee
from db.models import Role, Salutation

WITA = ZoneInfo("Asia/Makassar")

# msgid (or (context, msgid)) -> the one Indonesian form it may take.
Key = str | tuple[str, str]
SAME_NAME: dict[str, dict[Key, str]] = {
    "back": {
        ("button", "Back"): "Kembali",
        "◀ Back": "◀ Kembali",
    },
    "open questions": {
        "Mentoring questions": "Pertanyaan masuk",
        ("button", "Open questions"): "Pertanyaan masuk",
        "Open questions": "Pertanyaan masuk",
    },
    "all agencies": {
        "All agencies": "Semua perangkat daerah",
        ("button", "All agencies"): "Semua perangkat daerah",
    },
    "unreachable": {
        ("report", "Unreachable"): "Tidak dapat dihubungi",
    },
}

# Forms the catalog said before, or the other word for the same thing.
FORBIDDEN = {
    "the English term": re.compile(r"focal point", re.IGNORECASE),
    "Tak terjangkau (say Tidak dapat dihubungi)": re.compile(r"Tak terjangkau", re.IGNORECASE),
    "huruf for a character count (say karakter)": re.compile(
        r"(?:\d|\}|%\(\w+\)d)\s*huruf\b|\bhuruf\)", re.IGNORECASE
    ),
    "kita (the bot speaks for the programme: kami)": re.compile(r"\bkita\b", re.IGNORECASE),
    "tekan (one verb for a button: ketuk)": re.compile(r"\btekan\b", re.IGNORECASE),
    "Pertanyaan terbuka (say Pertanyaan masuk)": re.compile(r"pertanyaan terbuka", re.IGNORECASE),
    "a dashed date example (write 10/12/2026)": re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b"),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _indonesian() -> Translator:
    return I18n(WITA).translator("id")


def _served() -> list[tuple[str, str]]:
    """Every msgid with the text the compiled catalog serves for it (each plural form too)."""
    tr = _indonesian()
    with (LOCALES_DIR / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="id")
    served: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = str(message.id[0]), str(message.id[1])
            served += [(singular, tr.ngettext(singular, plural, n)) for n in (1, 2)]
            continue
        msgid = str(message.id)
        text = tr.pgettext(message.context, msgid) if message.context else tr.gettext(msgid)
        served.append((msgid, text))
    return served


def _lookup(tr: Translator, key: Key) -> str:
    return tr.pgettext(*key) if isinstance(key, tuple) else tr.gettext(key)


def _repeated_sentences(text: str) -> list[str]:
    sentences = [s.strip().lower() for s in _SENTENCE_END.split(text) if s.strip()]
    return sorted({s for s in sentences if sentences.count(s) > 1})


@pytest.mark.parametrize("rule", list(FORBIDDEN))
def test_no_translation_uses_a_word_we_replaced(rule: str) -> None:
    pattern = FORBIDDEN[rule]
    offenders = [(msgid, text) for msgid, text in _served() if pattern.search(text)]
    assert offenders == [], f"{rule}: {offenders[:5]}"


@pytest.mark.parametrize("thing", list(SAME_NAME))
def test_one_thing_has_one_name(thing: str) -> None:
    tr = _indonesian()
    names = {key: _lookup(tr, key) for key in SAME_NAME[thing]}
    assert names == SAME_NAME[thing]


def test_the_mentor_help_names_the_list_like_its_button() -> None:
    tr = _indonesian()
    help_line = tr.gettext("<b>For mentors</b>\n/pertanyaan: open questions from businesses")
    button = tr.pgettext("button", "Open questions")
    assert button.lower() in help_line.lower()


def test_the_unreachable_button_names_its_list() -> None:
    tr = _indonesian()
    heading = tr.gettext("Cannot be reached (blocked the bot)")
    assert heading.startswith(tr.pgettext("report", "Unreachable") + " ")


def test_the_focal_point_is_a_petugas_penghubung() -> None:
    tr = _indonesian()
    assert tr.gettext("Focal point") == "Petugas penghubung"
    assert tr.gettext("agency focal point") == "petugas penghubung perangkat daerah"


def test_no_message_says_a_sentence_twice() -> None:
    repeated = [(m, r) for m, text in _served() if (r := _repeated_sentences(text))]
    assert repeated == []


@pytest.mark.parametrize("role", list(Role))
def test_each_welcome_says_each_sentence_once(role: Role) -> None:
    invitee = Invitee(
        1, role, "Yohanes Bria", business="Tenun Ina", agency="Setda", salutation=Salutation.BAPAK
    )
    greeting = welcome(_indonesian(), invitee, "Yohanes")
    assert _repeated_sentences(greeting.text) == []
    assert "Bapak Yohanes Bria" in greeting.text
    assert "Bapak/Ibu Yohanes" not in greeting.text


def test_day_lists_put_a_comma_before_dan_from_three_items() -> None:
    tr = _indonesian()
    assert day_list(tr, [7]) == "7"
    assert day_list(tr, [7, 1]) == "7 dan 1"
    assert day_list(tr, [7, 3, 1]) == "7, 3, dan 1"
