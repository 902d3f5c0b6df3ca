"""Checklist scoring and next steps, and the evidence file check: pure functions."""

from __future__ import annotations

import pytest

from bot.content import Checklist, Item, Section
from bot.services import evidence, scoring
from db.models import AnswerValue


def test_check_file_refuses_by_declared_size_before_download() -> None:
    assert evidence.check_file("image/jpg", 1000) == "image/jpeg"
    assert evidence.check_file("application/pdf; charset=binary", None) == "application/pdf"
    with pytest.raises(evidence.FileTooLarge):
        evidence.check_file("image/jpeg", evidence.MAX_BYTES + 1)
    with pytest.raises(evidence.FileUnsupported):
        evidence.check_file("video/mp4", 10)
    with pytest.raises(evidence.FileUnsupported):
        evidence.check_file(None, 10)


def _checklist(
    *weights: tuple[str, tuple[int, ...]],
    version: int = 1,
    may_not_apply: frozenset[str] = frozenset(),
) -> Checklist:
    """A small checklist: sections of items with the given weights (ids s<n>i<m>); the items in
    `may_not_apply` can be answered "does not apply"."""
    sections = []
    for sindex, (title, item_weights) in enumerate(weights):
        items = tuple(
            Item(
                id=f"s{sindex}i{iindex}",
                question=f"Pertanyaan {sindex}.{iindex}?",
                weight=weight,
                module="sni-dasar",
                next_step=f"Langkah {sindex}.{iindex}",
                not_applicable=f"s{sindex}i{iindex}" in may_not_apply,
            )
            for iindex, weight in enumerate(item_weights)
        )
        sections.append(Section(id=f"s{sindex}", title=title, items=items))
    return Checklist(
        id="uji", sector="kue", title="Uji", version=version, sections=tuple(sections)
    )


def test_score_is_weighted_per_section_and_overall_in_whole_percent() -> None:
    checklist = _checklist(("Izin", (3, 1)), ("Dapur", (2, 2, 1)))
    answers = {
        "s0i0": scoring.Answer(AnswerValue.YES),  # 3 of 3
        "s0i1": scoring.Answer(AnswerValue.PARTLY),  # 0.5 of 1
        "s1i0": scoring.Answer(AnswerValue.NO),  # 0 of 2
        "s1i1": scoring.Answer(AnswerValue.PARTLY),  # 1 of 2
        # s1i2 unanswered: 0 of 1
    }
    result = scoring.score(checklist, answers)
    assert [s.percent for s in result.sections] == [88, 20]  # 3.5/4 = 87.5 -> 88; 1/5
    assert result.percent == 50  # 4.5 / 9
    assert (result.answered, result.total) == (4, 5)
    assert scoring.score(checklist, {}).percent == 0
    everything = {i.id: scoring.Answer(AnswerValue.YES) for i in checklist.items}
    assert scoring.score(checklist, everything).percent == 100


def test_next_steps_are_the_heaviest_not_yet_done_items_in_order() -> None:
    checklist = _checklist(("Izin", (1, 3, 2)), ("Dapur", (3, 2)))
    answers = {
        "s0i1": scoring.Answer(AnswerValue.YES),
        "s1i0": scoring.Answer(AnswerValue.PARTLY),
        "s0i2": scoring.Answer(AnswerValue.NO),
    }
    steps = scoring.next_steps(checklist, answers)
    assert [i.id for i in steps] == ["s1i0", "s0i2", "s1i1"]


def test_does_not_apply_counts_on_neither_side_and_is_no_next_step() -> None:
    checklist = _checklist(
        ("Izin", (3, 1)), ("Halal", (3,)), may_not_apply=frozenset({"s0i0", "s1i0"})
    )
    na = scoring.Answer(AnswerValue.NOT_APPLICABLE)
    answers = {"s0i0": na, "s0i1": scoring.Answer(AnswerValue.YES), "s1i0": na}
    result = scoring.score(checklist, answers)
    assert result.percent == 100  # 1 of 1: the weight-3 items are out of the fraction
    assert [s.percent for s in result.sections] == [100, 0]
    assert [s.applies for s in result.sections] == [True, False]
    assert (result.answered, result.total) == (3, 3)
    assert scoring.next_steps(checklist, answers) == []
    # Without the answer, the same items weigh in as Belum and are the next steps.
    assert scoring.score(checklist, {"s0i1": answers["s0i1"]}).percent == 14  # 1/7
    assert [i.id for i in scoring.next_steps(checklist, {})] == ["s0i0", "s1i0", "s0i1"]


def test_does_not_apply_on_an_item_that_no_longer_allows_it_is_unanswered() -> None:
    checklist = _checklist(("Izin", (2, 2)))  # the content dropped the flag
    answers = {
        "s0i0": scoring.Answer(AnswerValue.NOT_APPLICABLE),
        "s0i1": scoring.Answer(AnswerValue.YES),
    }
    result = scoring.score(checklist, answers)
    assert (result.percent, result.answered) == (50, 1)
    assert [i.id for i in scoring.next_steps(checklist, answers)] == ["s0i0"]


def test_a_carried_does_not_apply_needs_no_second_look_like_a_carried_yes() -> None:
    assert scoring.Answer(AnswerValue.NOT_APPLICABLE, carried=True).settled
    assert scoring.Answer(AnswerValue.YES, carried=True).settled
    assert not scoring.Answer(AnswerValue.NO, carried=True).settled
