"""Staff replies reach the web chat through GET /api/chat/updates; outbox delivery helper."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.outbox import RecordingSender, deliver_pending
from bot.composition import Bot
from bot.web import create_app
from storage.repositories import outbox


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def _queue(bot: Bot, channel: str, user: str, key: str) -> None:
    async with bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel=channel, external_user_id=user,
                             payload={"key": key, "text": "x", "buttons": []})


async def test_updates_return_pending_replies_once(
        client: TestClient, bot: Bot) -> None:  # type: ignore[type-arg]
    await _queue(bot, "web", "w1", "complaint.staff_reply")
    await _queue(bot, "web", "w2", "complaint.staff_reply")
    first = await (await client.get("/api/chat/updates", params={"user": "w1"})).json()
    assert [r["key"] for r in first["replies"]] == ["complaint.staff_reply"]
    assert first["replies"][0]["id"]
    again = await (await client.get("/api/chat/updates", params={"user": "w1"})).json()
    assert again["replies"] == []
    assert (await client.get("/api/chat/updates")).status == 400


async def test_deliver_pending_marks_sent_and_retries_failures(bot: Bot) -> None:
    await _queue(bot, "console", "c1", "a")
    await _queue(bot, "console", "c2", "b")
    await _queue(bot, "web", "w1", "c")
    sender = RecordingSender(fail_for={"c2"})
    assert await deliver_pending(bot.sessions, "console", sender) == 1
    assert [(u, p["key"]) for u, p in sender.sent] == [("c1", "a")]
    sender.fail_for.clear()
    assert await deliver_pending(bot.sessions, "console", sender) == 1
    assert [(u, p["key"]) for u, p in sender.sent] == [("c1", "a"), ("c2", "b")]
    assert await deliver_pending(bot.sessions, "console", sender) == 0
