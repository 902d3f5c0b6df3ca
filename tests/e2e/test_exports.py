"""Exporting data in the chat: "Ekspor data", a kind, a format, then a spreadsheet document."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from bot.services import people
from db.models import Role
from tests.support.world import START, World


async def test_export_sends_an_xlsx_a_spreadsheet_reads_back(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    async with world.sessions() as db, db.begin():
        await people.register(db, world.clock, 100_500, "Budi & Co <b>", [Role.MENTOR])

    chosen = await koordinator.press("Ekspor data")
    assert "Foto bukti tidak disertakan" in chosen.text
    await koordinator.press("Orang")
    sent = await koordinator.press("Excel (XLSX)")
    assert sent.document_file is not None, koordinator.transcript()
    assert sent.document_file.file_name == "pendamping-people-20261207.xlsx"
    assert "2 baris" in sent.text and "WITA" in sent.text
    assert sent.document is not None

    book = load_workbook(io.BytesIO(sent.document))
    assert book.sheetnames == ["Orang"]
    sheet = book["Orang"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "Nama", "ID Telegram", "Peran")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Yuliana", "Budi & Co <b>"}  # as typed, not escaped
    assert by_name["Yuliana"][3] == "coordinator, mentor"
    assert by_name["Budi & Co <b>"][6] == "aktif"
    joined = by_name["Budi & Co <b>"][10]
    # 09.00 WITA on the start day, stored without a zone as spreadsheets want.
    assert joined == START.astimezone(world.deps.settings.timezone).replace(tzinfo=None)


async def test_export_everything_as_csv_is_a_zip_of_sheets(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/ekspor")
    await koordinator.press("Semua (satu lembar per jenis)")
    sent = await koordinator.press("CSV")
    assert sent.document_file is not None
    assert sent.document_file.file_name == "pendamping-all-20261207.zip"
    assert sent.document is not None
    with zipfile.ZipFile(io.BytesIO(sent.document)) as archive:
        names = archive.namelist()
        assert names == [
            "people.csv",
            "businesses.csv",
            "checklists.csv",
            "deadlines.csv",
            "reminders.csv",
            "broadcasts.csv",
            "questions.csv",
            "assessment.csv",
        ]
        people_rows = list(csv.reader(io.StringIO(archive.read("people.csv").decode("utf-8-sig"))))
        broadcasts = archive.read("broadcasts.csv").decode("utf-8-sig").splitlines()
    assert people_rows[1][1] == "Yuliana"
    assert people_rows[1][10] == "2026-12-07 09:00"  # WITA
    assert broadcasts == ["ID,Pesan,Sasaran,Dikirim oleh,Dibuat,Terkirim,Tidak terkirim"]
