"""GET /api/chat/history: a returning web chat user's turns and staff replies, only theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.composition import Bot
from bot.web import create_app
from storage.models.transcript import ChatTurn
from storage.repositories import outbox, transcript

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _history(client: Client, token: str) -> list[dict[str, object]]:
    response = await client.get("/api/chat/history", headers=_auth(token))
    assert response.status == 200
    entries: list[dict[str, object]] = (await response.json())["entries"]
    return entries


async def test_history_returns_the_users_turns_with_reply_keys(client: Client) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    await client.post("/api/chat", json={"button": "costs", "title": "Biaya"},
                      headers=_auth(token))
    entries = await _history(client, token)
    assert [e["said"] for e in entries] == [{"text": "halo"}, {"text": "Biaya"}]
    assert [[r["key"] for r in e["replies"]] for e in entries] == [["welcome"], ["costs"]]  # type: ignore[attr-defined]


async def test_history_includes_staff_replies(client: Client, bot: Bot) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    async with bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel="web", external_user_id=token.partition(".")[0],
                             payload={"key": "complaint.staff_reply", "text": "x",
                                      "buttons": []})
    entries = await _history(client, token)
    assert entries[-1]["pushed"]["key"] == "complaint.staff_reply"  # type: ignore[index]
    assert entries[-1]["id"]


async def test_history_is_only_the_token_owners(client: Client) -> None:
    alice = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    bob = (await (await client.post("/api/chat", json={"text": "biaya"})).json())["token"]
    assert [e["said"] for e in await _history(client, alice)] == [{"text": "halo"}]
    assert [e["said"] for e in await _history(client, bob)] == [{"text": "biaya"}]
    for headers in ({}, _auth(alice.partition(".")[0]), _auth(f"{alice[:-2]}xx")):
        assert (await client.get("/api/chat/history", headers=headers)).status == 401


async def test_history_keeps_the_last_fifty_turns(client: Client) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    for i in range(transcript.KEEP + 3):
        await client.post("/api/chat", json={"text": f"biaya {i}"}, headers=_auth(token))
    entries = await _history(client, token)
    assert len(entries) == transcript.KEEP
    assert entries[-1]["said"] == {"text": f"biaya {transcript.KEEP + 2}"}


async def test_deleting_personal_data_forgets_the_transcript(client: Client, bot: Bot) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    await client.post("/api/chat", json={"text": "hapus data saya"}, headers=_auth(token))
    await client.post("/api/chat", json={"button": "delete_data:yes"}, headers=_auth(token))
    assert (await client.get("/api/chat/history", headers=_auth(token))).status == 401
    async with bot.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(ChatTurn))).scalar_one() == 0
