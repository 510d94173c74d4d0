"""A job advert sent as a picture on Telegram or WhatsApp (fake platform servers): fetched
whole into the media store at arrival (files larger than one network chunk too), read by
OCR before its turn with no database transaction open, answered with ad_check.<risk>; a
crash while the picture is read still leads to one answer."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.media_fetch import MediaFetcher
from bot.core.agencies.service import AgencyService
from storage.models.channels import InboxUpdate
from storage.models.complaints import OutboxMessage
from storage.models.media import Media
from tests.channels.conftest import Harness, HarnessFactory
from tests.channels.test_media_fetch import WA, all_rows, post_telegram, wait_inbox_done
from tests.channels.test_whatsapp import post as post_whatsapp
from tests.core.adverts.conftest import ADVERTS, REGISTER_CSV, TODAY
from tests.core.adverts.pictures import poster, screenshot
from tests.fakes.telegram_api import photo_update, text_update
from tests.fakes.whatsapp_api import image_message, webhook_body


def advert(name: str) -> dict[str, Any]:
    return next(a for a in ADVERTS if a["id"] == name)


async def keys(h: Harness) -> list[str]:
    async with h.bot.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
        return [r.payload["key"] for r in rows.scalars()]


async def with_register(h: Harness) -> Harness:
    await AgencyService(h.bot.sessions).import_file(REGISTER_CSV, as_of=TODAY)
    return h


def big_jpeg() -> bytes:
    """A JPEG of a few hundred KiB: its bytes come in several network chunks."""
    data = screenshot(advert("scam_cambodia_admin")["text"], fmt="JPEG")
    return data + os.urandom(300_000)  # data after the JPEG's end: still a JPEG, kept whole


@pytest.mark.usefixtures("tesseract")
async def test_telegram_photo_of_an_advert_gets_its_risk(harness_factory: HarnessFactory,
                                                         database_url: str) -> None:
    h = await with_register(await harness_factory(database_url))
    scam = advert("me_saudi_ziarah_dp")
    h.telegram.add_file("AD-1", screenshot(scam["text"], fmt="JPEG"))
    await post_telegram(h, photo_update(70, 701, "AD-1"))
    await wait_inbox_done(h)
    assert (await keys(h))[-1] == "ad_check.high"


@pytest.mark.usefixtures("tesseract")
async def test_whatsapp_image_of_an_advert_gets_its_risk(harness_factory: HarnessFactory,
                                                         database_url: str) -> None:
    h = await with_register(await harness_factory(database_url))
    legit = advert("legit_malaysia_kilau_zero_cost")
    h.whatsapp.add_media("AD-2", poster(legit["text"], 2, fmt="JPEG"), "image/jpeg")
    response = await post_whatsapp(h, webhook_body(messages=[image_message("wamid.AD2", "AD-2")],
                                                   wa_id=WA))
    assert response.status == 200
    await wait_inbox_done(h)
    assert (await keys(h))[-1] == "ad_check.low"


async def test_telegram_file_larger_than_a_chunk_arrives_whole(
        harness_factory: HarnessFactory) -> None:
    h = await harness_factory()
    data = big_jpeg()
    h.telegram.add_file("BIG-1", data)
    await post_telegram(h, photo_update(71, 702, "BIG-1"))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    assert media.size == len(data) and h.bot.media.read(media.id) == data


async def test_whatsapp_file_larger_than_a_chunk_arrives_whole(
        harness_factory: HarnessFactory) -> None:
    h = await harness_factory()
    data = big_jpeg()
    h.whatsapp.add_media("BIG-2", data, "image/jpeg")
    await post_whatsapp(h, webhook_body(messages=[image_message("wamid.BIG2", "BIG-2")],
                                        wa_id=WA))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    assert media.size == len(data) and h.bot.media.read(media.id) == data


class HeldReader:
    """The real reader, held at its start until released: the test looks at the database
    while a picture is being read."""

    def __init__(self, fetcher: MediaFetcher) -> None:
        assert fetcher.reader is not None
        self.real = fetcher.reader
        self.started, self.release = threading.Event(), threading.Event()
        self.calls = 0
        fetcher.reader = self

    def __call__(self, data: bytes) -> dict[str, str]:
        self.calls += 1
        self.started.set()
        self.release.wait(30)
        return self.real(data)

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 30)


def fetcher_of(h: Harness) -> MediaFetcher:
    fetcher = h.channels.runtimes["telegram"].media
    assert fetcher is not None
    return fetcher


async def picture_row(h: Harness, chat: str) -> InboxUpdate:
    [row] = [r for r in await all_rows(h, InboxUpdate) if r.user_id == chat]
    return row


@pytest.mark.usefixtures("tesseract")
async def test_picture_is_read_with_no_transaction_open(harness_factory: HarnessFactory,
                                                        database_url: str) -> None:
    h = await with_register(await harness_factory(database_url))
    reader = HeldReader(fetcher_of(h))
    h.telegram.add_file("AD-3", screenshot(advert("scam_cambodia_admin")["text"], fmt="JPEG"))
    await post_telegram(h, photo_update(72, 703, "AD-3"))
    await reader.wait_started()
    # While the picture is read, other updates are stored (on SQLite a transaction held
    # for the OCR would keep this write waiting) and nothing of this update is written.
    await post_telegram(h, text_update(73, 704, "halo"))
    row = await picture_row(h, "703")
    assert row.media_state == "pending" and row.status == "pending"
    assert await all_rows(h, Media) == [] and await keys(h) == []
    reader.release.set()
    await wait_inbox_done(h)
    assert "ad_check.high" in await keys(h)


@pytest.mark.usefixtures("tesseract")
async def test_crash_while_a_picture_is_read_still_leads_to_one_answer(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h = await with_register(await harness_factory(database_url))
    worker = h.channels.runtimes["telegram"].worker
    reader = HeldReader(fetcher_of(h))
    h.telegram.add_file("AD-4", screenshot(advert("scam_cambodia_admin")["text"], fmt="JPEG"))
    await post_telegram(h, photo_update(74, 705, "AD-4"))
    await reader.wait_started()
    await worker.stop(timeout=0.1)  # the worker dies mid-OCR: nothing was committed
    reader.release.set()
    row = await picture_row(h, "705")
    assert row.media_state == "pending" and row.status == "pending"
    assert await all_rows(h, Media) == [] and await keys(h) == []
    await worker.drain()  # a restarted worker fetches and reads the picture again
    assert reader.calls == 2
    row = await picture_row(h, "705")
    assert row.status == "done"
    assert [k for k in await keys(h) if k.startswith("ad_check")] == ["ad_check.high"]
