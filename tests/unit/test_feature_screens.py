"""Invitation, onboarding and self-assessment screens: values are escaped, buttons fit 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import MAX_CALLBACK_BYTES, CallbackData, CallbackDataError
from bot.content import DEFAULT_CONTENT_ROOT, load_content
from bot.i18n import I18n, Translator
from bot.render import Reply, common, invite, onboarding
from bot.render.assessment import AssessAction, AssessButton, sheet
from bot.render.invite import Draft, InviteAction, InviteButton
from bot.render.onboarding import ConsentAction, ConsentButton, OnboardAction, OnboardButton
from bot.render.reports import ReportAction, ReportButton
from bot.services import assessment as sa
from bot.services.invitations import Invitee
from db.models import AssessmentState, Light, Role, Salutation

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
NASTY = "Tenun <b>Ina</b> & Co"
ESCAPED = "Tenun &lt;b&gt;Ina&lt;/b&gt; &amp; Co"
ISO = load_content(DEFAULT_CONTENT_ROOT).iso18091


@pytest.fixture(scope="module")
def tr() -> Translator:
    return I18n(ZoneInfo("Asia/Makassar")).translator("id")


@dataclass(frozen=True)
class Someone:
    full_name: str
    role_set: frozenset[Role]
    salutation: Salutation | None = None


def _data(reply: Reply) -> list[str]:
    found = [b.data for row in reply.buttons for b in row if b.data is not None]
    for extra in reply.extra:
        found += _data(extra)
    return found


def test_invitation_screens_escape_what_the_coordinator_typed(tr: Translator) -> None:
    draft = Draft(Role.UMKM, business=NASTY, owner=NASTY, sector="Kue lokal", phone=None)
    shown = [
        invite.confirm(tr, draft).text,
        invite.ask_owner(tr, NASTY).text,
        invite.business_joined(tr, NASTY).text,
        invite.made(tr, Role.UMKM, NASTY, "https://t.me/Bot?start=a&b", NOW).text,
    ]
    for text in shown:
        assert ESCAPED in text
        assert "<b>Ina" not in text
    assert "<code>https://t.me/Bot?start=a&amp;b</code>" in shown[-1]
    focal = invite.confirm(tr, Draft(Role.FOCAL, agency="RSUD <x>", name="Yohanes")).text
    assert "RSUD &lt;x&gt;" in focal and "Yohanes" in focal


def test_welcome_menu_and_notice_escape_names(tr: Translator) -> None:
    invitee = Invitee(1, Role.UMKM, NASTY, NASTY, None)
    welcome = onboarding.welcome(tr, invitee, "Telegram name")
    assert welcome.text.count(ESCAPED) == 2
    focal = onboarding.welcome(tr, Invitee(2, Role.FOCAL, "", None, "Dinas <A>"), "Yo <3")
    assert "Yo &lt;3" in focal.text and "Dinas &lt;A&gt;" in focal.text
    person = Someone(NASTY, frozenset({Role.FOCAL}))
    joined = onboarding.joined(tr, person, Role.FOCAL, agency="Dinas <A>")
    assert joined.text.startswith("✅ ")
    assert "Dinas &lt;A&gt;" in joined.text and ESCAPED in joined.text
    told = onboarding.invitee_joined(tr, name=NASTY, role=Role.MENTOR, business=None, agency=None)
    assert ESCAPED in told.text


def test_common_screens_escape_names_and_error_reasons(tr: Translator) -> None:
    menu = common.main_menu(tr, Someone(NASTY, frozenset({Role.UMKM})))
    assert f"<b>Halo, {ESCAPED}!</b>" in menu.text
    help_text = common.help_text(tr, Someone("x", frozenset(Role))).text
    assert "<b>Bantuan</b>" in help_text and "/rekap" in help_text


def test_assessment_page_escapes_notes_and_names(tr: Translator) -> None:
    first = ISO.quadrants[0].indicators[0]
    rating = sa.Rating(first.id, Light.GREEN, "<script>", None, 7, NOW)
    draft = sa.Sheet(1, 1, "Setda <&>", "2026-Q4", AssessmentState.DRAFT, None, {}, {})
    with_rating = sa.Sheet(
        1, 1, "Setda <&>", "2026-Q4", AssessmentState.DRAFT, None, {first.id: rating}, {}
    )
    page = sheet.page(tr, ISO, with_rating, sa.Position(0, 0), names={7: "Agus <i>"}, me=1)
    assert "<i>&lt;script&gt;</i>" in page.text
    assert "(oleh Agus &lt;i&gt;)" in page.text
    overview = sheet.overview(tr, ISO, draft, coordinator=True)
    assert "Setda &lt;&amp;&gt; · Triwulan IV 2026" in overview.text
    assert AssessButton(AssessAction.CHART).pack() in _data(overview)


@pytest.mark.parametrize(
    "button",
    [
        InviteButton(InviteAction.AGENCY, agency=2**40),
        InviteButton(InviteAction.ROLE, role=Role.COORDINATOR),
        ConsentButton(ConsentAction.LATER),
        OnboardButton(OnboardAction.SECTOR, sector="x" * 40),
        ReportButton(ReportAction.BUSINESS, 999_999, 2**40),
        AssessButton(AssessAction.RATE, 2**40, "I01", Light.YELLOW),
        AssessButton(AssessAction.CHART, period="2026-Q3"),
    ],
)
def test_buttons_come_back_as_they_were_packed(button: CallbackData) -> None:
    data = button.pack()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert type(button).unpack(data) == button


@pytest.mark.parametrize(
    "forged", ["iv:role:king::", "pc:maybe", "ob:hr:::x", "rk:u:0", "sa:r:1.I01.g", "sa:open:-"]
)
def test_forged_and_old_shaped_buttons_are_refused(forged: str) -> None:
    kinds: list[type[CallbackData]] = [
        InviteButton,
        ConsentButton,
        OnboardButton,
        ReportButton,
        AssessButton,
    ]
    owner = next(k for k in kinds if forged.startswith(k.prefix + ":"))
    with pytest.raises(CallbackDataError):
        owner.unpack(forged)


def test_every_page_of_the_assessment_fits_its_buttons(tr: Translator) -> None:
    draft = sa.Sheet(12345, 1, "Setda", "2026-Q4", AssessmentState.DRAFT, None, {}, {})
    for q, _quadrant in enumerate(ISO.quadrants):
        for p in range(sa.pages_in(ISO, q)):
            reply = sheet.page(tr, ISO, draft, sa.Position(q, p))
            assert all(AssessButton.unpack(d).sheet == 12345 for d in _data(reply))
