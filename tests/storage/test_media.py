"""The media store keeps only real pictures and PDFs within the size limit, durably, and
deletes a user's files on request and old files by retention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import db
from storage import media as media_repo
from storage.media import MediaRejected, MediaStore, sniff_mime
from storage.models.base import utcnow
from storage.models.core import User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%..." + b"\x00" * 64


def test_type_is_sniffed_from_the_bytes_not_the_claim() -> None:
    assert sniff_mime(PNG) == "image/png"
    assert sniff_mime(PDF) == "application/pdf"
    assert sniff_mime(b"MZ\x90\x00 not a picture") is None
    assert sniff_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"


async def _store_with_user(database_url: str, tmp_path: Path
                           ) -> tuple[MediaStore, async_sessionmaker[AsyncSession], int]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        user = User(channel="web", external_id="u1", state={})
        session.add(user)
        await session.flush()
        user_id = user.id
    return MediaStore(tmp_path / "media", max_bytes=1024), sessions, user_id


async def test_saved_file_reads_back_by_its_reference(database_url: str, tmp_path: Path) -> None:
    store, sessions, user_id = await _store_with_user(database_url, tmp_path)
    async with sessions() as session, session.begin():
        row = await store.save(session, PNG, channel="web", user_id=user_id, source="web:upload")
        ref = media_repo.ref(row)
    async with sessions() as session:
        found = await media_repo.get(session, ref)
        assert found is not None and found.mime == "image/png" and found.size == len(PNG)
    assert store.read(found.id) == PNG


async def test_wrong_type_or_too_large_is_refused(database_url: str, tmp_path: Path) -> None:
    store, sessions, user_id = await _store_with_user(database_url, tmp_path)
    async with sessions() as session, session.begin():
        with pytest.raises(MediaRejected) as kind:
            await store.save(session, b"GIF8 but not really", channel="web", user_id=user_id)
        assert kind.value.reason == "type"
        with pytest.raises(MediaRejected) as size:
            await store.save(session, PNG + b"\x00" * 2048, channel="web", user_id=user_id)
        assert size.value.reason == "size"


async def test_user_files_are_deleted_with_their_rows(database_url: str, tmp_path: Path) -> None:
    store, sessions, user_id = await _store_with_user(database_url, tmp_path)
    async with sessions() as session, session.begin():
        row = await store.save(session, PDF, channel="web", user_id=user_id)
        media_id = row.id
    async with sessions() as session, session.begin():
        assert await store.delete_for_user(session, user_id) == 1
    assert store.read(media_id) is None
    assert not list((tmp_path / "media").rglob(media_id))


async def test_retention_deletes_only_old_files(database_url: str, tmp_path: Path) -> None:
    store, sessions, user_id = await _store_with_user(database_url, tmp_path)
    async with sessions() as session, session.begin():
        old = await store.save(session, PNG, channel="web", user_id=user_id)
        old.created_at = utcnow() - timedelta(days=400)
        new = await store.save(session, PDF, channel="web", user_id=user_id)
        old_id, new_id = old.id, new.id
    async with sessions() as session, session.begin():
        assert await store.delete_older_than(session, 365) == 1
    assert store.read(old_id) is None and store.read(new_id) == PDF
