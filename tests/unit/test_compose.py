"""The one table of outbox kinds: each kind's payload type names it, and only it composes it."""

from __future__ import annotations

from bot.compose import KINDS


def test_each_kind_is_composed_from_the_payload_type_that_names_it() -> None:
    for name, kind in KINDS.items():
        assert name in kind.payload.KINDS, f"{kind.payload.__name__} does not name {name!r}"


def test_every_kind_a_payload_type_names_has_a_composer_for_that_type() -> None:
    for kind in KINDS.values():
        for name in kind.payload.KINDS:
            assert name in KINDS, f"{kind.payload.__name__} names {name!r}, which has no composer"
            assert KINDS[name].payload is kind.payload


def test_kinds_fit_their_column() -> None:
    assert all(len(name) <= 32 for name in KINDS)  # outbox_message.kind is String(32)
