"""Micro-batched web chat turns: concurrent messages answered together, on SQLite and
PostgreSQL, with each user's order, history, retry ids and deletions kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.channels.webchat import BATCHER_KEY
from bot.channels.webchat.batch import Turn, TurnBatcher
from bot.channels.webchat.turns import said_text
from bot.composition import Bot, build_bot
from bot.core.messages import Message
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models import User
from storage.models.transcript import ChatTurn
from storage.repositories import transcript

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def any_bot(database_url: str, nlu: NLU) -> AsyncIterator[Bot]:
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, rate_limit_chat_per_s=0)
    built = await build_bot(settings, nlu=nlu)
    yield built
    await built.close()


@pytest.fixture
async def client(any_bot: Bot) -> AsyncIterator[Client]:
    app = create_app(any_bot)
    app.on_cleanup.clear()  # the fixture closes the bot
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _start(client: Client) -> str:
    response = await client.post("/api/chat", json={"text": "halo"})
    return str((await response.json())["token"])


async def _said(bot: Bot, user: str) -> list[Any]:
    async with bot.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.external_id == user))
        return [e["said"] for e in await transcript.history(session, user_id, "web", user)]


def _turn(user: str, text: str | None = None, button: str | None = None,
          client_id: str | None = None) -> Turn:
    return Turn(Message("web", user, text=text, button=button), True, client_id,
                said_text(text, button))


async def test_concurrent_messages_of_many_users_are_each_answered_and_kept(
        client: Client, any_bot: Bot) -> None:
    tokens = [await _start(client) for _ in range(12)]
    responses = await asyncio.gather(*(
        client.post("/api/chat", json={"text": f"berapa biaya ke taiwan {n}"},
                    headers=_auth(t)) for n, t in enumerate(tokens)))
    assert [r.status for r in responses] == [200] * len(tokens)
    for response in responses:
        assert (await response.json())["replies"]
    async with any_bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ChatTurn)) \
            == 2 * len(tokens)


async def test_one_users_messages_are_answered_in_arrival_order(any_bot: Bot) -> None:
    batcher = TurnBatcher(any_bot.engine)
    steps = [_turn("u-order", text="halo"), _turn("u-order", button="complaint"),
             _turn("u-order", button="complaint:pick:consent:yes"),
             _turn("u-order", text="biaya 3"), _turn("u-other", text="halo")]
    answers = await asyncio.gather(*(batcher.answer(t) for t in steps))
    keys = [[r["key"] for r in a or []] for a in answers]
    assert keys[1][0].startswith("complaint.")  # the intake started before its consent
    assert keys[2][0] != keys[1][0]  # the consent was answered inside the intake
    assert [s["text"] for s in await _said(any_bot, "u-order")] == [
        "halo", "complaint", "complaint:pick:consent:yes", "biaya 3"]


async def test_a_message_id_sent_twice_at_once_is_answered_by_one_turn(
        client: Client, any_bot: Bot) -> None:
    token = await _start(client)
    body = {"text": "syarat kerja ke malaysia", "id": "m-twice"}
    first, second = await asyncio.gather(*(
        client.post("/api/chat", json=body, headers=_auth(token)) for _ in range(2)))
    assert (await first.json())["replies"] == (await second.json())["replies"]
    user = token.partition(".")[0]
    assert [s["text"] for s in await _said(any_bot, user)] == [
        "halo", "syarat kerja ke malaysia"]


async def test_a_deletion_in_a_batch_keeps_the_other_users_turns(
        client: Client, any_bot: Bot) -> None:
    leaving, staying = await _start(client), await _start(client)
    await client.post("/api/chat", json={"text": "hapus data saya"}, headers=_auth(leaving))
    batcher = client.app[BATCHER_KEY]
    gone, kept = leaving.partition(".")[0], staying.partition(".")[0]
    await asyncio.gather(batcher.answer(_turn(gone, button="delete_data:yes")),
                         batcher.answer(_turn(kept, text="biaya ke taiwan")))
    assert (await client.get("/api/chat/history", headers=_auth(leaving))).status == 401
    assert [s["text"] for s in await _said(any_bot, kept)] == ["halo", "biaya ke taiwan"]
    again = await client.post("/api/chat", json={"text": "halo"}, headers=_auth(leaving))
    assert again.status == 401
