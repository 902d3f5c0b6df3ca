"""A business's journey: guidance read, checklist runs and answers, evidence files."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import text

from db.models.base import Base


class RunState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # a kept version: never changed again


class AnswerValue(enum.StrEnum):
    YES = "ya"
    PARTLY = "sebagian"
    NO = "belum"
    # Only on items the content flags `not_applicable` (e.g. halal for a non-halal product):
    # left out of the score on both sides of the fraction and out of the next steps.
    NOT_APPLICABLE = "tidak_berlaku"


def _enum(cls: type[enum.StrEnum], length: int = 16) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class GuidanceProgress(Base):
    """Where a business is in one guidance module (resumed there next time)."""

    __tablename__ = "guidance_progress"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, default=0)  # 0-based index of the step shown
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Evidence(Base):
    """A photo or document a person sent as evidence, stored once per content hash."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(200))  # relative to the data directory
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]


class ChecklistRun(Base):
    """One filling-in of a sector checklist; once submitted it is a kept version."""

    __tablename__ = "checklist_run"
    __table_args__ = (
        # At most one run in progress per business.
        Index(
            "uq_checklist_run_open",
            "business_id",
            unique=True,
            sqlite_where=text("state = 'in_progress'"),
            postgresql_where=text("state = 'in_progress'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    checklist_id: Mapped[str] = mapped_column(String(24))
    version: Mapped[int]
    state: Mapped[RunState] = mapped_column(_enum(RunState), default=RunState.IN_PROGRESS)
    position: Mapped[str | None] = mapped_column(String(16))  # item id shown last
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    # Overall score in whole percent, fixed at submission.
    score: Mapped[int | None]


class ChecklistAnswer(Base):
    """The answer to one item in one run (a note or photo may come before the value)."""

    __tablename__ = "checklist_answer"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_run.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[AnswerValue | None] = mapped_column(_enum(AnswerValue))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="SET NULL"), index=True
    )
    answered_at: Mapped[datetime | None]
    # True when the value was carried over from the last submitted version, not yet confirmed.
    carried: Mapped[bool] = mapped_column(default=False)
