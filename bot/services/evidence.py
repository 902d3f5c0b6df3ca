"""Evidence files (photos, PDFs): checked, stored once by content hash under the data dir."""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import N_
from bot.services.errors import Invalid, NotAllowed, NotFound
from db.models import (
    AgencyMember,
    Assessment,
    AssessmentRating,
    Evidence,
    Question,
    Role,
)
from db.storage import write_private

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
ALLOWED_MIME: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_MAX_STEM = 60
# The name a file gets when the sender's name leaves nothing usable, by detected type.
_DEFAULT_STEM = {"application/pdf": "dokumen"}
_UNSAFE = re.compile(r"[^\w-]+")


class FileTooLarge(Invalid):
    """Over MAX_BYTES; the wrapper shows the reason translated, after "Maaf, "."""

    def __init__(self) -> None:
        super().__init__(N_("this file is larger than 10 MB. Please send a smaller photo."))


class FileUnsupported(Invalid):
    """Not a JPEG, PNG, WebP or PDF (by its declared type or by its bytes)."""

    def __init__(self) -> None:
        super().__init__(
            N_("we cannot keep this kind of file. Please send a photo (JPG/PNG) or a PDF.")
        )


def check_file(mime: str | None, size: int | None) -> str:
    """The normalised mime type when acceptable; Invalid with a polite reason otherwise."""
    normal = (mime or "").split(";")[0].strip().lower()
    if normal == "image/jpg":
        normal = "image/jpeg"
    if normal not in ALLOWED_MIME:
        raise FileUnsupported()
    if size is not None and size > MAX_BYTES:
        raise FileTooLarge()
    return normal


def _sniff(data: bytes) -> str | None:
    """The type the bytes really are (a renamed file does not pass as a photo)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def relative_path(sha256: str, mime: str) -> Path:
    return Path("evidence") / sha256[:2] / f"{sha256}.{ALLOWED_MIME[mime]}"


def safe_filename(sent: str | None, mime: str) -> str:
    """The name a file is shown under: the sender's words, no path, the detected type's extension.

    ``../../../../tmp/laporan.html`` holding a PDF becomes ``laporan.pdf``; a name with nothing
    usable left becomes ``dokumen.pdf`` or ``foto.jpg``.
    """
    base = PureWindowsPath(sent or "").name  # splits on both / and \
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    # Letters and digits of any script stay; marks that reorder text (U+202E) and the rest go.
    stem = unicodedata.normalize("NFC", stem)
    stem = _UNSAFE.sub("-", stem).strip("-_")[:_MAX_STEM].strip("-_")
    return f"{stem or _DEFAULT_STEM.get(mime, 'foto')}.{ALLOWED_MIME[mime]}"


def _write(target: Path, data: bytes) -> None:
    if target.exists() and target.stat().st_size == len(data):
        return
    write_private(target, data)


async def save_evidence(
    db: AsyncSession,
    clock: Clock,
    data_dir: Path,
    *,
    person_id: int,
    data: bytes,
    mime: str,
    filename: str | None,
) -> Evidence:
    """Check, store (once per content) and record a file; Invalid for too large/unsupported."""
    check_file(mime, len(data))
    # The bytes decide the stored type (Telegram photos are said to be JPEG); a file whose
    # bytes are none of the allowed kinds is refused whatever its name or declared type.
    actual = _sniff(data)
    if actual is None:
        raise FileUnsupported()
    digest = hashlib.sha256(data).hexdigest()
    existing = await db.scalar(select(Evidence).where(Evidence.sha256 == digest))
    relative = relative_path(digest, actual)
    await asyncio.to_thread(_write, data_dir / relative, data)
    if existing is not None:
        return existing
    evidence = Evidence(
        sha256=digest,
        path=relative.as_posix(),
        size=len(data),
        mime=actual,
        filename=safe_filename(filename, actual) if filename else None,
        person_id=person_id,
        created_at=clock.now(),
    )
    try:
        async with db.begin_nested():  # someone may store the same file at the same moment
            db.add(evidence)
    except IntegrityError:
        again = await db.scalar(select(Evidence).where(Evidence.sha256 == digest))
        if again is None:
            raise
        return again
    return evidence


async def read_evidence(data_dir: Path, evidence: Evidence) -> bytes:
    """The stored bytes of an evidence file."""
    return await asyncio.to_thread((data_dir / evidence.path).read_bytes)


@dataclass(frozen=True)
class StoredFile:
    """An evidence file's bytes, as someone allowed to see it downloads it."""

    id: int
    mime: str
    filename: str
    data: bytes


async def _may_read(
    db: AsyncSession, evidence: Evidence, person_id: int, roles: frozenset[Role]
) -> bool:
    """Coordinators see every file; the sender their own; mentors what came with a question;
    a focal point what their agency's self-assessment holds."""
    if Role.COORDINATOR in roles or evidence.person_id == person_id:
        return True
    if Role.MENTOR in roles and await db.scalar(
        select(Question.id).where(Question.evidence_id == evidence.id).limit(1)
    ):
        return True
    if Role.FOCAL in roles:
        mine = select(AgencyMember.agency_id).where(AgencyMember.person_id == person_id)
        found = await db.scalar(
            select(AssessmentRating.assessment_id)
            .join(Assessment, Assessment.id == AssessmentRating.assessment_id)
            .where(AssessmentRating.evidence_id == evidence.id, Assessment.agency_id.in_(mine))
            .limit(1)
        )
        return found is not None
    return False


async def open_file(
    db: AsyncSession,
    data_dir: Path,
    evidence_id: int,
    *,
    person_id: int,
    roles: frozenset[Role],
) -> StoredFile:
    """One evidence file for a person allowed to see it (NotAllowed otherwise)."""
    found = await db.get(Evidence, evidence_id)
    if found is None:
        raise NotFound()
    if not await _may_read(db, found, person_id, roles):
        raise NotAllowed()
    name = found.filename or found.path.rsplit("/", 1)[-1]
    return StoredFile(found.id, found.mime, name, await read_evidence(data_dir, found))
