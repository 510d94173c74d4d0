"""The web chat transcript keeps a user's newest turns, merges staff replies by time, and
forgets a user on request (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import db
from storage.models.core import User
from storage.repositories import outbox, transcript


async def _sessions_with_user(database_url: str
                              ) -> tuple[async_sessionmaker[AsyncSession], int, AsyncEngine]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        user = User(channel="web", external_id="web-u1", state={})
        session.add(user)
        await session.flush()
        return sessions, user.id, engine


def _reply(key: str) -> dict[str, object]:
    return {"key": key, "text": key, "buttons": []}


async def test_only_the_newest_turns_are_kept(database_url: str) -> None:
    sessions, user_id, engine = await _sessions_with_user(database_url)
    for i in range(transcript.KEEP + 5):
        async with sessions() as session, session.begin():
            await transcript.record(session, user_id, {"text": str(i)}, [_reply("k")])
    async with sessions() as session:
        entries = await transcript.history(session, user_id, "web", "web-u1")
    assert [e["said"]["text"] for e in entries] == [
        str(i) for i in range(5, transcript.KEEP + 5)]
    await engine.dispose()


async def test_staff_replies_are_merged_in_time_order_and_forget_clears_turns(
        database_url: str) -> None:
    sessions, user_id, engine = await _sessions_with_user(database_url)
    async with sessions() as session, session.begin():
        await transcript.record(session, user_id, {"text": "a"}, [_reply("first")])
    async with sessions() as session, session.begin():
        await outbox.enqueue(session, channel="web", external_user_id="web-u1",
                             payload=_reply("complaint.staff_reply"))
        await outbox.enqueue(session, channel="web", external_user_id="web-other",
                             payload=_reply("not.mine"))
    async with sessions() as session, session.begin():
        await transcript.record(session, user_id, {"text": "b"}, [_reply("second")])
    async with sessions() as session:
        entries = await transcript.history(session, user_id, "web", "web-u1")
    assert [e.get("said", {}).get("text") or e["pushed"]["key"] for e in entries] == [
        "a", "complaint.staff_reply", "b"]
    async with sessions() as session, session.begin():
        await transcript.forget(session, user_id)
    async with sessions() as session:
        left = await transcript.history(session, user_id, "web", "web-u1")
    assert [e["pushed"]["key"] for e in left] == ["complaint.staff_reply"]
    await engine.dispose()
