"""Fetching the files users send (photos, PDFs) into the media store, before their turn.

A webhook stores an update with files as `media_state = "pending"`; the inbox worker
calls `MediaFetcher.fetch_pending()` before each batch. The downloads run outside any
database transaction; then one short transaction stores each file (MediaStore.save checks
its real type and size) and records, in the update's payload, which store reference
("media:<id>") replaced which platform reference. The turn that answers the update sees
the store references in Message.meta["media"] (`apply`).

Pictures are read (OCR, `reader`) right after their download, still outside any database
transaction, and the text is recorded with the file in the same short transaction: the
turn checks that text and never holds a transaction or a connection while OCR runs. A
crash before that transaction commits leaves the update pending: it is fetched and read
again, then answered.

A download that fails keeps the platform reference (the update is answered all the same,
never lost) and `retry_evidence` tries again later for complaint evidence still holding
one; a file of a refused type or size becomes "rejected:<reason>" (nothing to fetch).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.core.messages import Message
from storage import media
from storage.media import MediaRejected, MediaStore, is_image, sniff_mime
from storage.repositories import inbox
from storage.repositories.complaint_records import platform_evidence, set_evidence_ref
from storage.repositories.users import get_or_create_user

log = logging.getLogger(__name__)
REJECTED = "rejected:"
# Reads a picture's bytes into what its turn needs, e.g. {"ocr": text} (blocking: a thread).
Reader = Callable[[bytes], dict[str, str]]
READERS_AT_ONCE = 2  # OCR is CPU-bound: a burst of pictures does not take every core


@runtime_checkable
class Downloader(Protocol):
    channel: str

    def media_refs(self, payload: dict[str, Any]) -> list[str]:
        """The platform references ("telegram:<file_id>", "whatsapp:<id>") of an update."""

    async def download(self, ref: str, max_bytes: int) -> bytes:
        """The file's bytes; raises on failure (MediaRejected("size") when too large)."""


class _Lost(Exception):
    """Another worker recorded this update's files first."""


class MediaFetcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], store: MediaStore,
                 downloader: Downloader, reader: Reader | None = None) -> None:
        self.sessions = sessions
        self.store = store
        self.downloader = downloader
        self.reader = reader
        self._reading = asyncio.Semaphore(READERS_AT_ONCE)

    async def fetch_pending(self, limit: int = 16) -> int:
        """Fetch the files of pending updates; returns how many updates were settled."""
        async with self.sessions() as session:
            rows = [(r.id, r.user_id, dict(r.payload)) for r in
                    await inbox.media_pending(session, self.downloader.channel, limit=limit)]
        # Concurrently: a slow platform delays the batch by one download, not by all.
        await asyncio.gather(*(self._fetch_row(*row) for row in rows))
        return len(rows)

    async def _fetch_row(self, row_id: int, chat: str, payload: dict[str, Any]) -> None:
        got = {ref: await self._download(ref) for ref in self.downloader.media_refs(payload)}
        read = {ref: await self._read(data) for ref, data in got.items()}  # no transaction
        saved: list[str] = []
        try:
            async with writing(self.sessions), self.sessions() as session, session.begin():
                user = await get_or_create_user(session, self.downloader.channel, chat)
                fetched = {ref: await self._save(session, ref, data, user.id, saved)
                           for ref, data in got.items()}
                for ref, item in fetched.items():
                    if "mime" in item and read[ref]:  # stored: what was read goes with it
                        item["read"] = read[ref]
                state = "failed" if any("error" in f for f in fetched.values()) else "done"
                if not await inbox.set_media(session, row_id, fetched, state=state):
                    raise _Lost()
        except _Lost:
            self.store.unlink(saved)  # rolled back: no row points at these files
        except Exception:
            self.store.unlink(saved)
            log.exception("media %s: could not record the files of update %s",
                          self.downloader.channel, row_id)
            failed = {ref: {"ref": ref, "error": "fetch"} for ref in got}
            async with writing(self.sessions), self.sessions() as session, session.begin():
                await inbox.set_media(session, row_id, failed, state="failed")  # not held

    async def _download(self, ref: str) -> bytes | Exception:
        try:
            return await self.downloader.download(ref, self.store.max_bytes)
        except Exception as exc:  # kept as the platform reference, retried later
            log.warning("media %s: fetching %s failed: %r", self.downloader.channel, ref, exc)
            return exc

    async def _read(self, data: bytes | Exception) -> dict[str, str]:
        """The reader's result for a picture of allowed size ({} for other files)."""
        if self.reader is None or isinstance(data, Exception) \
                or len(data) > self.store.max_bytes or not is_image(sniff_mime(data) or ""):
            return {}
        async with self._reading:
            try:
                return await asyncio.to_thread(self.reader, data)
            except Exception:  # never lose the update: its turn asks for the text
                log.exception("media %s: reading a picture failed", self.downloader.channel)
                return {"ocr_error": "unreadable"}

    async def _save(self, session: AsyncSession, ref: str, data: bytes | Exception,
                    user_id: int | None, saved: list[str]) -> dict[str, Any]:
        if isinstance(data, MediaRejected):
            return {"ref": REJECTED + data.reason}
        if isinstance(data, Exception):
            return {"ref": ref, "error": "fetch"}
        try:
            row = await self.store.save(session, data, channel=self.downloader.channel,
                                        user_id=user_id, source=ref)
        except MediaRejected as exc:
            return {"ref": REJECTED + exc.reason}
        saved.append(row.id)
        return {"ref": media.ref(row), "mime": row.mime, "size": row.size}

    async def retry_evidence(self, limit: int = 50) -> int:
        """Fetch complaint evidence still held as a platform reference (its download
        failed when it arrived); returns how many were stored now."""
        prefix = f"{self.downloader.channel}:"
        async with self.sessions() as session:
            pending = await platform_evidence(session, prefix, limit=limit)
        stored = 0
        for evidence_id, ref, user_id in pending:
            data = await self._download(ref)
            if isinstance(data, Exception) and not isinstance(data, MediaRejected):
                continue
            saved: list[str] = []
            try:
                async with writing(self.sessions), self.sessions() as session, session.begin():
                    item = await self._save(session, ref, data, user_id, saved)
                    await set_evidence_ref(session, evidence_id, item["ref"],
                                           mime=item.get("mime"), size=item.get("size"))
            except Exception:
                self.store.unlink(saved)
                log.exception("media %s: could not store evidence %s",
                              self.downloader.channel, evidence_id)
                continue
            stored += 1
        return stored


def apply(message: Message, payload: dict[str, Any]) -> Message:
    """The message with its platform media references replaced by the fetched ones, and
    what was read from each picture in meta["read"] (store reference -> {"ocr": ...}),
    apart from the items (complaint evidence keeps only the file)."""
    fetched = payload.get("_media")
    items: Sequence[Any] = message.meta.get("media") or []
    if not isinstance(fetched, dict) or not items:
        return message
    replaced = []
    for item in items:
        found = fetched.get(item.get("ref")) if isinstance(item, dict) else None
        if not isinstance(found, dict):
            replaced.append(item)
            continue
        found = dict(found)
        read = found.pop("read", None)
        replaced.append({**item, **found})
        if isinstance(read, dict):
            message.meta.setdefault("read", {})[str(found.get("ref"))] = read
    message.meta["media"] = replaced
    return message
