"""Telegram HTML typed on the desk: what passes, in which canonical form, and what is refused."""

from __future__ import annotations

import pytest

from bot.services.broadcasts.formatting import MAX_LENGTH, BadText, check, parse, visible_length


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Rapat & makan < 13.00 > 12.00", "Rapat &amp; makan &lt; 13.00 &gt; 12.00"),
        (
            "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
            "<b>a</b><i>b</i><u>c</u><s>d</s>",
        ),
        (
            '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
            "<tg-spoiler>x</tg-spoiler><tg-spoiler>y</tg-spoiler>",
        ),
        ("&lt;b&gt; &amp;amp; &quot; &#65; &#x42; &nbsp;", '&lt;b&gt; &amp;amp; " A B &amp;nbsp;'),
        ("<a href='https://x.id/?a=1&amp;b=2'>l</a>", '<a href="https://x.id/?a=1&amp;b=2">l</a>'),
        ('<a href="tg://user?id=42">Ana</a>', '<a href="tg://user?id=42">Ana</a>'),
        (
            '<pre><code class="language-python">x = 1 < 2</code></pre>',
            '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        ),
        (
            "<blockquote expandable><b>q</b></blockquote>",
            "<blockquote expandable><b>q</b></blockquote>",
        ),
        ("<B>besar</B>", "<b>besar</b>"),
    ],
)
def test_telegram_html_is_kept_in_telegrams_own_form(typed: str, canonical: str) -> None:
    assert check(typed) == canonical
    assert check(canonical) == canonical  # the stored form passes again unchanged


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "the message is empty."),
        ("<i>\n </i>", "the message is empty."),
        ("<b>x", "<{tag}> is opened but never closed."),
        ("x</b>", "</{tag}> closes something never opened."),
        ("<b><i>x</b></i>", "</{tag}> comes before </{inner}>: close the inner one first."),
        ("<div>x</div>", "<{tag}> is not Telegram formatting (allowed: {allowed})."),
        ("a<br/>b", "<{tag}/> is not Telegram formatting; start a new line with Enter."),
        ("<b class='x'>y</b>", "<{tag}> takes no attributes here."),
        ('<span class="x">y</span>', "<{tag}> is not Telegram formatting (allowed: {allowed})."),
        (
            '<a href="javascript:alert(1)">x</a>',
            'a link is written <a href="https://...">text</a>.',
        ),
        (
            '<a href="https://a.id" title="t">x</a>',
            'a link is written <a href="https://...">text</a>.',
        ),
        (
            '<a href="https://a.id"><a href="https://b.id">x</a></a>',
            "a link cannot hold another link.",
        ),
        ("<code><b>x</b></code>", "<{outer}> shows text as it is: it cannot hold <{tag}>."),
        ('<pre><code class="x">y</code></pre>', 'code in <pre> takes only class="language-..."'),
        (
            "<blockquote><blockquote>x</blockquote></blockquote>",
            "a quotation cannot hold another quotation.",
        ),
    ],
)
def test_what_telegram_would_refuse_is_explained(typed: str, reason: str) -> None:
    with pytest.raises(BadText) as refused:
        check(typed)
    assert refused.value.reason == reason


def test_length_is_counted_as_telegram_counts_it() -> None:
    assert visible_length(parse("<b>ab</b>&amp;😀")) == 5  # an emoji outside the BMP counts two
    check("😀" * (MAX_LENGTH // 2))
    with pytest.raises(BadText) as refused:
        check("<b>" + "x" * MAX_LENGTH + "</b>!")
    assert refused.value.params == {"length": MAX_LENGTH + 1, "limit": MAX_LENGTH}
