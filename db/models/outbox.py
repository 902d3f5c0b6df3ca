"""Everything the bot sends later is a row first: reminders, escalations, notifications."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import text

from db.models.base import Base


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # held by one dispatcher, not tried yet
    SENDING = "sending"  # its send has started: if no outcome follows, it becomes unknown
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot
    FAILED = "failed"  # gave up after the last attempt, reason in `error`
    UNKNOWN = "unknown"  # a send started and no answer was recorded: maybe delivered
    SKIPPED = "skipped"  # made pointless (acknowledged, superseded, cancelled)


class OutboxMessage(Base):
    """One message for one person, due at a moment; the dispatcher claims and sends it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The same reminder cannot be planned twice.
        UniqueConstraint("kind", "recipient_id", "dedupe_key"),
        # The dispatcher's one query: due pending rows, oldest first.
        Index("ix_outbox_message_state_due_at", "state", "due_at"),
        # One broadcast's rows (all share its key), counted by state for its progress view.
        Index("ix_outbox_message_kind_dedupe_key_state", "kind", "dedupe_key", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]
    state: Mapped[OutboxState] = mapped_column(
        Enum(
            OutboxState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set when claimed more than an hour after due_at (downtime): a composer may say so.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
