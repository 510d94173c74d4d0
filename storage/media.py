"""The media store: files users send (photos, PDFs), kept durably and deletable.

Bytes are written to a folder (JALUR_AMAN_MEDIA_DIR) under a random id, never under a
name the user chose; the `media` row holds what the bot knows of the file. A file is
accepted only when its bytes really are one of the allowed types (JPEG, PNG, WebP, GIF,
PDF: sniffed from the content, whatever the sender claimed) and it is within the size
limit. Callers: the channels (files arriving from Telegram, WhatsApp and the web chat),
the complaint intake (evidence), the advert checker (pictures read by OCR), the dashboard
(thumbnails and downloads), deletion of a user's data and the retention sweep.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.base import utcnow
from storage.models.media import Media

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
REF_PREFIX = "media:"


class MediaRejected(ValueError):
    """The file is not an allowed type or is too large; `reason` is "type" or "size"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff_mime(data: bytes) -> str | None:
    """The real type of `data` from its first bytes, or None when not an allowed type."""
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_image(mime: str) -> bool:
    return mime.startswith("image/")


@dataclass(frozen=True, slots=True)
class MediaStore:
    """Where the bytes live and how large a file may be."""

    root: Path
    max_bytes: int = 10 * 1024 * 1024

    def path(self, media_id: str) -> Path:
        if not media_id.isalnum():
            raise ValueError("bad media id")
        return self.root / media_id[:2] / media_id

    async def save(self, session: AsyncSession, data: bytes, *, channel: str,
                   user_id: int | None, source: str | None = None) -> Media:
        """Check and store `data`; the row is added to the caller's transaction. The file
        is written first, so a committed row always has its bytes."""
        if len(data) > self.max_bytes:
            raise MediaRejected("size")
        mime = sniff_mime(data)
        if mime is None:
            raise MediaRejected("type")
        media_id = secrets.token_hex(16)
        path = self.path(media_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        row = Media(id=media_id, user_id=user_id, channel=channel, source=source,
                    mime=mime, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        session.add(row)
        return row

    def read(self, media_id: str) -> bytes | None:
        path = self.path(media_id)
        return path.read_bytes() if path.exists() else None

    def unlink(self, media_ids: list[str]) -> None:
        """Remove files whose rows were never committed (a rolled-back save)."""
        for media_id in media_ids:
            self.path(media_id).unlink(missing_ok=True)

    async def delete_for_user(self, session: AsyncSession, user_id: int) -> int:
        """Delete every file of one user (erasure on request); returns how many."""
        ids = list((await session.scalars(
            select(Media.id).where(Media.user_id == user_id))).all())
        await session.execute(delete(Media).where(Media.user_id == user_id))
        self.unlink(ids)
        return len(ids)

    async def delete_older_than(self, session: AsyncSession, days: int,
                                now: datetime | None = None) -> int:
        """Retention sweep: delete files older than `days`; returns how many."""
        cutoff = (now or utcnow()) - timedelta(days=days)
        ids = list((await session.scalars(
            select(Media.id).where(Media.created_at < cutoff))).all())
        await session.execute(delete(Media).where(Media.id.in_(ids)))
        self.unlink(ids)
        return len(ids)


async def get(session: AsyncSession, ref: str) -> Media | None:
    """The row of a "media:<id>" reference (as kept in Message.meta["media"] and in
    complaint evidence), or None for another kind of reference."""
    if not ref.startswith(REF_PREFIX):
        return None
    return await session.get(Media, ref[len(REF_PREFIX):])


def ref(media: Media) -> str:
    return REF_PREFIX + media.id
