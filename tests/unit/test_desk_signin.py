"""The desk's sign-in: Telegram's initData, checked as Telegram documents it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.desk.signin import NotSignedIn, Refusal, sign, verify

# aiogram's test vector (tests/test_utils/test_web_app.py): made by another implementation.
AIOGRAM_TOKEN = "42:TEST"
AIOGRAM_DATA = (
    "auth_date=1650385342&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
    "&query_id=test&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
)
SIGNED_AT = datetime.fromtimestamp(1650385342, UTC)
DAY = timedelta(days=1)
TOKEN = "424242:desk-test-token"
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _refused(data: str | None, *, token: str = TOKEN, now: datetime = NOW) -> Refusal:
    with pytest.raises(NotSignedIn) as refused:
        verify(data, token, now, DAY)
    return refused.value.reason


def test_another_implementations_data_is_accepted() -> None:
    user = verify(AIOGRAM_DATA, AIOGRAM_TOKEN, SIGNED_AT + timedelta(minutes=5), DAY)
    assert (user.telegram_id, user.first_name, user.signed_at) == (42, "Test", SIGNED_AT)


def test_the_same_data_under_another_token_is_forged() -> None:
    assert _refused(AIOGRAM_DATA, token="42:OTHER", now=SIGNED_AT) is Refusal.FORGED


def test_data_we_sign_round_trips_with_every_field() -> None:
    data = sign(TOKEN, {"id": 7, "first_name": "Rina ✓"}, NOW, query_id="AAE", chat_type="x")
    user = verify(data, TOKEN, NOW, DAY)
    assert (user.telegram_id, user.first_name) == (7, "Rina ✓")


@pytest.mark.parametrize(
    ("field", "value"),
    [("user", '{"id":9001,"first_name":"Rina"}'), ("auth_date", "1"), ("query_id", "B")],
)
def test_a_changed_field_is_forged(field: str, value: str) -> None:
    fields = dict(parse_qsl(sign(TOKEN, {"id": 7}, NOW, query_id="A")))
    fields[field] = value
    assert _refused(urlencode(fields)) is Refusal.FORGED


def test_a_field_added_after_signing_is_forged() -> None:
    assert _refused(sign(TOKEN, {"id": 7}, NOW) + "&start_param=x") is Refusal.FORGED


def test_a_field_given_twice_is_malformed() -> None:
    data = sign(TOKEN, {"id": 7}, NOW)
    assert _refused(data + "&" + data.split("&")[0]) is Refusal.MALFORMED


@pytest.mark.parametrize("data", [None, ""])
def test_no_data_is_missing(data: str | None) -> None:
    assert _refused(data) is Refusal.MISSING


@pytest.mark.parametrize("data", ["%%%", "a=1&&&", "x" * 9000])
def test_garbage_is_malformed(data: str) -> None:
    assert _refused(data) in {Refusal.MALFORMED, Refusal.FORGED}


def test_signed_but_without_a_user_is_malformed() -> None:
    fields = dict(parse_qsl(sign(TOKEN, {"first_name": "no id"}, NOW)))
    assert _refused(urlencode(fields)) is Refusal.MALFORMED


def test_data_older_than_the_limit_is_stale_and_younger_is_not() -> None:
    data = sign(TOKEN, {"id": 7}, NOW)
    assert verify(data, TOKEN, NOW + DAY, DAY).telegram_id == 7
    assert _refused(data, now=NOW + DAY + timedelta(seconds=1)) is Refusal.STALE


def test_data_from_the_future_is_stale_beyond_a_minute_of_skew() -> None:
    assert verify(sign(TOKEN, {"id": 7}, NOW + timedelta(seconds=59)), TOKEN, NOW, DAY)
    assert _refused(sign(TOKEN, {"id": 7}, NOW + timedelta(minutes=5))) is Refusal.STALE


def test_the_desk_settings_switch_it_on_only_with_an_https_address() -> None:
    from bot.settings import SettingsError, load_settings

    assert load_settings(BOT_DESK_PORT="9000").desk_address is None  # no BOT_DESK_URL: off
    on = load_settings(BOT_DESK_URL="https://desk.example.go.id/desk/", BOT_DESK_PORT="9000")
    assert on.desk_address == ("127.0.0.1", 9000)
    with pytest.raises(SettingsError, match=r"BOT_DESK_URL: .*https://"):
        load_settings(BOT_DESK_URL="http://desk.example.go.id/desk/")
    with pytest.raises(SettingsError, match="BOT_DESK_MAX_AGE"):
        load_settings(BOT_DESK_MAX_AGE="5")
