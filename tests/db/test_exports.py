"""Exports on real databases: every kind read, written as XLSX and CSV, read back."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from functools import cache
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.content import DEFAULT_CONTENT_ROOT, Content, load_content
from bot.i18n import I18n, Translator
from bot.services import agencies, exports, nudges, outbox, people
from bot.services.exports import ExportFormat, ExportKind
from bot.services.exports.files import XLSX_TIME_FORMAT
from db.models import (
    AckStatus,
    AnswerValue,
    Assessment,
    AssessmentRating,
    AssessmentState,
    ChecklistAnswer,
    ChecklistRun,
    Deadline,
    DeadlineAck,
    DeadlineKind,
    Evidence,
    Light,
    Question,
    Recurrence,
    Role,
    RunState,
)
from tests.support.business import business_owner

WITA = ZoneInfo("Asia/Makassar")


@cache
def _content() -> Content:
    return load_content(DEFAULT_CONTENT_ROOT)


def _tr() -> Translator:
    return I18n(WITA).translator("id")


async def _programme(db: AsyncSession, clock: FakeClock) -> None:
    """One row or more of every kind, with an evidence file the export must only name."""
    business = await business_owner(db, clock, sector="kue")
    assert business.owner_id is not None
    photo = Evidence(
        sha256="a" * 64,
        path="evidence/aa/aaaa.jpg",
        size=10,
        mime="image/jpeg",
        filename="dapur.jpg",
        person_id=business.owner_id,
        created_at=clock.now(),
    )
    db.add(photo)
    item = _content().checklist_for("kue").items[0]
    run = ChecklistRun(
        business_id=business.id,
        checklist_id="kue",
        version=1,
        state=RunState.SUBMITTED,
        started_at=clock.now(),
        updated_at=clock.now(),
        submitted_at=clock.now(),
        score=40,
    )
    db.add(run)
    await db.flush()
    db.add(
        ChecklistAnswer(
            run_id=run.id,
            item_id=item.id,
            value=AnswerValue.PARTLY,
            note="Dapur dibersihkan tiap pagi",
            evidence_id=photo.id,
            answered_at=clock.now(),
        )
    )
    await agencies.seed_pilot_agencies(db, clock)
    agency = (await agencies.all_agencies(db))[0]
    focal = await people.register(db, clock, 7201, "Yohanes", [Role.FOCAL])
    await agencies.add_member(db, clock, agency.id, focal.id)
    deadline = Deadline(
        agency_id=agency.id,
        title="Laporan triwulan",
        due_at=clock.now() + timedelta(days=7),
        kind=DeadlineKind.REPORT,
        recurrence=Recurrence.NONE,
        created_at=clock.now(),
    )
    db.add(deadline)
    await db.flush()
    db.add(
        DeadlineAck(
            deadline_id=deadline.id,
            agency_id=agency.id,
            person_id=focal.id,
            status=AckStatus.DONE,
            at=clock.now(),
        )
    )
    db.add(
        Question(
            business_id=business.id,
            asker_id=business.owner_id,
            text="Apakah label wajib?",
            evidence_id=photo.id,
            asked_at=clock.now(),
        )
    )
    assessment = Assessment(
        agency_id=agency.id,
        period="2026-Q4",
        state=AssessmentState.DRAFT,
        started_at=clock.now(),
    )
    db.add(assessment)
    await db.flush()
    db.add(
        AssessmentRating(
            assessment_id=assessment.id,
            indicator_id="I01",
            light=Light.GREEN,
            rated_at=clock.now(),
        )
    )
    await outbox.plan(
        db,
        clock,
        kind="nudge",
        recipient_id=business.owner_id,
        dedupe_key="n",
        due_at=clock.now(),
        payload=nudges.NudgeFor(business_id=business.id),
    )
    await db.flush()


async def test_every_kind_is_exported_as_xlsx_with_local_times(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await _programme(db, clock)
    async with sessions() as db:
        sheets = await exports.collect(db, _content(), ExportKind.ALL)
    assert [s.kind for s in sheets] == list(exports.KINDS)
    data = exports.write(sheets, ExportFormat.XLSX, _tr())

    book = load_workbook(io.BytesIO(data))
    titles = [_tr().gettext(exports.TITLES[kind]) for kind in exports.KINDS]
    assert book.sheetnames == titles
    assert {"Orang", "Cek kesiapan", "Tenggat"} <= set(titles)
    rows = {
        kind: list(book[title].iter_rows(values_only=True))
        for kind, title in zip(exports.KINDS, titles, strict=True)
    }
    assert rows[ExportKind.BUSINESSES][1][1] == "Kue Ina"
    checklist = dict(
        zip(rows[ExportKind.CHECKLISTS][0], rows[ExportKind.CHECKLISTS][1], strict=True)
    )
    assert checklist["Usaha"] == "Kue Ina"
    assert checklist["Jawaban"] == "sebagian"
    assert checklist["Berkas bukti"] == "dapur.jpg"  # the name, never the file
    assert checklist["Pertanyaan"] == _content().checklist_for("kue").items[0].question
    # 09.00 WITA, as a date a spreadsheet can sort.
    assert checklist["Tanggal bukti"] == clock.now().astimezone(WITA).replace(tzinfo=None)
    # Written as a spreadsheet reads well: a bold, frozen header, dates formatted, columns wide.
    page = book[titles[exports.KINDS.index(ExportKind.CHECKLISTS)]]
    assert page.freeze_panes == "A2" and page["A1"].font.bold
    column = rows[ExportKind.CHECKLISTS][0].index("Tanggal bukti") + 1
    assert page.cell(2, column).number_format == XLSX_TIME_FORMAT
    assert not page.cell(2, column - 1).font.bold
    assert page.column_dimensions["A"].width >= len(str(rows[ExportKind.CHECKLISTS][0][0])) + 2
    deadline = dict(zip(rows[ExportKind.DEADLINES][0], rows[ExportKind.DEADLINES][1], strict=True))
    assert (deadline["Tenggat"], deadline["Jawaban instansi"]) == ("Laporan triwulan", "done")
    assert len(rows[ExportKind.DEADLINES]) == 2  # the deadline is for one agency only
    question = dict(zip(rows[ExportKind.QUESTIONS][0], rows[ExportKind.QUESTIONS][1], strict=True))
    assert (question["Pertanyaan"], question["Berkas foto"]) == (
        "Apakah label wajib?",
        "dapur.jpg",
    )
    rating = dict(zip(rows[ExportKind.ASSESSMENT][0], rows[ExportKind.ASSESSMENT][1], strict=True))
    assert (rating["Indikator"], rating["Lampu"]) == ("I01", "green")
    assert rows[ExportKind.BROADCASTS] == [
        ("ID", "Pesan", "Sasaran", "Dikirim oleh", "Dibuat", "Terkirim", "Tidak terkirim")
    ]
    reminder = dict(zip(rows[ExportKind.REMINDERS][0], rows[ExportKind.REMINDERS][1], strict=True))
    assert (reminder["Jenis"], reminder["Penerima"], reminder["Status"]) == (
        "nudge",
        "Ibu Maria",
        "pending",
    )
    assert b"aaaa.jpg" not in data  # only the name people gave the file


async def test_csv_is_utf8_with_a_bom_and_all_kinds_zip(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with sessions() as db, db.begin():
        await people.register(db, clock, 5001, 'Ñoña, "Ina"', [Role.MENTOR])
    async with sessions() as db:
        one = await exports.collect(db, None, ExportKind.PEOPLE)
        every = await exports.collect(db, None, ExportKind.ALL)
    data = exports.write(one, ExportFormat.CSV, _tr())
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["ID", "Nama", "ID Telegram"]
    assert table[1][1] == 'Ñoña, "Ina"'
    assert table[1][10] == "2026-12-07 09:00"
    assert exports.filename(ExportFormat.CSV, ExportKind.ALL, clock.now().date()).endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(exports.write(every, ExportFormat.CSV, _tr()))) as archive:
        assert archive.namelist() == [f"{k.value}.csv" for k in exports.KINDS]
