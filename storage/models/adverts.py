"""Job adverts users reported from the advert check ("Laporkan lowongan ini")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AdvertReport(Base):
    """The advert's text (OCR text for a picture), its flags and risk, the reporter's
    district when known. `user_id` only lets "hapus data saya" detach the report; staff
    pages never show who reported."""

    __tablename__ = "advert_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(64), index=True)
    risk: Mapped[str] = mapped_column(String(10))
    flags: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str | None] = mapped_column(String(100), default=None)
    channel: Mapped[str | None] = mapped_column(String(20), default=None)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
