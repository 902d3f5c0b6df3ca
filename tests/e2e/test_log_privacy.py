"""At DEBUG, the log of a real exchange holds no message text, invitation code or file name."""

from __future__ import annotations

import re

from tests.support.logs import ProcessLog
from tests.support.world import TOKEN, World

LINK = re.compile(r"\?start=([A-Za-z0-9_-]{16,64})")
PDF = b"%PDF-1.4\n%%EOF\n"
PHONE = "0812-3456-7890"
QUESTION = "Apakah pewarna alami dari mengkudu boleh untuk SNI tenun?"
SENT_NAME = "../../../../tmp/laporan-rahasia.html"


async def test_a_debug_log_keeps_no_text_code_phone_or_file_name(
    world: World, process_log: ProcessLog
) -> None:
    log = process_log("DEBUG", world.settings.secrets)
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    await koordinator.send("/undang")
    await koordinator.press("Pelaku UMKM")
    await koordinator.send("Tenun Mengkudu Oebobo")
    await koordinator.send("Maria Ndun")
    await koordinator.press("Ibu")
    await koordinator.press("Tenun ikat")
    await koordinator.expect("nomor telepon")
    await koordinator.send(PHONE)
    await koordinator.expect("Mohon periksa undangan")
    made = await koordinator.press("Buat tautan")
    found = LINK.search(made.text)
    assert found is not None, made.text
    code = found.group(1)

    maria = world.person("Maria")
    await maria.send(f"/start {code}")
    await maria.press("Setuju")
    await maria.press("Benar")
    await maria.press("Sore 16.00")
    await maria.send("/tanya")
    asked = await maria.send_document(PDF, SENT_NAME, caption=QUESTION)
    assert "sudah sampai kepada mentor" in asked.text
    await world.tick()
    question = await koordinator.expect("Pertanyaan baru untuk mentor")

    # The mentor sees the file under a safe name with the type its bytes have.
    assert question.document_file is not None
    assert question.document_file.file_name == "laporan-rahasia.pdf"
    output = log.getvalue()
    for private in (code, QUESTION, "mengkudu", PHONE, "laporan-rahasia", "Maria Ndun", TOKEN):
        assert private not in output, private
