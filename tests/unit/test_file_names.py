"""A file's name as people send it never reaches anyone as it was: no path, the real type."""

from __future__ import annotations

import pytest

from bot.services.evidence import safe_filename


@pytest.mark.parametrize(
    ("sent", "mime", "shown"),
    [
        ("../../../../tmp/laporan.html", "application/pdf", "laporan.pdf"),
        ("..\\..\\Windows\\izin usaha (2).PDF", "application/pdf", "izin-usaha-2.pdf"),
        ("foto-label.pdf", "image/jpeg", "foto-label.jpg"),
        ("laporan\u202efdp.exe", "application/pdf", "laporan-fdp.pdf"),
        (".bashrc", "image/png", "bashrc.png"),
        ("<script>.pdf", "application/pdf", "script.pdf"),
        ("Surat Izin — Ibu Maria.pdf", "application/pdf", "Surat-Izin-Ibu-Maria.pdf"),
        ("../..", "application/pdf", "dokumen.pdf"),
        ("", "image/webp", "foto.webp"),
        ("a" * 300 + ".pdf", "application/pdf", "a" * 60 + ".pdf"),
    ],
)
def test_a_sent_file_name_is_reduced_to_a_safe_one(sent: str, mime: str, shown: str) -> None:
    assert safe_filename(sent, mime) == shown
