"""Broadcasts: one message a coordinator sends to a chosen audience, one outbox row per person."""

from __future__ import annotations

import enum
from datetime import datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import text as sql

from db.models.base import Base


class BroadcastState(enum.StrEnum):
    DRAFT = "draft"  # being composed: no row planned yet
    SCHEDULED = "scheduled"  # rows planned for a later moment; may be re-timed or cancelled
    SENDING = "sending"  # its moment came: the dispatcher works through the rows
    PAUSED = "paused"  # its unsent rows wait until the coordinator goes on
    DONE = "done"  # no row left to send
    CANCELLED = "cancelled"  # its unsent rows were skipped


class Audience(enum.StrEnum):
    BUSINESSES = "businesses"
    SECTOR = "sector"  # the owners of one sector's businesses
    FOCAL = "focal"
    AGENCY = "agency"  # one agency's focal points
    MENTORS = "mentors"
    COORDINATORS = "coordinators"
    EVERYONE = "everyone"
    PICKED = "picked"  # people a coordinator picked in /orang


class FileKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Broadcast(Base):
    """What a coordinator wrote (Telegram HTML from their entities, a file id) and its audience.

    Each recipient gets one outbox row of kind `broadcast` keyed by this id; the counts of
    people left out are kept from the moment the rows were planned.
    """

    __tablename__ = "broadcast"
    __table_args__ = (
        # The progress job's query: broadcasts that are due or under way.
        Index("ix_broadcast_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)  # Telegram HTML, built from the message's entities
    file_id: Mapped[str | None] = mapped_column(String(200))
    file_kind: Mapped[FileKind | None] = mapped_column(_enum(FileKind))
    audience: Mapped[Audience | None] = mapped_column(_enum(Audience))
    sector: Mapped[str | None] = mapped_column(String(16))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    # Audience `picked`: the person ids picked when the audience was chosen.
    picked: Mapped[list[int] | None] = mapped_column(JSON)
    state: Mapped[BroadcastState] = mapped_column(
        _enum(BroadcastState), default=BroadcastState.DRAFT
    )
    # Sent with allow_paid_broadcast: up to 1,000 messages a second, 0.1 Star each.
    paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql("false"))
    due_at: Mapped[datetime | None]  # when sending starts (or started)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    left_unreachable: Mapped[int] = mapped_column(Integer, default=0)
    left_no_consent: Mapped[int] = mapped_column(Integer, default=0)
    left_paused: Mapped[int] = mapped_column(Integer, default=0)
    # The coordinator's message that shows the progress, and when it was last edited.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_at: Mapped[datetime | None]
    progress_shown: Mapped[str | None] = mapped_column(String(120))  # the counts last shown


class BroadcastPick(Base):
    """A person a coordinator picked in /orang for the audience of their next broadcasts."""

    __tablename__ = "broadcast_pick"

    picker_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]
