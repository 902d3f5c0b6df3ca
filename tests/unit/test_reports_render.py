"""The /rekap screens stay within one Telegram message even at their fullest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import limits
from bot.i18n import I18n
from bot.render import reports as render
from bot.services import reports
from db.models import Role

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LONG = "Usaha <Tenun> & Ikat " * 10  # 200 characters, with markup to escape


def test_fullest_summary_fits_one_message_and_escapes_every_value() -> None:
    tr = I18n(ZoneInfo("Asia/Makassar")).translator("id")
    business = reports.BusinessRow(1, LONG, "kue", True, 40, NOW, NOW - timedelta(days=9))
    data = reports.Summary(
        now=NOW,
        businesses=reports.BusinessTotals(500, 450, 300, 61, (business,) * reports.ATTENTION),
        deadlines=tuple(
            reports.DeadlineRow(n, LONG, NOW - timedelta(days=n), 40, 12, 3, 20) for n in range(30)
        ),
        period="2026-Q4",
        indicators=39,
        iso=tuple(reports.IsoRow(n, LONG[:40], 39, True) for n in range(60)),
        questions=reports.Questions(25, NOW - timedelta(days=12)),
        unreachable=tuple(
            reports.UnreachableRow(n, LONG, frozenset(Role), NOW, LONG, "0812 1", LONG)
            for n in range(reports.SUMMARY_UNREACHABLE)
        ),
        unreachable_total=80,
    )
    reply = render.summary(tr, data, {"kue": "Kue lokal"})
    assert limits.visible_length(reply.text) <= limits.MAX_TEXT
    assert "<Tenun>" not in reply.text
    assert "&lt;Tenun&gt;" in reply.text
    assert "… dan 24 lainnya" in reply.text  # deadlines beyond the six shown
    assert "… dan 75 orang lainnya." in reply.text


def test_fullest_business_page_fits_one_message() -> None:
    tr = I18n(ZoneInfo("Asia/Makassar")).translator("id")
    row = reports.BusinessRow(7, LONG, "kue", True, None, None, NOW)
    page = reports.Page((row,) * reports.PAGE_SIZE, 1, 3, 25)
    reply = render.businesses(tr, page, {}, NOW)
    assert limits.visible_length(reply.text) <= limits.MAX_TEXT
    assert "(halaman 2 dari 3)" in reply.text
    labels = [b.label for line in reply.buttons for b in line]
    assert "◀ Sebelumnya" in labels and "Berikutnya ▶" in labels
    assert all(len(b.data or "") <= 64 for line in reply.buttons for b in line)
