"""Programme deadlines for the agencies, their answers, and extension requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


def _enum(cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class DeadlineKind(enum.StrEnum):
    DOCUMENT = "document"
    REPORT = "report"
    SELF_ASSESSMENT = "self_assessment"


class Recurrence(enum.StrEnum):
    NONE = "none"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class AckStatus(enum.StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NEEDS_HELP = "needs_help"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Deadline(Base):
    """Something an agency (or every agency, `agency_id` None) must deliver by `due_at`.

    A recurring deadline is a series of rows: the first occurrence is its own `series_id`,
    each next one names the occurrence it follows in `previous_id`, unique, so two processes
    rolling the series forward at once cannot both create the next occurrence.
    """

    __tablename__ = "deadline"
    __table_args__ = (UniqueConstraint("series_id", "occurrence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind, 20))
    recurrence: Mapped[Recurrence] = mapped_column(_enum(Recurrence))
    # Reminder rule: days before the deadline ("7,3,1,0") at a local hour and minute.
    reminder_days: Mapped[str] = mapped_column(String(40), default="7,3,1,0")
    reminder_hour: Mapped[int] = mapped_column(Integer, default=8)
    reminder_minute: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change of date or title: planned rows carry it in their dedupe key.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # The series of a recurring deadline (its first occurrence's id) and this one's number.
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("deadline.id", ondelete="SET NULL"), index=True
    )
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("deadline.id", ondelete="SET NULL"), unique=True
    )


class DeadlineOverride(Base):
    """An agency's own due date for a deadline (an approved extension)."""

    __tablename__ = "deadline_override"

    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadline.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]


class DeadlineAck(Base):
    """A focal point's answer to a deadline: done, in progress, or needs help."""

    __tablename__ = "deadline_ack"
    __table_args__ = (UniqueConstraint("deadline_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadline.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[AckStatus] = mapped_column(_enum(AckStatus))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class ExtensionRequest(Base):
    """A focal point asks for more time; a coordinator approves or declines."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadline.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    new_due_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(_enum(ExtensionStatus))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
