"""Checklists and evidence on real databases: resume, versions, stale buttons, files."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import Content, load_content
from bot.i18n import I18n
from bot.services import checklists, evidence, guidance, people
from bot.services.errors import Invalid, Stale
from db.models import (
    AnswerValue,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    Role,
    RunState,
)
from tests.support.business import business_owner
from tests.support.png import tiny_png


async def _person(db: AsyncSession, clock: FakeClock, telegram_id: int = 7001) -> int:
    person = await people.register(db, clock, telegram_id, "Ibu Maria", [Role.UMKM])
    return person.id


async def test_evidence_is_stored_once_per_content(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, tmp_path: Path
) -> None:
    png = tiny_png(1)
    async with sessions() as db, db.begin():
        person_id = await _person(db, clock)
        first = await evidence.save_evidence(
            db, clock, tmp_path, person_id=person_id, data=png, mime="image/png", filename="a.png"
        )
        again = await evidence.save_evidence(
            db, clock, tmp_path, person_id=person_id, data=png, mime="image/jpeg", filename=None
        )
        assert again.id == first.id
        assert first.mime == "image/png"
        assert first.size == len(png)
        assert first.path == f"evidence/{first.sha256[:2]}/{first.sha256}.png"
    stored = tmp_path / first.path
    assert stored.read_bytes() == png
    assert list(stored.parent.iterdir()) == [stored]  # no partial file left behind
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Evidence)) == 1
        loaded = await db.get(Evidence, first.id)
        assert loaded is not None
        assert await evidence.read_evidence(tmp_path, loaded) == png


@pytest.mark.parametrize(
    ("data", "mime", "error"),
    [
        (b"MZ\x90\x00 not a picture", "application/x-msdownload", evidence.FileUnsupported),
        (b"MZ\x90\x00 renamed program", "image/png", evidence.FileUnsupported),
        (b"", "image/jpeg", evidence.FileUnsupported),
        (
            b"\x89PNG\r\n\x1a\n" + b"\0" * (evidence.MAX_BYTES + 1),
            "image/png",
            evidence.FileTooLarge,
        ),
    ],
)
async def test_evidence_refuses_unsupported_and_too_large_files(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    tmp_path: Path,
    data: bytes,
    mime: str,
    error: type[Invalid],
) -> None:
    async with sessions() as db, db.begin():
        person_id = await _person(db, clock)
        with pytest.raises(error) as caught:
            await evidence.save_evidence(
                db, clock, tmp_path, person_id=person_id, data=data, mime=mime, filename="x"
            )
        assert isinstance(caught.value, Invalid)
        indonesian = caught.value.explain(I18n(ZoneInfo("Asia/Makassar")).translator("id").gettext)
        assert indonesian.startswith(("berkas ini", "jenis berkas"))
        assert await db.scalar(select(func.count()).select_from(Evidence)) == 0
    assert not (tmp_path / "evidence").exists()


# --- checklists ------------------------------------------------------------------------------


def _content() -> Content:
    return load_content()


async def test_checklist_resumes_at_the_first_unanswered_item(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = _content()
    items = content.checklist_for("kue").items
    async with sessions() as db, db.begin():
        business = await business_owner(db, clock)
        view = await checklists.start_or_resume(db, clock, content, business)
        assert view.current is not None and view.current.number == 1
        run_id = view.run.id
        for item in items[:3]:
            view = await checklists.record_answer(
                db, clock, content, business, run_id, item.id, AnswerValue.PARTLY
            )
        assert view.current is not None and view.current.item.id == items[3].id
    async with sessions() as db, db.begin():
        business = await guidance.business_of(db, business.owner_id or 0)
        again = await checklists.start_or_resume(db, clock, content, business)
        assert again.run.id == run_id
        assert again.current is not None and again.current.number == 4
        # Answering out of order moves on to the next unanswered item, wrapping round.
        skipped = await checklists.record_answer(
            db, clock, content, business, run_id, items[-1].id, AnswerValue.YES
        )
        assert skipped.current is not None and skipped.current.item.id == items[3].id
        assert skipped.score.answered == 4


async def test_submit_keeps_a_version_and_the_next_run_is_prefilled(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = _content()
    checklist = content.checklist_for("tenun")
    async with sessions() as db, db.begin():
        business = await business_owner(db, clock, "tenun")
        view = await checklists.start_or_resume(db, clock, content, business)
        run_id = view.run.id
        with pytest.raises(Invalid):
            await checklists.submit(db, clock, content, business, run_id)
        for index, item in enumerate(checklist.items):
            value = AnswerValue.YES if index % 2 == 0 else AnswerValue.NO
            view = await checklists.record_answer(
                db, clock, content, business, run_id, item.id, value
            )
        assert view.current is None  # the summary
        version = await checklists.submit(db, clock, content, business, run_id)
        assert version.score.percent == view.score.percent
        with pytest.raises(Stale):  # a kept version is never changed
            await checklists.record_answer(
                db, clock, content, business, run_id, checklist.items[0].id, AnswerValue.NO
            )
        with pytest.raises(Stale):
            await checklists.submit(db, clock, content, business, run_id)

    clock.advance(days=7)
    async with sessions() as db, db.begin():
        fresh = await checklists.start_or_resume(db, clock, content, business)
        assert fresh.run.id != run_id
        assert fresh.prefilled
        assert fresh.score.percent == version.score.percent
        # Carried Ya answers need no second look; the walk starts at the first non-Ya one.
        assert fresh.current is not None and fresh.current.item.id == checklist.items[1].id
        assert fresh.current.answer.carried
        moved = await checklists.record_answer(
            db, clock, content, business, fresh.run.id, checklist.items[1].id, AnswerValue.YES
        )
        assert moved.current is not None and moved.current.item.id == checklist.items[3].id
        old = await db.get(ChecklistRun, run_id)
        assert old is not None
        assert (old.state, old.score) == (RunState.SUBMITTED, version.score.percent)
    async with sessions() as db:
        kept = await db.scalar(
            select(ChecklistAnswer.value).where(
                ChecklistAnswer.run_id == run_id,
                ChecklistAnswer.item_id == checklist.items[1].id,
            )
        )
        assert kept is AnswerValue.NO  # the kept version did not move
        shown = await checklists.progress(db, content, business)
        assert shown.latest is not None and shown.latest.run_id == run_id
        assert shown.previous is None


async def test_stale_runs_items_and_versions_are_refused(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = _content()
    item = content.checklist_for("kue").items[0]
    async with sessions() as db, db.begin():
        mine = await business_owner(db, clock, "kue", 7201)
        theirs = await business_owner(db, clock, "kue", 7202)
        my_run = (await checklists.start_or_resume(db, clock, content, mine)).run.id
        their_run = (await checklists.start_or_resume(db, clock, content, theirs)).run.id
        with pytest.raises(Stale):  # another business's run
            await checklists.record_answer(
                db, clock, content, mine, their_run, item.id, AnswerValue.YES
            )
        with pytest.raises(Stale):  # an item this checklist does not have
            await checklists.record_answer(
                db, clock, content, mine, my_run, "no-such-item", AnswerValue.YES
            )
        await checklists.record_answer(db, clock, content, mine, my_run, item.id, AnswerValue.NO)

    # The checklist gets a new version: the open run is replaced, old buttons are stale,
    # and the answers given so far are carried over.
    old = content.checklist_for("kue")
    bumped = content.model_copy(
        update={
            "checklists": {
                **content.checklists,
                "kue": old.model_copy(update={"version": old.version + 1}),
            }
        }
    )
    async with sessions() as db, db.begin():
        mine = await guidance.business_of(db, mine.owner_id or 0)
        with pytest.raises(Stale):
            await checklists.record_answer(
                db, clock, bumped, mine, my_run, item.id, AnswerValue.YES
            )
        renewed = await checklists.start_or_resume(db, clock, bumped, mine)
        assert renewed.run.id != my_run
        assert renewed.run.version == old.version + 1
        assert renewed.answers[item.id].value is AnswerValue.NO
        with pytest.raises(Stale):
            await checklists.record_answer(
                db, clock, bumped, mine, my_run, item.id, AnswerValue.YES
            )


async def test_double_tap_keeps_one_answer_and_notes_are_bounded(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    content = _content()
    items = content.checklist_for("sasando").items
    async with sessions() as db, db.begin():
        business = await business_owner(db, clock, "sasando")
        run_id = (await checklists.start_or_resume(db, clock, content, business)).run.id
        first = await checklists.record_answer(
            db, clock, content, business, run_id, items[0].id, AnswerValue.YES
        )
        second = await checklists.record_answer(
            db, clock, content, business, run_id, items[0].id, AnswerValue.YES
        )
        assert first.changed and not second.changed
        assert second.current is not None and second.current.number == 2
        with pytest.raises(Invalid):
            await checklists.set_note(db, clock, content, business, run_id, items[1].id, "x" * 501)
        await checklists.set_note(db, clock, content, business, run_id, items[1].id, " catatan ")
        count = await db.scalar(
            select(func.count())
            .select_from(ChecklistAnswer)
            .where(ChecklistAnswer.run_id == run_id)
        )
        assert count == 2
        noted = await db.get(ChecklistAnswer, (run_id, items[1].id))
        assert noted is not None and noted.note == "catatan" and noted.value is None
