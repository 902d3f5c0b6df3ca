"""Guidance screens: content HTML shown as written, everything else escaped, buttons typed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import CallbackDataError
from bot.content import DEFAULT_CONTENT_ROOT, Source, load_content
from bot.i18n import I18n
from bot.render import Reply
from bot.render import guidance as render
from bot.render.common import MenuButton, MenuKey
from bot.render.guidance import GuideButton
from bot.render.questions import AskButton
from bot.services.guidance import ModuleMark, StepView

TR = I18n(ZoneInfo("Asia/Makassar")).translator("id")
CONTENT = load_content(DEFAULT_CONTENT_ROOT)
MODULE = CONTENT.modules_for("tenun")[0].model_copy(
    update={
        "title": "Bahan & benang",
        "sources": (Source(title="BSN & Pemkot", url="https://bsn.go.id/?a=1&b=2"),),
    }
)


def _buttons(reply: Reply) -> dict[str, str]:
    return {button.label: button.data or "" for row in reply.buttons for button in row}


def test_a_middle_step_shows_its_html_and_links_back_forward_and_to_a_mentor() -> None:
    view = StepView(MODULE, 1, len(MODULE.steps), False, None)
    reply = render.step(TR, view)
    total = len(MODULE.steps)
    assert reply.text.startswith(f"<b>Bahan &amp; benang (2/{total})</b>")
    assert MODULE.steps[1].text in reply.text  # checked content HTML, not escaped again
    buttons = _buttons(reply)
    assert GuideButton.unpack(buttons["◀ Kembali"]) == GuideButton(MODULE.id, 0)
    assert GuideButton.unpack(buttons["Lanjut ▶"]) == GuideButton(MODULE.id, 2)
    assert AskButton.unpack(buttons["Tanya mentor"]) == AskButton(MODULE.id)
    assert MenuButton.unpack(buttons["Daftar modul"]) == MenuButton(MenuKey.GUIDE)


def test_the_last_step_escapes_sources_and_suggests_the_next_module() -> None:
    following = CONTENT.modules_for("tenun")[1]
    last = len(MODULE.steps) - 1
    reply = render.step(TR, StepView(MODULE, last, len(MODULE.steps), True, following))
    assert '<a href="https://bsn.go.id/?a=1&amp;b=2">BSN &amp; Pemkot</a>' in reply.text
    assert GuideButton.unpack(_buttons(reply)[following.title]) == GuideButton(following.id)


def test_the_module_list_marks_progress_and_resumes_each_module() -> None:
    marks = [ModuleMark(MODULE, 4, True), ModuleMark(CONTENT.modules_for("tenun")[1], 1, False)]
    reply = render.stale_module(TR, marks)
    assert reply.text.splitlines()[1] == ""  # the notice stands apart from the list
    assert "Modul yang sudah dibaca: 1 dari 2." in reply.text
    buttons = _buttons(reply)
    assert GuideButton.unpack(buttons["✅ Bahan & benang"]) == GuideButton(MODULE.id)
    assert GuideButton(MODULE.id).pack() == f"g:{MODULE.id}:"


@pytest.mark.parametrize("forged", ["g:x:r", "g:x:-1x", "g:x", "g::1"])
def test_guide_buttons_refuse_what_we_did_not_make(forged: str) -> None:
    with pytest.raises(CallbackDataError):
        GuideButton.unpack(forged)
