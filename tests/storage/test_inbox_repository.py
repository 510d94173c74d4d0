"""The durable inbox keeps updates whole (no trimming past 32 KiB), holds a user whose
oldest update still waits for its files, and keeps an unanswerable update as failed."""

from __future__ import annotations

from storage import db
from storage.repositories import inbox


async def test_large_update_is_stored_whole(database_url: str) -> None:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    payload = {"update_id": 1, "message": {"text": "halo", "pad": "x" * 60_000}}
    try:
        async with sessions() as session, session.begin():
            assert await inbox.store(session, "telegram", "1", "9", payload)
        async with sessions() as session:
            [row] = await inbox.pending(session, "telegram")
        assert row.payload == payload
    finally:
        await engine.dispose()


async def test_files_pending_hold_the_user_in_order(database_url: str) -> None:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await inbox.store(session, "whatsapp", "a", "u1", {"n": 1}, media=True)
            await inbox.store(session, "whatsapp", "b", "u1", {"n": 2})
            await inbox.store(session, "whatsapp", "c", "u2", {"n": 3})
        async with sessions() as session, session.begin():
            heads = await inbox.lock_heads(session, "whatsapp")
            assert [r.update_id for r in heads] == ["c"]  # u1 waits for its photo
            [waiting] = await inbox.media_pending(session, "whatsapp")
            assert await inbox.set_media(session, waiting.id, {"whatsapp:1": {"ref": "m"}},
                                         state="done")
            assert not await inbox.set_media(session, waiting.id, {}, state="done")
        async with sessions() as session, session.begin():
            heads = await inbox.lock_heads(session, "whatsapp")
            assert [r.update_id for r in heads] == ["a", "c"]
            assert heads[0].payload["_media"] == {"whatsapp:1": {"ref": "m"}}
    finally:
        await engine.dispose()


async def test_unanswerable_update_is_kept_as_failed(database_url: str) -> None:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            assert await inbox.store_unanswerable(session, "whatsapp", "w1", {"m": 1},
                                                  "no sender id")
            assert not await inbox.store_unanswerable(session, "whatsapp", "w1", {"m": 1},
                                                      "no sender id")
        async with sessions() as session:
            assert await inbox.counts(session, "whatsapp") == {"failed": 1}
    finally:
        await engine.dispose()
