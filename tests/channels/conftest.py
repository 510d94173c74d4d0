"""Harness for channel tests: the real app (create_app) on a loopback test server with
Telegram/WhatsApp pointed at the fake platform servers in tests/fakes/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.sender import Limits
from bot.channels.setup import CHANNELS_KEY, Channels
from bot.composition import Bot, build_bot
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import FakeWhatsApp

TOKEN = "123456:TEST-token"
SECRET = "s3cret-token_ABC"
APP_SECRET = "wa-app-secret"
VERIFY = "verify-me"
FAST = Limits(per_chat_interval=0.02, global_per_second=1000, base_backoff=0.05,
              max_backoff=0.3, poll_interval=0.05)


@dataclass
class Harness:
    bot: Bot
    client: TestClient[Any, Any]
    channels: Channels
    telegram: FakeTelegram
    whatsapp: FakeWhatsApp

    async def wait_for(self, check: Callable[[], bool], timeout: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.02)

    async def outbox_done(self, timeout: float = 15.0) -> None:
        """Wait until no outbox row is pending (the sender records after the platform)."""
        from sqlalchemy import func, select

        from storage.models.complaints import OutboxMessage

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            async with self.bot.sessions() as session:
                left = (await session.execute(select(func.count()).select_from(OutboxMessage)
                                              .where(OutboxMessage.status == "pending"))).scalar()
            if not left:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("outbox still pending")

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until the fakes have seen no call for `quiet` seconds."""
        last = -1
        while True:
            n = len(self.telegram.calls) + len(self.whatsapp.calls)
            if n == last:
                await self.outbox_done()
                return
            last = n
            await asyncio.sleep(quiet)


HarnessFactory = Callable[..., Any]


@pytest.fixture
async def harness_factory(nlu: NLU, tmp_path: Any) -> AsyncIterator[HarnessFactory]:
    made: list[tuple[Harness, FakeTelegram, FakeWhatsApp]] = []

    async def make(database_url: str | None = None, limits: Limits = FAST,
                   **overrides: Any) -> Harness:
        telegram, whatsapp = await FakeTelegram().start(), await FakeWhatsApp().start()
        values: dict[str, Any] = dict(
            database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'ch.db'}",
            cache_dir=PROJECT_ROOT / "var" / "cache", seed_demo_data=False,
            telegram_token=TOKEN, telegram_webhook_secret=SECRET,
            telegram_api_base=telegram.base, whatsapp_token="wa-token",
            whatsapp_phone_number_id="1055", whatsapp_app_secret=APP_SECRET,
            whatsapp_verify_token=VERIFY, whatsapp_api_base=whatsapp.base,
            media_dir=tmp_path / "media")
        values.update(overrides)
        bot = await build_bot(Settings(**values), nlu=nlu)
        app = create_app(bot)
        channels = app[CHANNELS_KEY]
        for rt in channels.runtimes.values():
            rt.sender.limits = limits
            rt.worker.poll_interval = 0.05
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        harness = Harness(bot, client, channels, telegram, whatsapp)
        made.append((harness, telegram, whatsapp))
        return harness

    yield make
    for harness, telegram, whatsapp in made:
        await harness.client.close()
        await telegram.close()
        await whatsapp.close()
