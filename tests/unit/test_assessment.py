"""The self-assessment's periods (local quarters in WITA) and its walk through indicators."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.content import load_content
from bot.services import assessment as sa
from bot.services.errors import Stale
from tests.support.wita import WITA


def test_period_is_the_local_quarter() -> None:
    # 31 Dec 2026 17:00 UTC is already 1 Jan 2027 in Kupang.
    assert sa.period_of(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), WITA) == "2027-Q1"
    assert sa.period_of(datetime(2026, 12, 7, 1, 0, tzinfo=UTC), WITA) == "2026-Q4"
    assert sa.previous_period("2027-Q1") == "2026-Q4"
    assert sa.previous_period("2026-Q3") == "2026-Q2"
    with pytest.raises(Stale):
        sa.parse_period("2026-Q5")


def test_next_position_runs_on_across_quadrants_and_ends() -> None:
    iso = load_content().iso18091
    assert sa.next_position(iso, sa.Position(0, 0)) == sa.Position(0, 1)
    assert sa.next_position(iso, sa.Position(0, 9)) == sa.Position(1, 0)
    assert sa.next_position(iso, sa.Position(3, 8)) is None
    assert sa.next_period("2026-Q4") == "2027-Q1"
    assert sa.next_period("2026-Q2") == "2026-Q3"
