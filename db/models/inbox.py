"""Every update is a row first: stored before Telegram is told, marked when handled."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class InboxOutcome(enum.StrEnum):
    HANDLED = "handled"  # a handler ran; the mark committed with its effects
    SKIPPED = "skipped"  # a guard stopped it, nothing took it, or the handler failed
    DROPPED = "dropped"  # flood control: recorded, not processed


class InboxUpdate(Base):
    """One update from Telegram, kept until it has been handled (and a while after)."""

    __tablename__ = "inbox_update"

    # Telegram's id: a redelivered update finds its row and is skipped.
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    # NULL until handled: the start-up query reads these; pruning reads old ones.
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[InboxOutcome | None] = mapped_column(
        Enum(
            InboxOutcome,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
