"""SNI-readiness checklists: runs, answers, scoring, kept versions and next steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content import Checklist, Content, Item, Section
from bot.i18n import N_
from bot.services.errors import Invalid, Stale
from bot.services.scoring import Answer, Score, counted_value, next_steps, score
from db.models import AnswerValue, Business, ChecklistAnswer, ChecklistRun, RunState

MAX_NOTE = 500


@dataclass(frozen=True)
class ItemView:
    """One item of a run: where it is, what was answered."""

    run_id: int
    checklist: Checklist
    section: Section
    item: Item
    number: int  # 1-based position in the whole checklist
    total: int
    answer: Answer
    reviewing: bool  # every item has an answer: the person is changing answers


@dataclass(frozen=True)
class RunView:
    """A run: its answers, and the item to show next (None: everything answered)."""

    run: ChecklistRun
    checklist: Checklist
    answers: Mapping[str, Answer]
    current: ItemView | None
    prefilled: bool  # started from the last submitted version
    changed: bool = True  # False when an answer tap repeated what was already saved

    @property
    def score(self) -> Score:
        return score(self.checklist, self.answers)


@dataclass(frozen=True)
class Version:
    """A submitted run: a kept version of the business's readiness."""

    run_id: int
    submitted_at: datetime
    score: Score
    answers: Mapping[str, Answer]


# --- pure rules ---------------------------------------------------------------------------


def _next_position(
    checklist: Checklist, answers: Mapping[str, Answer], after: str | None
) -> str | None:
    """The next unsettled item after `after` (wrapping round), or None when all are settled."""
    ids = [item.id for item in checklist.items]
    start = ids.index(after) + 1 if after in ids else 0
    for item_id in [*ids[start:], *ids[:start]]:
        answer = answers.get(item_id)
        if answer is None or not answer.settled:
            return item_id
    return None


# --- database -----------------------------------------------------------------------------


# Built once: a statement's construction costs more than SQLite running it.
_ANSWERS = select(ChecklistAnswer).where(ChecklistAnswer.run_id == bindparam("run_id"))
_OPEN_RUN = select(ChecklistRun).where(
    ChecklistRun.business_id == bindparam("business_id"),
    ChecklistRun.state == RunState.IN_PROGRESS,
)
_SUBMITTED = (
    select(ChecklistRun)
    .where(
        ChecklistRun.business_id == bindparam("business_id"),
        ChecklistRun.state == RunState.SUBMITTED,
    )
    .order_by(ChecklistRun.submitted_at.desc(), ChecklistRun.id.desc())
)


def _as_answers(rows: Mapping[str, ChecklistAnswer]) -> dict[str, Answer]:
    return {
        item_id: Answer(row.value, row.note, row.evidence_id, row.carried)
        for item_id, row in rows.items()
    }


async def _answer_rows(db: AsyncSession, run_id: int) -> dict[str, ChecklistAnswer]:
    rows = await db.scalars(_ANSWERS, {"run_id": run_id})
    return {row.item_id: row for row in rows}


async def _answers(db: AsyncSession, run_id: int) -> dict[str, Answer]:
    return _as_answers(await _answer_rows(db, run_id))


async def _open_run(db: AsyncSession, business_id: int) -> ChecklistRun | None:
    return await db.scalar(_OPEN_RUN, {"business_id": business_id})


async def _submitted(
    db: AsyncSession, business_id: int, limit: int | None = None
) -> Sequence[ChecklistRun]:
    stmt = _SUBMITTED.limit(limit) if limit is not None else _SUBMITTED
    return (await db.scalars(stmt, {"business_id": business_id})).all()


def _view(
    run: ChecklistRun,
    checklist: Checklist,
    answers: Mapping[str, Answer],
    item_id: str | None,
    prefilled: bool,
) -> RunView:
    current = None
    if item_id is not None:
        items = checklist.items
        index = next(i for i, item in enumerate(items) if item.id == item_id)
        reviewing = _complete(checklist, answers)
        current = ItemView(
            run.id,
            checklist,
            checklist.section_of(item_id),
            items[index],
            index + 1,
            len(items),
            answers.get(item_id, Answer(None)),
            reviewing,
        )
    return RunView(run, checklist, answers, current, prefilled)


def _carried_over(checklist: Checklist, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """The answers a new run starts with: those of items the checklist still has (a "does
    not apply" only where the item may still not apply), marked carried."""
    items = {item.id: item for item in checklist.items}
    return {
        item_id: replace(answer, carried=True)
        for item_id, answer in answers.items()
        if item_id in items and counted_value(items[item_id], answers) is not None
    }


async def start_or_resume(
    db: AsyncSession, clock: Clock, content: Content, business: Business
) -> RunView:
    """The business's open run (made if needed), at the item where it left off."""
    checklist = content.checklist_for(business.sector)
    run = await _open_run(db, business.id)
    now = clock.now()
    carried: Mapping[str, Answer] = {}
    if run is not None and (run.version != checklist.version or run.checklist_id != checklist.id):
        # The checklist changed under an open run: start again from its answers, under a new
        # run id, so every button of the old version is recognised as stale.
        carried = await _answers(db, run.id)
        await db.delete(run)
        await db.flush()
        run = None
    if run is None:
        if not carried:
            last = await _submitted(db, business.id, limit=1)
            if last:
                carried = await _answers(db, last[0].id)
        answers = _carried_over(checklist, carried)
        run = ChecklistRun(
            business_id=business.id,
            checklist_id=checklist.id,
            version=checklist.version,
            state=RunState.IN_PROGRESS,
            position=_next_position(checklist, answers, None),
            started_at=now,
            updated_at=now,
        )
        db.add(run)
        await db.flush()
        for item_id, answer in answers.items():
            db.add(
                ChecklistAnswer(
                    run_id=run.id,
                    item_id=item_id,
                    value=answer.value,
                    note=answer.note,
                    evidence_id=answer.evidence_id,
                    answered_at=None,
                    carried=True,
                )
            )
        await db.flush()
        return _view(run, checklist, answers, run.position, bool(carried))
    answers = await _answers(db, run.id)
    valid = {item.id for item in checklist.items}
    position = run.position if run.position in valid else None
    if position is None:
        position = _next_position(checklist, answers, None)
        run.position = position
        await db.flush()
    return _view(run, checklist, answers, position, _is_prefilled(answers))


async def _checked_run(
    db: AsyncSession,
    content: Content,
    business: Business,
    run_id: int,
    item_id: str | None = None,
) -> tuple[ChecklistRun, Checklist]:
    """The open run of this business in the current checklist version, else Stale."""
    checklist = content.checklist_for(business.sector)
    run = await db.get(ChecklistRun, run_id, with_for_update=True)
    if (
        run is None
        or run.business_id != business.id
        or run.state is not RunState.IN_PROGRESS
        or run.version != checklist.version
        or run.checklist_id != checklist.id
    ):
        raise Stale()
    if item_id is not None and item_id not in {item.id for item in checklist.items}:
        raise Stale()
    return run, checklist


async def _answer_row(db: AsyncSession, run_id: int, item_id: str) -> ChecklistAnswer:
    row = await db.get(ChecklistAnswer, (run_id, item_id))
    if row is None:
        row = ChecklistAnswer(run_id=run_id, item_id=item_id, value=None, carried=False)
        db.add(row)
    return row


async def record_answer(
    db: AsyncSession,
    clock: Clock,
    content: Content,
    business: Business,
    run_id: int,
    item_id: str,
    value: AnswerValue,
) -> RunView:
    """Answer an item (again tapping the same answer changes nothing) and move on."""
    run, checklist = await _checked_run(db, content, business, run_id, item_id)
    if value is AnswerValue.NOT_APPLICABLE and not checklist.item(item_id).not_applicable:
        raise Stale()  # no such button was shown for this item
    # The run is locked (or SQLite's one writer): its answers change only here until commit.
    rows = await _answer_rows(db, run.id)
    reviewing = _complete(checklist, _as_answers(rows))
    row = rows.get(item_id)
    if row is None:
        row = rows[item_id] = ChecklistAnswer(
            run_id=run.id, item_id=item_id, value=None, carried=False
        )
        db.add(row)
    now = clock.now()
    changed = row.value is not value or row.carried
    if changed:
        row.value, row.carried, row.answered_at = value, False, now
        run.updated_at = now
    answers = _as_answers(rows)
    # A second tap on an older message (the run has moved on) changes nothing else.
    if changed or run.position == item_id:
        if reviewing:
            ids = [item.id for item in checklist.items]
            index = ids.index(item_id)
            run.position = ids[index + 1] if index + 1 < len(ids) else None
        else:
            run.position = _next_position(checklist, answers, item_id)
    await db.flush()
    view = _view(run, checklist, answers, run.position, _is_prefilled(answers))
    return replace(view, changed=changed)


def _complete(checklist: Checklist, answers: Mapping[str, Answer]) -> bool:
    """Every item of the checklist has a settled answer."""
    return all(item.id in answers and answers[item.id].settled for item in checklist.items)


def _is_prefilled(answers: Mapping[str, Answer]) -> bool:
    return any(a.carried for a in answers.values())


async def show_item(
    db: AsyncSession, clock: Clock, content: Content, business: Business, run_id: int, item: str
) -> RunView:
    """Go to an item of the open run (to change its answer, or after a photo or note)."""
    run, checklist = await _checked_run(db, content, business, run_id, item)
    run.position = item
    run.updated_at = clock.now()
    await db.flush()
    answers = await _answers(db, run.id)
    return _view(run, checklist, answers, item, _is_prefilled(answers))


async def show_summary(
    db: AsyncSession, clock: Clock, content: Content, business: Business, run_id: int
) -> RunView:
    """The run without a current item: the summary before submitting."""
    run, checklist = await _checked_run(db, content, business, run_id)
    run.position = None
    run.updated_at = clock.now()
    await db.flush()
    answers = await _answers(db, run.id)
    return _view(run, checklist, answers, None, _is_prefilled(answers))


async def set_note(
    db: AsyncSession,
    clock: Clock,
    content: Content,
    business: Business,
    run_id: int,
    item_id: str,
    note: str,
) -> None:
    """Keep a typed note with an item's answer (≤ 500 characters)."""
    note = note.strip()
    if not note:
        raise Invalid(N_("the note is still empty. Please type your note."))
    if len(note) > MAX_NOTE:
        raise Invalid(
            N_("the note is too long ({length} characters). Please keep it to {limit}."),
            length=len(note),
            limit=MAX_NOTE,
        )
    run, _ = await _checked_run(db, content, business, run_id, item_id)
    row = await _answer_row(db, run.id, item_id)
    row.note = note
    run.updated_at = clock.now()
    await db.flush()


async def attach_evidence(
    db: AsyncSession,
    clock: Clock,
    content: Content,
    business: Business,
    run_id: int,
    item_id: str,
    evidence_id: int,
) -> None:
    """Link a stored evidence file to an item's answer (replacing an earlier one)."""
    run, _ = await _checked_run(db, content, business, run_id, item_id)
    row = await _answer_row(db, run.id, item_id)
    row.evidence_id = evidence_id
    run.updated_at = clock.now()
    await db.flush()


async def check_open(
    db: AsyncSession, content: Content, business: Business, run_id: int, item_id: str
) -> Item:
    """The item, when the run is still open for answers; Stale otherwise."""
    _, checklist = await _checked_run(db, content, business, run_id, item_id)
    return checklist.item(item_id)


async def ensure_open(db: AsyncSession, content: Content, business: Business, run_id: int) -> None:
    """Stale unless the run is this business's open run in the current version."""
    await _checked_run(db, content, business, run_id)


async def submit(
    db: AsyncSession, clock: Clock, content: Content, business: Business, run_id: int
) -> Version:
    """Keep the run as a version (never changed again); every item needs an answer."""
    run, checklist = await _checked_run(db, content, business, run_id)
    answers = await _answers(db, run.id)
    if any(answers.get(item.id, Answer(None)).value is None for item in checklist.items):
        raise Invalid(N_("some questions are not answered yet. Please complete them first."))
    result = score(checklist, answers)
    now = clock.now()
    run.state = RunState.SUBMITTED
    run.submitted_at = now
    run.updated_at = now
    run.position = None
    run.score = result.percent
    await db.execute(
        delete(ChecklistAnswer).where(
            ChecklistAnswer.run_id == run.id,
            ChecklistAnswer.item_id.not_in([item.id for item in checklist.items]),
        )
    )
    await db.flush()
    return Version(run.id, now, result, answers)


@dataclass(frozen=True)
class Progress:
    """What /kemajuan shows: the latest readiness, the change, and what to do next."""

    checklist: Checklist
    latest: Version | None
    previous: Version | None
    draft: Score | None  # the open run's score when nothing has been submitted yet
    steps: tuple[Item, ...]


async def progress(db: AsyncSession, content: Content, business: Business) -> Progress:
    """The latest submitted version against the one before, and the next steps."""
    checklist = content.checklist_for(business.sector)
    kept = await versions(db, content, business, limit=2)
    latest = kept[0] if kept else None
    previous = kept[1] if len(kept) > 1 else None
    draft = None
    source: Mapping[str, Answer] = latest.answers if latest is not None else {}
    if latest is None:
        source = await draft_answers(db, business.id)
        if any(a.value is not None for a in source.values()):
            draft = score(checklist, source)
    return Progress(checklist, latest, previous, draft, tuple(next_steps(checklist, source)))


async def versions(
    db: AsyncSession, content: Content, business: Business, limit: int | None = None
) -> list[Version]:
    """The submitted versions of the business's checklist, newest first."""
    checklist = content.checklist_for(business.sector)
    found: list[Version] = []
    for run in await _submitted(db, business.id, limit=limit):
        answers = await _answers(db, run.id)
        assert run.submitted_at is not None
        found.append(Version(run.id, run.submitted_at, score(checklist, answers), answers))
    return found


async def draft_answers(db: AsyncSession, business_id: int) -> dict[str, Answer]:
    """The answers of the run being filled in (empty when there is none)."""
    open_run = await _open_run(db, business_id)
    return await _answers(db, open_run.id) if open_run is not None else {}
