"""Fixtures for operations tests: the whole app on a loopback test server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.composition import Bot
from bot.web import create_app

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[Client]:
    app = create_app(bot)
    app.on_cleanup.clear()  # the bot fixture closes the bot
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client
