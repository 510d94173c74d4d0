"""Wiring of the push channels into the aiohttp app: for each channel whose token is set,
its webhook route, an inbox worker and an outbox sender, started with the app and
stopped gracefully (turns in progress finish, sends in flight are recorded) on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.inbox import Convert, InboxWorker
from bot.channels.media_fetch import Downloader, MediaFetcher
from bot.channels.sender import Limits, OutboxSender, Transport
from bot.composition import Bot
from bot.core.adverts.ocr import picture_text
from storage.db import own_pool

log = logging.getLogger(__name__)


class PushChannel(Transport, Protocol):
    on_stored: list[Callable[[], None]]

    async def convert(self, payload: dict[str, object]) -> object: ...

    async def close(self) -> None: ...


@dataclass
class ChannelRuntime:
    """One channel's inbox worker and outbox sender."""

    worker: InboxWorker
    sender: OutboxSender
    close: Callable[[], Awaitable[None]]
    media: MediaFetcher | None = None

    def start(self) -> None:
        self.worker.start()
        self.sender.start()

    async def stop(self) -> None:
        await self.worker.stop()
        await self.sender.stop()
        await self.close()


@dataclass
class Channels:
    runtimes: dict[str, ChannelRuntime] = field(default_factory=dict)


CHANNELS_KEY = web.AppKey("channels", Channels)


def runtime(channel: PushChannel, bot: Bot, *, limits: Limits | None = None,
            sessions: async_sessionmaker[AsyncSession] | None = None) -> ChannelRuntime:
    """Worker + sender for a channel object (webhook stores -> worker wakes -> sender)."""
    sessions = sessions or bot.sessions
    # The sender's short transactions (start an attempt, record its outcome) get their own
    # connections: a send recorded late is a send repeated if the worker dies meanwhile.
    sender_sessions, sender_engine = own_pool(sessions)
    sender = OutboxSender(sender_sessions, channel, limits)
    convert: Convert = channel.convert  # type: ignore[assignment]
    fetcher = (MediaFetcher(sessions, bot.media, channel, reader=picture_text)
               if isinstance(channel, Downloader) else None)
    worker = InboxWorker(channel.channel, sessions, bot.engine, convert,
                         on_replies=sender.notify, media=fetcher)
    channel.on_stored.append(worker.notify)

    async def close() -> None:
        await channel.close()
        if sender_engine is not None:
            await sender_engine.dispose()
    return ChannelRuntime(worker, sender, close, fetcher)


def setup_channels(app: web.Application, bot: Bot, *,
                   limits: dict[str, Limits] | None = None) -> Channels:
    """Add the webhooks of the channels whose token is set (others stay off)."""
    settings = bot.settings
    channels = Channels()
    limits = limits or {}
    if settings.telegram_token:
        from bot.channels.telegram import PATH, TelegramChannel

        telegram = TelegramChannel(settings, bot.sessions)
        app.router.add_post(PATH, telegram.webhook)
        channels.runtimes["telegram"] = runtime(telegram, bot, limits=limits.get("telegram"))
    if settings.whatsapp_token and settings.whatsapp_phone_number_id:
        from bot.channels.whatsapp import WhatsAppChannel

        whatsapp = WhatsAppChannel(settings, bot.sessions)
        whatsapp.add_routes(app)
        channels.runtimes["whatsapp"] = runtime(
            whatsapp, bot, limits=limits.get("whatsapp") or Limits(per_chat_interval=0.2,
                                                                    global_per_second=60))
    app[CHANNELS_KEY] = channels

    async def start(_app: web.Application) -> None:
        for name, rt in channels.runtimes.items():
            log.info("channel %s: inbox worker and outbox sender started", name)
            rt.start()

    async def stop(_app: web.Application) -> None:
        for rt in channels.runtimes.values():
            await rt.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return channels
