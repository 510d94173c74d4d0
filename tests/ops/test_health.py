"""`/readyz` (database reachable, migrations current) and the failure guard (503 / 500)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from bot.composition import Bot, build_bot
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from tests.ops.conftest import Client


async def test_ready_on_sqlite_and_postgres(database_url: str, nlu: NLU) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False)
    bot = await build_bot(settings, nlu=nlu)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as client:
        response = await client.get("/readyz")
        assert response.status == 200 and (await response.json())["status"] == "ready"
        async with bot.db_engine.begin() as conn:  # an older schema: a migration is pending
            await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["status"] == "migrations_pending"


async def test_not_ready_when_the_database_is_unreachable(nlu: NLU) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
                        cache_dir=PROJECT_ROOT / "var" / "cache", seed_demo_data=False)
    bot = await build_bot(settings, nlu=nlu, migrate=False)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as client:
        assert (await client.get("/healthz")).status == 200  # alive, but
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["status"] == "database_unreachable"
        # A turn during the outage is a clean 503 with Retry-After, not a traceback.
        response = await client.post("/api/chat", json={"user": "u", "text": "halo"})
        assert response.status == 503 and response.headers["Retry-After"]
        assert (await response.json()) == {"error": "database_unavailable",
                                           "hotline": "/darurat"}


async def test_connection_loss_is_503_and_a_bug_is_a_logged_500(
        client: Client, bot: Bot, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def lost(*_args: object, **_kwargs: object) -> None:
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionResetError("reset"))

    monkeypatch.setattr(bot.engine, "turn", lost)
    with caplog.at_level(logging.WARNING):
        response = await client.post("/api/chat", json={"user": "u", "text": "halo"})
    assert response.status == 503
    assert any("without database" in r.getMessage() and getattr(r, "reason", "")
               == "OperationalError" for r in caplog.records)

    async def bug(*_args: object, **_kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(bot.engine, "turn", bug)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = await client.post("/api/chat", json={"user": "u", "text": "halo"})
    assert response.status == 500 and (await response.json()) == {"error": "internal_error"}
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged and logged[0].exc_info and getattr(logged[0], "reason", "") == "KeyError"
