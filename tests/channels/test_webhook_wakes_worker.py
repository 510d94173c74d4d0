"""A stored webhook wakes the inbox worker at once: the answer does not wait for its poll."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bot.channels.telegram import PATH
from storage.models.channels import InboxUpdate
from tests.channels.conftest import SECRET, Harness, HarnessFactory
from tests.fakes.telegram_api import text_update


async def test_a_stored_update_is_answered_without_waiting_for_the_poll(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.channels.runtimes["telegram"].worker.poll_interval = 30.0  # only a wake-up can help
    await asyncio.sleep(0.2)  # the worker is asleep in its poll
    for n in range(3):
        started = time.monotonic()
        response = await h.client.post(PATH, json=text_update(300 + n, 88, "syarat kerja"),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status == 200
        while True:
            async with h.bot.sessions() as session:
                row = (await session.execute(select(InboxUpdate).where(
                    InboxUpdate.update_id == str(300 + n)))).scalar_one()
            if row.status == "done":
                break
            assert time.monotonic() - started < 10, "the worker was not woken"
            await asyncio.sleep(0.01)
