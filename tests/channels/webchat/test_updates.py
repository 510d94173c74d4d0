"""Staff replies reach the web chat through GET /api/chat/updates; outbox delivery helper."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.outbox import RecordingSender, deliver_pending
from bot.channels.webchat.identity import ChatIdentity
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


async def _new_chat(client: TestClient) -> tuple[str, str]:  # type: ignore[type-arg]
    """A chat the server issued: (user id, token)."""
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    return token.partition(".")[0], token


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _keys(client: TestClient, token: str) -> list[str]:  # type: ignore[type-arg]
    response = await client.get("/api/chat/updates", headers=_auth(token))
    assert response.status == 200
    return [r["key"] for r in (await response.json())["replies"]]


async def test_updates_return_pending_replies_once(
        client: TestClient, bot: Bot) -> None:  # type: ignore[type-arg]
    user, token = await _new_chat(client)
    await _queue(bot, "web", user, "complaint.staff_reply")
    first = await (await client.get("/api/chat/updates", headers=_auth(token))).json()
    assert [r["key"] for r in first["replies"]] == ["complaint.staff_reply"]
    assert first["replies"][0]["id"]
    assert await _keys(client, token) == []


async def test_updates_return_only_the_token_owners_replies(
        client: TestClient, bot: Bot) -> None:  # type: ignore[type-arg]
    alice, alice_token = await _new_chat(client)
    bob, bob_token = await _new_chat(client)
    await _queue(bot, "web", alice, "for.alice")
    await _queue(bot, "web", bob, "for.bob")
    await _queue(bot, "console", alice, "other.channel")
    assert await _keys(client, alice_token) == ["for.alice"]
    assert await _keys(client, bob_token) == ["for.bob"]


async def test_updates_refuse_missing_forged_and_user_id_only_requests(
        client: TestClient, bot: Bot) -> None:  # type: ignore[type-arg]
    victim, victim_token = await _new_chat(client)
    _, attacker_token = await _new_chat(client)
    await _queue(bot, "web", victim, "complaint.staff_reply")
    attacker_mac = attacker_token.partition(".")[2]
    attempts: list[dict[str, str]] = [
        {}, _auth(victim), _auth(f"{victim}.{attacker_mac}"),
        _auth(ChatIdentity(b"another secret").issue()[1]), {"Authorization": "Bearer"}]
    for headers in attempts:
        response = await client.get("/api/chat/updates", params={"user": victim},
                                    headers=headers)
        assert response.status == 401, headers
        assert "replies" not in await response.json()
    assert await _keys(client, victim_token) == ["complaint.staff_reply"]  # still pending


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
