"""Scoring a checklist's answers, and the next steps they point to: pure rules, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.content import Checklist, Item, Section
from db.models import AnswerValue

NEXT_STEPS = 3
# Ya = 1, Sebagian = 1/2, Belum = 0, counted in halves so the arithmetic stays exact.
# "Tidak berlaku" has no entry: it counts on neither side of the fraction.
_HALVES = {AnswerValue.YES: 2, AnswerValue.PARTLY: 1, AnswerValue.NO: 0}
# Answers that need no second look when carried over from the last version: a fact that held
# (Ya) or an item that did not apply stays so until the person changes it.
_STABLE = {AnswerValue.YES, AnswerValue.NOT_APPLICABLE}


@dataclass(frozen=True)
class Answer:
    value: AnswerValue | None
    note: str | None = None
    evidence_id: int | None = None
    carried: bool = False  # copied from the last submitted version, not confirmed yet

    @property
    def settled(self) -> bool:
        """Counts as answered for walking the checklist (a carried Ya needs no second look)."""
        return self.value is not None and (not self.carried or self.value in _STABLE)


@dataclass(frozen=True)
class SectionScore:
    section: Section
    percent: int
    answered: int
    total: int
    applies: bool = True  # False when every item of the section was answered "does not apply"


@dataclass(frozen=True)
class Score:
    percent: int
    sections: tuple[SectionScore, ...]
    answered: int
    total: int


def _percent(halves: int, weight_total: int) -> int:
    """Whole percent of halves out of 2 * weight_total, rounded half up."""
    if weight_total == 0:
        return 0
    return (100 * halves + weight_total) // (2 * weight_total)


def counted_value(item: Item, answers: Mapping[str, Answer]) -> AnswerValue | None:
    """The item's answer; "does not apply" only counts on items the content allows it."""
    value = answers[item.id].value if item.id in answers else None
    if value is AnswerValue.NOT_APPLICABLE and not item.not_applicable:
        return None  # the content no longer lets it not apply: unanswered again
    return value


def score(checklist: Checklist, answers: Mapping[str, Answer]) -> Score:
    """Weighted score per section and overall; unanswered items count as Belum, items that
    do not apply count on neither side."""
    sections = []
    all_halves = all_weight = all_answered = 0
    for section in checklist.sections:
        halves = weight = answered = 0
        for item in section.items:
            value = counted_value(item, answers)
            if value is not None:
                answered += 1
            if value is AnswerValue.NOT_APPLICABLE:
                continue
            weight += item.weight
            if value is not None:
                halves += item.weight * _HALVES[value]
        sections.append(
            SectionScore(
                section, _percent(halves, weight), answered, len(section.items), weight > 0
            )
        )
        all_halves, all_weight, all_answered = (
            all_halves + halves,
            all_weight + weight,
            all_answered + answered,
        )
    return Score(
        _percent(all_halves, all_weight), tuple(sections), all_answered, len(checklist.items)
    )


def next_steps(
    checklist: Checklist, answers: Mapping[str, Answer], count: int = NEXT_STEPS
) -> list[Item]:
    """The items not yet Ya with the highest weight (then checklist order); items that do not
    apply are no step to take."""
    done = {AnswerValue.YES, AnswerValue.NOT_APPLICABLE}
    open_items = [
        (index, item)
        for index, item in enumerate(checklist.items)
        if counted_value(item, answers) not in done
    ]
    open_items.sort(key=lambda pair: (-pair[1].weight, pair[0]))
    return [item for _, item in open_items[:count]]
