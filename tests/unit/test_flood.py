"""Flood control: the allowance per window, one notice per episode, quiet to be served again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.flood import FloodControl, FloodLimits, Verdict

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LIMITS = FloodLimits(window=timedelta(seconds=10), person=3, coordinator=5)


class Roles:
    """The allowance lookup, counting how often it is asked."""

    def __init__(self, allowance: int) -> None:
        self.allowance = allowance
        self.asked = 0

    async def __call__(self) -> int:
        self.asked += 1
        return self.allowance


async def _verdicts(control: FloodControl, chat_id: int, at: list[float], roles: Roles) -> str:
    letters = {Verdict.ADMIT: "a", Verdict.DROP_AND_TELL: "T", Verdict.DROP: "d"}
    out = []
    for second in at:
        verdict = await control.admit(chat_id, T0 + timedelta(seconds=second), roles)
        out.append(letters[verdict])
    return "".join(out)


async def test_past_the_allowance_one_notice_then_drops_until_a_quiet_window() -> None:
    control, roles = FloodControl(LIMITS), Roles(LIMITS.person)
    assert await _verdicts(control, 1, [0, 1, 2, 3, 4, 5], roles) == "aaaTdd"
    # Still sending 9 s after the last drop: still muted, and no second notice.
    assert await _verdicts(control, 1, [14, 23.9], roles) == "dd"
    # A whole quiet window: served again, and a new episode may be told again.
    assert await _verdicts(control, 1, [34, 35, 36, 37], roles) == "aaaT"
    assert roles.asked == 2  # only when the person limit was passed


async def test_a_steady_pace_within_the_window_is_never_dropped() -> None:
    control, roles = FloodControl(LIMITS), Roles(LIMITS.person)
    assert await _verdicts(control, 1, [i * 3.4 for i in range(30)], roles) == "a" * 30
    assert roles.asked == 0


async def test_coordinators_get_their_larger_allowance_and_chats_are_apart() -> None:
    control, coordinator = FloodControl(LIMITS), Roles(LIMITS.coordinator)
    assert await _verdicts(control, 1, [0] * 7, coordinator) == "aaaaaTd"
    assert coordinator.asked == 1
    assert await _verdicts(control, 2, [0] * 3, Roles(LIMITS.person)) == "aaa"


async def test_idle_chats_are_forgotten_when_many_are_known() -> None:
    control, roles = FloodControl(LIMITS), Roles(LIMITS.person)
    control.SWEEP_ABOVE = 10
    for chat_id in range(10):
        await control.admit(chat_id, T0, roles)
    await control.admit(99, T0 + timedelta(seconds=11), roles)
    assert set(control._chats) == {99}
