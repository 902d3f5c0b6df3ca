"""What every reply must be: Indonesian, never the incident answer."""

from __future__ import annotations

import functools
import html
import re

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, SUPPORTED_LOCALES, I18n, Translator
from bot.localapi import SentMessage
from bot.render import common as render

_SPLIT = re.compile(r"\{[^}]*\}|<[^>]+>|\n|%\([a-z_]+\)[sd]|%[sd]")
MIN_WORDS = 3


@functools.cache
def english_sentences() -> frozenset[str]:
    """Pieces of English interface text (from the msgids) that no Indonesian reply contains.

    A piece is a run of at least three words between placeholders, tags and line ends that
    its Indonesian translation does not repeat (names such as "Pendamping UMKM" stay out).
    """
    with (LOCALES_DIR / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="id")
    found: set[str] = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else [str(i) for i in message.id]
        strings = message.string
        translated = strings if isinstance(strings, str) else " ".join(map(str, strings))
        for msgid in ids:
            for piece in _SPLIT.split(html.unescape(msgid)):
                piece = piece.strip(" .,:;!?()·-–“”\"'")
                if len(piece.split()) >= MIN_WORDS and piece not in translated:
                    found.add(piece)
    return frozenset(found)


def shown(msg: SentMessage) -> str:
    """All a person reads of a bot message: its text and its button labels."""
    labels = [b.text for row in msg.buttons for b in row]
    return "\n".join([msg.text, *labels])


def english_in(text: str) -> list[str]:
    """The English interface sentences in a text a person was shown."""
    return sorted(piece for piece in english_sentences() if piece in text)


def incident_prefix(tr: Translator) -> str:
    """The start of the "something went wrong, tell this code" reply, in `tr`'s language."""
    marker = "KODE0"
    text = str(render.trouble(tr, marker).text)
    return html.unescape(text.split(marker)[0]).strip()[:40]


def problems(texts: list[str], i18n: I18n, *, english_ok: bool = False) -> list[str]:
    """Why these replies are not acceptable: the incident reply (in any language), English
    interface sentences (unless the reader chose English)."""
    found: list[str] = []
    incidents = [incident_prefix(i18n.translator(code)) for code in SUPPORTED_LOCALES]
    for text in texts:
        if any(incident in text for incident in incidents):
            found.append(f"incident reply: {text[:120]!r}")
        english = [] if english_ok else english_in(text)
        if english:
            found.append(f"English {english[:3]} in {text[:120]!r}")
    return found


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_NOT_WORDS = re.compile(r"[^\w\s/%-]+")


def _sentences(text: str) -> list[str]:
    """The sentences of a message, lower-cased without emoji or punctuation (3+ words)."""
    found = []
    for piece in _SENTENCE_END.split(html.unescape(text)):
        words = _NOT_WORDS.sub(" ", piece).casefold().split()
        if len(words) >= MIN_WORDS:
            found.append(" ".join(words))
    return found


def repeated_sentences(messages: list[SentMessage]) -> list[str]:
    """Sentences a person reads twice: within one bot message, or in two in a row.

    `messages` is the whole chat (the person's messages too): what the person typed in
    between two bot messages asked for the second (/kemajuan after a summary), so those two
    are not in a row. A tap sends no message: a screen after a tap is right after the last.
    """
    found: list[str] = []
    before: set[str] = set()
    for msg in messages:
        if not msg.from_bot:
            before = set()
            continue
        sentences = _sentences(msg.text)
        seen: set[str] = set()
        for sentence in sentences:
            if sentence in seen:
                found.append(f"twice in #{msg.message_id}: {sentence!r}")
            elif sentence in before:
                found.append(f"again in #{msg.message_id} right after: {sentence!r}")
            seen.add(sentence)
        before = seen
    return found
