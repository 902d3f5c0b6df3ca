"""Checklists and evidence on real databases: scoring, resume, versions, stale buttons, files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import Checklist, Content, Item, Section, load_content
from bot.i18n import I18n
from bot.services import checklists, evidence, guidance, people
from bot.services.errors import Invalid, Stale
from db.models import (
    AnswerValue,
    Business,
    ChecklistAnswer,
    ChecklistRun,
    Evidence,
    Role,
    RunState,
)


def tiny_png(seed: int = 0) -> bytes:
    """A valid 1x1 PNG; `seed` changes the pixel so the hash differs."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, 120, 200]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


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


def test_check_file_refuses_by_declared_size_before_download() -> None:
    assert evidence.check_file("image/jpg", 1000) == "image/jpeg"
    assert evidence.check_file("application/pdf; charset=binary", None) == "application/pdf"
    with pytest.raises(evidence.FileTooLarge):
        evidence.check_file("image/jpeg", evidence.MAX_BYTES + 1)
    with pytest.raises(evidence.FileUnsupported):
        evidence.check_file("video/mp4", 10)
    with pytest.raises(evidence.FileUnsupported):
        evidence.check_file(None, 10)


# --- checklists ------------------------------------------------------------------------------


def _content() -> Content:
    return load_content()


def _checklist(*weights: tuple[str, tuple[int, ...]], version: int = 1) -> Checklist:
    """A small checklist: sections of items with the given weights (ids s<n>i<m>)."""
    sections = []
    for sindex, (title, item_weights) in enumerate(weights):
        items = tuple(
            Item(
                id=f"s{sindex}i{iindex}",
                question=f"Pertanyaan {sindex}.{iindex}?",
                weight=weight,
                module="sni-dasar",
                next_step=f"Langkah {sindex}.{iindex}",
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
        "s0i0": checklists.Answer(AnswerValue.YES),  # 3 of 3
        "s0i1": checklists.Answer(AnswerValue.PARTLY),  # 0.5 of 1
        "s1i0": checklists.Answer(AnswerValue.NO),  # 0 of 2
        "s1i1": checklists.Answer(AnswerValue.PARTLY),  # 1 of 2
        # s1i2 unanswered: 0 of 1
    }
    result = checklists.score(checklist, answers)
    assert [s.percent for s in result.sections] == [88, 20]  # 3.5/4 = 87.5 -> 88; 1/5
    assert result.percent == 50  # 4.5 / 9
    assert (result.answered, result.total) == (4, 5)
    assert checklists.score(checklist, {}).percent == 0
    everything = {i.id: checklists.Answer(AnswerValue.YES) for i in checklist.items}
    assert checklists.score(checklist, everything).percent == 100


def test_next_steps_are_the_heaviest_not_yet_done_items_in_order() -> None:
    checklist = _checklist(("Izin", (1, 3, 2)), ("Dapur", (3, 2)))
    answers = {
        "s0i1": checklists.Answer(AnswerValue.YES),
        "s1i0": checklists.Answer(AnswerValue.PARTLY),
        "s0i2": checklists.Answer(AnswerValue.NO),
    }
    steps = checklists.next_steps(checklist, answers)
    assert [i.id for i in steps] == ["s1i0", "s0i2", "s1i1"]


async def business_owner(
    db: AsyncSession, clock: FakeClock, sector: str = "kue", telegram_id: int = 7101
) -> Business:
    """A consenting UMKM owner with a business of the sector."""
    person = await people.register(db, clock, telegram_id, "Ibu Maria", [Role.UMKM])
    person.consent_at = clock.now()
    business = Business(
        name="Kue Ina",
        sector=sector,
        owner_name="Ibu Maria",
        owner_id=person.id,
        created_at=clock.now(),
    )
    db.add(business)
    await db.flush()
    return business


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
