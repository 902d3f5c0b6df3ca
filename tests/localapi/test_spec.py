"""The Bot API description checks and Telegram's HTML subset, without a server."""

from __future__ import annotations

import pytest

from bot.localapi.errors import BadRequest
from bot.localapi.formatting import parse_html
from bot.localapi.limits import is_valid_start_parameter
from bot.localapi.spec import load_spec


def test_parse_html_entities_offsets_in_utf16() -> None:
    parsed = parse_html('😀 <b>Tenun</b> &amp; <a href="https://bsn.go.id?a=1&amp;b=2">SNI</a>')
    assert parsed.text == "😀 Tenun & SNI"
    bold, link = parsed.entities
    assert (bold["type"], bold["offset"], bold["length"]) == ("bold", 3, 5)
    assert link == {
        "type": "text_link",
        "offset": 11,
        "length": 3,
        "url": "https://bsn.go.id?a=1&b=2",
    }


def test_parse_html_accepts_the_whole_subset() -> None:
    raw = (
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><strike>e</strike>"
        '<span class="tg-spoiler">f</span><tg-spoiler>g</tg-spoiler><code>h</code>'
        '<pre><code class="language-python">i</code></pre><blockquote expandable>j</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>&#65;&#x42;&quot;&lt;&gt; & x'
    )
    parsed = parse_html(raw)
    assert parsed.text == 'abcdefghij👍AB"<> & x'
    assert [e["type"] for e in parsed.entities][-2:] == ["expandable_blockquote", "custom_emoji"]
    assert {n["tag"] for n in parsed.tree if isinstance(n, dict)} >= {"b", "i", "u", "s"}


@pytest.mark.parametrize(
    ("raw", "wording"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("é <br>", 'Unsupported start tag "br" at byte offset 3'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
    ],
)
def test_parse_html_rejects_like_telegram(raw: str, wording: str) -> None:
    with pytest.raises(BadRequest) as err:
        parse_html(raw)
    assert err.value.description.startswith("Bad Request: can't parse entities: ")
    assert wording in err.value.description


def test_validate_types_and_unknown_fields() -> None:
    spec = load_spec()
    ok = spec.validate("getUpdates", {"offset": "5", "timeout": 10, "allowed_updates": "[]"}, {})
    assert ok == {"offset": 5, "timeout": 10, "allowed_updates": []}
    with pytest.raises(BadRequest, match="expected Integer"):
        spec.validate("getUpdates", {"offset": "lima"}, {})
    with pytest.raises(BadRequest, match="chat_id is empty"):
        spec.validate("sendMessage", {"text": "x"}, {})
    with pytest.raises(BadRequest, match='unknown field "colour"'):
        spec.validate(
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": '{"inline_keyboard": [], "colour": 1}'},
            {},
        )
    with pytest.raises(BadRequest, match="MESSAGE_TOO_LONG"):
        spec.validate("answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 201}, {})
    assert spec.method_name("SENDMESSAGE") == "sendMessage"
    assert spec.method_name("sendTelepathy") is None


def test_start_parameter_rule() -> None:
    assert is_valid_start_parameter("a" * 64)
    assert not is_valid_start_parameter("a" * 65)
    assert not is_valid_start_parameter("kode rahasia")
    assert not is_valid_start_parameter("")
