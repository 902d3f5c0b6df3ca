"""People, their roles, their open dialogue and the audit trail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    FOCAL = "focal"
    UMKM = "umkm"


class Salutation(enum.StrEnum):
    """How the bot addresses a person before their name: "Ibu Maria", never "Bapak/Ibu Maria"."""

    BAPAK = "bapak"
    IBU = "ibu"


def salutation_column() -> Enum:
    return Enum(
        Salutation, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e]
    )


class RoleSource(enum.StrEnum):
    """Where a role came from: the setting's roles follow BOT_COORDINATORS at each start."""

    SETTING = "setting"  # BOT_COORDINATORS
    INVITATION = "invitation"
    MANUAL = "manual"  # given by a coordinator in the chat, or by the operator


class Person(Base):
    """Someone the bot knows: identified by their Telegram user id."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    # Chosen by whoever invited them, corrected by the person (/sapaan); None: the name alone.
    salutation: Mapped[Salutation | None] = mapped_column(salutation_column())
    consent_at: Mapped[datetime | None]
    # Set when Telegram answers 403: the person blocked the bot; cleared when they write again.
    unreachable_since: Mapped[datetime | None]
    # Set by a coordinator: the person keeps their data but is answered "access paused" and
    # sent nothing until reactivated.
    deactivated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))


class PersonRole(Base):
    __tablename__ = "person_role"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    granted_at: Mapped[datetime]
    source: Mapped[RoleSource] = mapped_column(
        Enum(
            RoleSource,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=RoleSource.INVITATION,
        server_default=RoleSource.INVITATION.value,
    )
    person: Mapped[Person] = relationship(back_populates="roles")


class DialogueState(Base):
    """The step of a multi-step dialogue, kept here so a restart or another worker resumes it."""

    __tablename__ = "dialogue_state"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class AuditEvent(Base):
    """What happened, by whom (`person_id`), when: the trail a coordinator can be shown.

    Ids and codes only, never what someone wrote: the trail outlives a person's deletion.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    # Whom the event concerns when someone else did it (a coordinator changing a role).
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
