"""Questions a business asks its mentors, and the one answer each gets."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"  # still open, and the coordinators were told (two working days)
    ANSWERED = "answered"


class Question(Base):
    """One question from a business to the mentors."""

    __tablename__ = "question"
    __table_args__ = (
        # /pertanyaan: open questions, oldest first.
        Index("ix_question_status_asked_at", "status", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # What the question is about: a guidance module id or a checklist item id; None: general.
    topic_ref: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # empty for a voice message without a caption
    # A voice message, relayed by Telegram's file id (the bot never downloads it), and its
    # length in seconds, shown before anyone plays it.
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    voice_seconds: Mapped[int | None]
    # A photo sent with the question (an evidence row), when there is one.
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="SET NULL"), index=True
    )
    asked_at: Mapped[datetime]
    status: Mapped[QuestionStatus] = mapped_column(
        Enum(
            QuestionStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=QuestionStatus.OPEN,
    )
    escalated_at: Mapped[datetime | None]


class QuestionAnswer(Base):
    """A mentor's answer; one per question (the first mentor wins, nothing is overwritten)."""

    __tablename__ = "question_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), unique=True
    )
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    mentor_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # empty for a voice message without a caption
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    voice_seconds: Mapped[int | None]
    answered_at: Mapped[datetime]
