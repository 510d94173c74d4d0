"""The web chat's message ids and its behaviour without a database: a retried message id
is answered with the stored replies (one turn, also when the retries race), and while the
database is down an emergency is still answered from content loaded at start, anything
else gets 503 naming the static hotline page, which is served without the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.composition import Bot, build_bot
from bot.core.content import Content
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models.channels import ChatReply

Client = TestClient  # type: ignore[type-arg]
HOTLINE = Content.load(PROJECT_ROOT / "content").contacts["kp2mi_hotline"]


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[Client]:
    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_a_retried_message_id_gets_the_stored_replies(client: Client, bot: Bot) -> None:
    first = await (await client.post("/api/chat", json={"text": "halo", "id": "m-1"})).json()
    auth = {"Authorization": f"Bearer {first['token']}"}
    body = {"button": "complaint", "id": "m-2"}
    answers = await asyncio.gather(*(client.post("/api/chat", json=body, headers=auth)
                                     for _ in range(5)))
    replies = [(await a.json())["replies"] for a in answers]
    assert all(a.status == 200 for a in answers)
    assert all(r == replies[0] for r in replies) and replies[0][0]["key"] == "complaint.consent"
    again = await client.post("/api/chat", headers={**auth, "Idempotency-Key": "m-2"},
                              json={"button": "complaint"})
    assert (await again.json())["replies"] == replies[0]
    async with bot.sessions() as db:
        stored = (await db.execute(select(func.count()).select_from(ChatReply))).scalar_one()
    assert stored == 2
    bad = await client.post("/api/chat", json={"text": "x", "id": {"a": 1}}, headers=auth)
    assert bad.status == 400


@pytest.fixture
async def offline_client(nlu: NLU) -> AsyncIterator[Client]:
    """The app with its database unreachable (nothing listens on port 9)."""
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                        cache_dir=PROJECT_ROOT / "var" / "cache", seed_demo_data=False,
                        secret_key="offline")
    bot = await build_bot(settings, migrate=False, nlu=nlu)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as test_client:
        yield test_client


async def test_emergencies_are_answered_while_the_database_is_down(
        offline_client: Client) -> None:
    for body, key in (({"button": "emergency"}, "emergency"),
                      ({"text": "tolong saya disekap majikan"}, "emergency.confined")):
        response = await offline_client.post("/api/chat", json=body)
        data = await response.json()
        assert response.status == 200, data
        assert [r["key"] for r in data["replies"]] == [key] and data["degraded"]
        assert HOTLINE in data["replies"][0]["text"]
    other = await offline_client.post("/api/chat", json={"text": "syarat kerja ke taiwan"})
    assert other.status == 503
    assert (await other.json())["hotline"] == "/darurat"


async def test_the_hotline_page_needs_no_database(offline_client: Client) -> None:
    page = await offline_client.get("/darurat")
    html = await page.text()
    assert page.status == 200 and 'data-key="emergency"' in html and HOTLINE in html
