"""The web chat simulator's HTTP API on a real loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.webchat.identity import ChatIdentity
from bot.composition import Bot
from bot.core.villages.service import DEMO_FILE, import_villages
from bot.web import create_app
from storage.models import User
from storage.models.villages import Village


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


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_text_message_gets_replies_with_keys(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/chat", json={"text": "syarat jd tkw apa aja"})
    data = await response.json()
    assert response.status == 200
    assert [r["key"] for r in data["replies"]] == ["requirements", "welcome.brief"]
    assert data["token"].startswith("web-")


async def test_button_message_gets_its_entry(client: TestClient) -> None:  # type: ignore[type-arg]
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    response = await client.post("/api/chat", json={"button": "costs"}, headers=auth(token))
    data = await response.json()
    assert [r["key"] for r in data["replies"]] == ["costs"]
    assert data["token"] == token


async def test_the_server_chooses_the_user_not_the_client(client: TestClient) -> None:  # type: ignore[type-arg]
    """A "user" field is ignored: two requests naming the same user are two new chats."""
    first = await (await client.post("/api/chat", json={"user": "w1", "text": "halo"})).json()
    second = await (await client.post("/api/chat", json={"user": "w1", "text": "halo"})).json()
    assert first["token"] != second["token"]
    users = {first["token"].partition(".")[0], second["token"].partition(".")[0]}
    assert users.isdisjoint({"w1", "web-w1"})  # random ids (which may contain "w1" by chance)
    assert second["replies"][0]["key"] == "welcome"  # not w1's conversation


async def test_forged_or_foreign_tokens_are_refused(client: TestClient) -> None:  # type: ignore[type-arg]
    victim = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    user_id, _, mac = victim.partition(".")
    other = ChatIdentity(b"some other server's secret").issue()[1]
    forged = [user_id, f"{user_id}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
              f"{user_id}.", f"web-{'x' * 22}.{mac}", other, "w1", "é" * 20, "a" * 500]
    for token in forged:
        response = await client.post("/api/chat", json={"button": "costs"}, headers=auth(token))
        assert response.status == 401, token
        assert (await response.json()) == {"error": "invalid_token"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_referral_of_a_start_link_reaches_the_new_chat(
        client: TestClient, bot: Bot) -> None:  # type: ignore[type-arg]
    await import_villages(bot.sessions, DEMO_FILE, demo=True)
    async with bot.sessions() as db:
        village = (await db.execute(select(Village).where(Village.code == "99.01.01.2001"))
                   ).scalar_one()
    response = await client.post("/api/chat", json={"text": "halo",
                                                    "ref": village.referral_code})
    data = await response.json()
    assert data["replies"][-1]["key"] == "village.confirm"
    async with bot.sessions() as db:
        user = (await db.execute(select(User).where(User.channel == "web"))).scalar_one()
    assert data["token"].partition(".")[0] == user.external_id
    assert user.referral == village.referral_code


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"halo"'])
async def test_malformed_request_gets_400(client: TestClient, body: bytes) -> None:
    response = await client.post("/api/chat", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_huge_request_is_refused(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/chat", json={"text": "a" * 200_000})
    assert response.status == 413


def test_identity_round_trip_and_tampering() -> None:
    identity = ChatIdentity(b"k" * 32)
    user_id, token = identity.issue()
    assert identity.verify(token) == user_id and user_id.startswith("web-")
    assert identity.issue()[0] != user_id
    assert ChatIdentity(b"k" * 33).verify(token) is None
    assert identity.verify(token.replace(user_id, identity.issue()[0])) is None
