"""Files users sent (photos, PDFs): one row per stored file; the bytes live in the media
folder (JALUR_AMAN_MEDIA_DIR), named by the row's id, never by anything the user chose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Media(Base):
    """A stored file. `source` is the platform's reference it came from (e.g.
    "telegram:<file_id>", "whatsapp:<media id>", "web:upload"); `sha256` finds re-sends."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(300), default=None)
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
