"""What the running processes tell each other through the database: who dispatches, since when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class Heartbeat(Base):
    """The last sign of life of a role only one process holds at a time (the dispatcher)."""

    __tablename__ = "heartbeat"

    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The process holding the role: host, process id and a random part.
    holder: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime]  # when this holder took the role
    beat_at: Mapped[datetime]
