"""The ISO 18091 self-assessment: one per agency and period, a traffic light per indicator."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class AssessmentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Light(enum.StrEnum):
    """The traffic light of one indicator (merah / kuning / hijau)."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


def _enum(cls: type[enum.StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Assessment(Base):
    """An agency's self-assessment for one period ("2026-Q4"); every period is kept."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("agency_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8))
    state: Mapped[AssessmentState] = mapped_column(_enum(AssessmentState))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None]


class AssessmentRating(Base):
    """One indicator of one assessment: its light, a note, a photo; last writer wins."""

    __tablename__ = "assessment_rating"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(String(8), primary_key=True)  # I01 … L09
    light: Mapped[Light | None] = mapped_column(_enum(Light))  # None: a note or photo only
    note: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime]


class AssessmentCursor(Base):
    """Where a focal point left an assessment (quadrant and page), so it reopens there."""

    __tablename__ = "assessment_cursor"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    quadrant: Mapped[int]
    page: Mapped[int]
    updated_at: Mapped[datetime]
