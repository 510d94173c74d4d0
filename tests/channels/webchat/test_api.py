"""The web chat simulator's HTTP API on a real loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.composition import Bot
from bot.web import create_app


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(bot)
    app.on_cleanup.clear()  # the bot fixture closes the bot
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_page_is_served_with_a_label_for_the_input(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/")
    body = await response.text()
    assert response.status == 200
    assert 'for="text"' in body and 'lang="id"' in body


async def test_health_endpoints_answer(client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200


async def test_text_message_gets_replies_with_keys(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/chat", json={"user": "w1", "text": "syarat jd tkw apa aja"})
    data = await response.json()
    assert response.status == 200
    assert [r["key"] for r in data["replies"]] == ["welcome", "requirements"]


async def test_button_message_gets_its_entry(client: TestClient) -> None:  # type: ignore[type-arg]
    await client.post("/api/chat", json={"user": "w1", "text": "halo"})
    response = await client.post("/api/chat", json={"user": "w1", "button": "costs"})
    assert [r["key"] for r in (await response.json())["replies"]] == ["costs"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"text": "no user"}',
                                  b'{"user": "", "text": "x"}'])
async def test_malformed_request_gets_400(client: TestClient, body: bytes) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/chat", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_huge_request_is_refused(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/chat", json={"user": "w1", "text": "a" * 200_000})
    assert response.status == 413
