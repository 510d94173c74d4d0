"""Village tables: the village registry with referral codes, a user's village or
district attribution, weekly topic counts per village, and agency sightings.

`villages` is keyed by the Kemendagri kode wilayah ("32.01.01.2001"); `referral_code` is
the short code printed on posters and carried by share links. `district_code` is the
kabupaten/kota part of the kode ("32.01").
`user_attribution` holds only where a user said they come from (no personal data).
`topic_counts` are aggregate (week, village, district, intent) counters: the village
dashboard reads only these and other aggregates, never single messages.
`agency_sightings` are anonymous: an agency name a user checked that is not on the
register (or has a licence problem), with district and village, for the early warning.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Village(Base):
    """One desa/kelurahan of the registry."""

    __tablename__ = "villages"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # kode wilayah
    name: Mapped[str] = mapped_column(String(150))
    subdistrict: Mapped[str] = mapped_column(String(150), default="")  # kecamatan
    district_code: Mapped[str] = mapped_column(String(10), index=True)  # "32.01"
    district: Mapped[str] = mapped_column(String(150), index=True)  # kabupaten/kota
    province: Mapped[str] = mapped_column(String(150), default="")
    referral_code: Mapped[str] = mapped_column(String(16), unique=True)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserAttribution(Base):
    """Where a user comes from: a confirmed village and/or a chosen district."""

    __tablename__ = "user_attribution"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    village_code: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    district_code: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    district: Mapped[str | None] = mapped_column(String(150), default=None)
    source: Mapped[str] = mapped_column(String(20), default="referral")  # referral | chosen
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicCount(Base):
    """How many turns of one week were answered with one intent's content, per place."""

    __tablename__ = "topic_counts"
    __table_args__ = (
        UniqueConstraint("week", "village_code", "district_code", "intent",
                         name="uq_topic_counts_week_place_intent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, index=True)  # Monday of the week
    village_code: Mapped[str] = mapped_column(String(20), default="", index=True)
    district_code: Mapped[str] = mapped_column(String(10), default="", index=True)
    intent: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class AgencySighting(Base):
    """An agency name checked in the chat with verdict not_found or license_problem."""

    __tablename__ = "agency_sightings"
    __table_args__ = (Index("ix_agency_sightings_name_key_district", "name_key", "district"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(255))
    query: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(20))
    district_code: Mapped[str | None] = mapped_column(String(10), default=None)
    district: Mapped[str | None] = mapped_column(String(150), default=None)
    village_code: Mapped[str | None] = mapped_column(String(20), default=None)
    channel: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
