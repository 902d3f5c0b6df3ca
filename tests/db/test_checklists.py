"""Checklists and evidence on real databases: scoring, resume, versions, stale buttons, files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services import evidence, people
from bot.services.errors import Invalid
from db.models import Evidence, Role


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
        assert caught.value.reason.startswith(("berkas ini", "jenis berkas"))
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
