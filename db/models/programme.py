"""The programme's participants: businesses, agencies and their focal points, invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.models.people import Role, Salutation, salutation_column


class Business(Base):
    """A mentored UMKM (one pilot business)."""

    __tablename__ = "business"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(16))  # a key of content/sectors.yaml
    owner_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Filled when the owner accepts the invitation.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    # Preferred local hour (WITA) for nudges; None until the owner chooses.
    nudge_hour: Mapped[int | None]
    profile_confirmed_at: Mapped[datetime | None]
    last_active_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Agency(Base):
    """A perangkat daerah in the pilot (Sekretariat Daerah, RSUD S.K. Lerik, ...)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class AgencyMember(Base):
    """A focal point of an agency; an agency may have several."""

    __tablename__ = "agency_member"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    since: Mapped[datetime]


class Invitation(Base):
    """A single-use, expiring deep link; only the hash of its code is kept."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    invitee_name: Mapped[str] = mapped_column(String(120))
    # How the invitee is addressed; given to the person when they join.
    salutation: Mapped[Salutation | None] = mapped_column(salutation_column())
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # A coordinator withdrew the link (or replaced it with a new one) before it was used.
    cancelled_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
