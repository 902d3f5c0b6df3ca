"""The Telegram HTML that guidance texts may use: checked tag by tag, visible length counted.

Steps are sent with ``parse_mode=HTML`` exactly as written, so what Telegram would refuse (an
unknown tag, a bare ``<``, an unclosed ``<b>``) is caught here, when the content is loaded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL = re.compile(r"^https?://\S+$")
TAGLIKE = re.compile(r"</?[a-zA-Z][^>]*>")
ALLOWED_TAGS = frozenset({"b", "i", "u", "a", "code"})
ALLOWED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class TelegramHTML(HTMLParser):
    """Checks the HTML subset Telegram accepts in our texts and counts visible characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.visible = 0

    def check(self, text: str) -> None:
        self.feed(text)
        self.close()
        for tag in reversed(self.stack):
            self.errors.append(f"memuat <{tag}> yang belum ditutup (tambahkan </{tag}>)")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.errors.append(
                f"memuat tag <{tag}> yang tidak diizinkan "
                "(yang boleh: <b>, <i>, <u>, <a href>, <code>)"
            )
        elif tag == "a":
            names = [name for name, _ in attrs]
            href = dict(attrs).get("href")
            if names != ["href"] or href is None or not URL.match(href):
                self.errors.append(
                    'memuat tautan yang salah tulis; bentuknya <a href="https://...">teks</a>'
                )
        elif attrs:
            self.errors.append(f"memuat <{tag}> dengan atribut, padahal tidak boleh")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"memuat <{tag}/> yang tidak diizinkan (baris baru: cukup Enter)")

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif tag in self.stack:
            self.errors.append(f"memuat </{tag}> sebelum </{self.stack[-1]}> ditutup")
            self.stack.remove(tag)
        else:
            self.errors.append(f"memuat </{tag}> tanpa pembuka <{tag}>")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.errors.append("memuat tanda < atau > yang harus ditulis &lt; atau &gt;")
        if "&" in data:
            self.errors.append("memuat tanda & yang harus ditulis &amp;")
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ALLOWED_ENTITIES:
            self.errors.append(
                f"memuat &{name}; yang tidak dikenal Telegram (yang boleh: &lt; &gt; &amp;)"
            )
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1

    def handle_comment(self, data: str) -> None:
        self.errors.append("memuat komentar HTML <!-- --> yang tidak diizinkan")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("memuat deklarasi HTML yang tidak diizinkan")

    def handle_pi(self, data: str) -> None:
        self.errors.append("memuat <? ?> yang tidak diizinkan")

    def unknown_decl(self, data: str) -> None:
        self.errors.append("memuat deklarasi HTML yang tidak diizinkan")
