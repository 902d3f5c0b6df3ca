"""Deadline screens: what people typed is escaped, every button fits and comes back typed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, CallbackData, CallbackDataError
from bot.i18n import I18n, Translator
from bot.render import Reply
from bot.render.deadlines import admin, creation, focal
from bot.render.deadlines.admin import AdminAction, DeadlineAdminButton, ExtensionButton
from bot.render.deadlines.creation import DraftView, NewDeadlineButton
from bot.render.deadlines.focal import AnswerDeadlineButton, OpenDeadlineButton
from bot.render.text import plain
from bot.services.deadlines.planning import ReminderPlan
from bot.services.deadlines.views import (
    AgencyRef,
    AgencyStatus,
    Assignment,
    DeadlineInfo,
    DeadlineView,
    ExtensionView,
    FocalList,
)
from db.models import AckStatus, DeadlineKind, ExtensionStatus, Recurrence

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
NASTY = "SOP <b>pelayanan</b> & co"
ESCAPED = "SOP &lt;b&gt;pelayanan&lt;/b&gt; &amp; co"
BIG = 2**40  # ids far beyond a pilot's, to check the 64 bytes
DEADLINE = DeadlineInfo(
    id=BIG,
    title=NASTY,
    description=NASTY,
    due_at=DUE,
    kind=DeadlineKind.SELF_ASSESSMENT,
    recurrence=Recurrence.QUARTERLY,
    occurrence=2,
    agency_id=BIG,
    offsets=(7, 3, 1, 0),
    hour=8,
    minute=0,
)
AGENCY = AgencyRef(BIG, "Dinas <A>")
MINE = Assignment(DEADLINE, AGENCY, DUE)
VIEW = DeadlineView(DEADLINE, (AgencyStatus(AGENCY, NOW, AckStatus.NEEDS_HELP, (NASTY,)),), AGENCY)
REQUEST = ExtensionView(
    BIG, MINE, NASTY, DUE, NASTY, ExtensionStatus.APPROVED, NASTY, deadline_cancelled=False
)


@pytest.fixture(scope="module")
def tr() -> Translator:
    return I18n(ZoneInfo("Asia/Makassar")).translator("id")


def _screens(tr: Translator) -> list[Reply]:
    draft = DraftView(AGENCY.name, NASTY, DUE, NASTY, Recurrence.MONTHLY, DeadlineKind.REPORT,
                      (7, 1), 7, 30)  # fmt: skip
    return [
        focal.reminder(tr, MINE, NOW, late=True),
        focal.answered(tr, DEADLINE, AckStatus.DONE),
        focal.ask_help(tr, DEADLINE),
        focal.ask_extension_date(tr, MINE),
        focal.focal_list(tr, FocalList(AGENCY, (VIEW,)), NOW),
        focal.changed(tr, MINE, "moved", NOW),
        focal.extension_decided(tr, REQUEST),
        admin.admin_list(tr, [VIEW], NOW),
        admin.admin_detail(tr, VIEW, NOW),
        admin.confirm_cancel(tr, DEADLINE),
        admin.cancelled(tr, DEADLINE),
        admin.ask_new_date(tr, DEADLINE),
        admin.ask_new_title(tr, DEADLINE),
        admin.edited(tr, DEADLINE),
        admin.escalation(tr, MINE, NOW, [NASTY]),
        admin.help_request(tr, MINE, NASTY, NASTY),
        admin.extension_request(tr, REQUEST),
        admin.extension_outcome(tr, REQUEST, already=True),
        creation.new_agency(tr, [AGENCY]),
        creation.new_title(tr, AGENCY.name),
        creation.new_confirm(tr, draft),
        creation.created(tr, DEADLINE, 3, ReminderPlan((7,), None)),
    ]


def _data(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data is not None]


def test_what_people_typed_is_escaped_everywhere(tr: Translator) -> None:
    for reply in _screens(tr):
        assert "<b>pelayanan" not in reply.text, reply.text
        assert "Dinas <A>" not in reply.text, reply.text
    # Each shows some of it (but the agency question: its agencies are on the buttons).
    shown = [reply.text for reply in _screens(tr) if "(1/6)" not in reply.text]
    assert all(ESCAPED in text or "Dinas &lt;A&gt;" in text for text in shown)


def test_deadline_screens_keep_their_own_markup(tr: Translator) -> None:
    reminder = focal.reminder(tr, MINE, NOW)
    assert reminder.text.startswith("<b>⏰ Pengingat tenggat — 10 hari lagi</b>\n")
    assert f"<i>{ESCAPED}</i>" in reminder.text
    detail = admin.admin_detail(tr, VIEW, NOW).text
    assert f"• Dinas &lt;A&gt;: butuh bantuan ({ESCAPED})" in detail
    assert "Triwulanan, ke-2" in detail


def test_every_button_fits_and_comes_back_typed(tr: Translator) -> None:
    kinds: list[type[CallbackData]] = [
        AnswerDeadlineButton,
        OpenDeadlineButton,
        DeadlineAdminButton,
        ExtensionButton,
        NewDeadlineButton,
    ]
    by_prefix = {kind.prefix: kind for kind in kinds}
    seen: set[str] = set()
    for reply in _screens(tr):
        for data in _data(reply):
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
            prefix = data.split(":")[0]
            if prefix in by_prefix:
                assert by_prefix[prefix].unpack(data).pack() == data
                seen.add(prefix)
    assert seen == set(by_prefix)


@pytest.mark.parametrize(
    ("owner", "data"),
    [
        (AnswerDeadlineButton, "dla:1:2:z"),  # no such answer
        (AnswerDeadlineButton, "dla:1:2"),
        (OpenDeadlineButton, "dlo:1:x"),
        (ExtensionButton, "dlx:1:maybe"),
        (NewDeadlineButton, "dln:rec:monthly"),  # the old two-part shape
        (NewDeadlineButton, "dln:kind:::weekly:"),
    ],
)
def test_forged_deadline_buttons_are_refused(owner: type[CallbackData], data: str) -> None:
    with pytest.raises(CallbackDataError):
        owner.unpack(data)


def test_buttons_already_in_chats_still_unpack() -> None:
    """The prefixes and shapes of the answer, open, decision and list buttons stayed."""
    assert AnswerDeadlineButton.unpack("dla:5:2:x").action == "x"
    assert OpenDeadlineButton.unpack("dlo:5:2") == OpenDeadlineButton(5, 2)
    assert ExtensionButton.unpack("dlx:9:a").request == 9
    assert DeadlineAdminButton.unpack("dlm:list:0").action is AdminAction.LIST
    assert DeadlineAdminButton.unpack("dlm:open:5").deadline == 5


def test_a_reply_takes_only_html() -> None:
    with pytest.raises(TypeError):
        Reply("<b>not checked</b>")  # type: ignore[arg-type]  # the point: a plain str
    assert Reply(plain("<b>")).text == "&lt;b&gt;"
