"""The periodic media sweep `serve` runs: files older than JALUR_AMAN_MEDIA_RETENTION_DAYS
are deleted (rows and bytes), and complaint evidence whose download failed when it
arrived is fetched again from its platform."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from bot.channels.gate import writing
from bot.channels.setup import CHANNELS_KEY
from bot.composition import Bot

log = logging.getLogger(__name__)
INTERVAL = 3600.0  # seconds between sweeps


async def sweep_once(bot: Bot, app: web.Application) -> tuple[int, int]:
    """One sweep: (files deleted by retention, evidence files fetched now)."""
    async with writing(bot.sessions), bot.sessions() as session, session.begin():
        deleted = await bot.media.delete_older_than(session, bot.settings.media_retention_days)
    fetched = 0
    channels = app.get(CHANNELS_KEY)
    for runtime in channels.runtimes.values() if channels else ():
        if runtime.media is not None:
            fetched += await runtime.media.retry_evidence()
    if deleted or fetched:
        log.info("media sweep: %d files past retention deleted, %d evidence files fetched",
                 deleted, fetched)
    return deleted, fetched


def setup_sweep(app: web.Application, bot: Bot, interval: float = INTERVAL) -> None:
    """Run `sweep_once` at start-up and every `interval` seconds while the app runs."""
    async def loop() -> None:
        while True:
            try:
                await sweep_once(bot, app)
            except Exception:  # the database may be briefly unreachable: next time
                log.exception("media sweep failed")
            await asyncio.sleep(interval)

    async def start(app_: web.Application) -> None:
        app_[SWEEP_KEY] = asyncio.create_task(loop(), name="media-sweep")

    async def stop(app_: web.Application) -> None:
        task = app_.get(SWEEP_KEY)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


SWEEP_KEY = web.AppKey("media_sweep", asyncio.Task[None])
