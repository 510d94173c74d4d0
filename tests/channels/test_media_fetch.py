"""Files users send are fetched into the media store before their turn: Telegram getFile +
file URL, WhatsApp media id -> short-lived URL -> bytes with the token; refused types are
marked, failed downloads keep the platform reference and are fetched again later; files
go with the user's data and after the retention period."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.channels.sweep import sweep_once
from bot.channels.telegram import PATH as TELEGRAM_PATH
from bot.core.complaints.rules import Offices, file_complaint
from storage.models import User, utcnow
from storage.models.channels import InboxUpdate
from storage.models.complaints import Evidence
from storage.models.media import Media
from storage.repositories.users import get_or_create_user
from tests.channels.conftest import SECRET, Harness, HarnessFactory
from tests.channels.test_whatsapp import post as post_whatsapp
from tests.fakes.media import NOT_ALLOWED, png
from tests.fakes.telegram_api import callback_update, photo_update, text_update
from tests.fakes.whatsapp_api import image_message, webhook_body

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
WA = "6281234567890"


async def post_telegram(h: Harness, update: dict[str, Any]) -> None:
    response = await h.client.post(TELEGRAM_PATH, json=update, headers=HEADERS)
    assert response.status == 200


def offices(h: Harness) -> Offices:
    return Offices.load(h.bot.settings.content_dir / "offices.yml")


async def all_rows(h: Harness, model: Any) -> list[Any]:
    async with h.bot.sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def inbox_done(h: Harness) -> bool:
    rows = await all_rows(h, InboxUpdate)
    return bool(rows) and all(r.status == "done" for r in rows)


async def wait_inbox_done(h: Harness) -> None:
    for _ in range(500):
        if await inbox_done(h):
            return
        await asyncio.sleep(0.03)
    raise AssertionError("inbox not answered")


async def test_telegram_photo_is_fetched_into_the_store(harness_factory: HarnessFactory,
                                                        database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    picture = png()
    h.telegram.add_file("PHOTO-BIG", picture)
    await post_telegram(h, photo_update(20, 601, "PHOTO-BIG", caption="kontrak"))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    assert media.source == "telegram:PHOTO-BIG" and media.mime == "image/png"
    assert h.bot.media.read(media.id) == picture
    [user] = await all_rows(h, User)
    assert media.user_id == user.id and user.external_id == "601"
    assert len(h.telegram.downloads) == 1
    assert [c.data["file_id"] for c in h.telegram.calls if c.method == "getfile"] == [
        "PHOTO-BIG"]


async def test_whatsapp_image_is_fetched_in_two_steps(harness_factory: HarnessFactory,
                                                      database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    picture = png(rgb=(0, 90, 200))
    h.whatsapp.add_media("MEDIA-7", picture, "image/jpeg")  # the claimed type is not trusted
    await post_whatsapp(h, webhook_body(messages=[image_message("wamid.I1", "MEDIA-7")]))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    assert media.source == "whatsapp:MEDIA-7" and media.mime == "image/png"
    assert h.bot.media.read(media.id) == picture and h.whatsapp.downloads == ["MEDIA-7"]


async def test_file_over_the_bot_api_limit_is_refused_without_download(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    h.telegram.max_download = 100  # as if the file were over 20 MB
    h.telegram.add_file("HUGE", png(64, 64))
    await post_telegram(h, photo_update(25, 604, "HUGE"))
    await wait_inbox_done(h)
    assert await all_rows(h, Media) == [] and h.telegram.downloads == []
    await h.wait_for(lambda: len(h.telegram.sent("604")) >= 1)  # answered all the same


async def test_refused_type_is_marked_and_the_update_answered(harness_factory: HarnessFactory,
                                                              database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.whatsapp.add_media("MEDIA-X", NOT_ALLOWED, "image/jpeg")
    await post_whatsapp(h, webhook_body(messages=[image_message("wamid.X1", "MEDIA-X")]))
    await wait_inbox_done(h)
    assert await all_rows(h, Media) == []
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 1)  # answered all the same


async def test_expired_link_keeps_the_reference_and_the_update(harness_factory: HarnessFactory,
                                                               database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.whatsapp.add_media("MEDIA-E", png())
    h.whatsapp.media_url_ttl = -1  # every URL has expired by the time it is fetched
    await post_whatsapp(h, webhook_body(messages=[image_message("wamid.E1", "MEDIA-E")]))
    await wait_inbox_done(h)
    assert await all_rows(h, Media) == []
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 1)  # never lost: answered


async def test_failed_evidence_is_fetched_by_the_sweep(harness_factory: HarnessFactory,
                                                       database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    picture = png(rgb=(10, 160, 10))
    async with h.bot.sessions() as session, session.begin():
        user = await get_or_create_user(session, "whatsapp", WA)
        await file_complaint(session, user=user, channel="whatsapp", offices=offices(h),
                             answers={"category": "documents_held", "evidence": [
                                 {"ref": "whatsapp:MEDIA-L", "mime": "image/jpeg"}]})
    app = h.client.server.app
    assert await sweep_once(h.bot, app) == (0, 0)  # the platform does not have it (yet)
    h.whatsapp.add_media("MEDIA-L", picture)
    assert await sweep_once(h.bot, app) == (0, 1)
    [evidence] = await all_rows(h, Evidence)
    [media] = await all_rows(h, Media)
    assert evidence.media_ref == f"media:{media.id}" and media.user_id == user.id
    assert h.bot.media.read(media.id) == picture


async def test_retention_sweep_deletes_old_files(harness_factory: HarnessFactory,
                                                 database_url: str) -> None:
    h: Harness = await harness_factory(database_url, media_retention_days=30)
    h.telegram.add_file("OLD", png())
    await post_telegram(h, photo_update(30, 602, "OLD"))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    async with h.bot.sessions() as session, session.begin():
        await session.execute(update(Media).values(created_at=utcnow() - timedelta(days=31)))
    assert await sweep_once(h.bot, h.client.server.app) == (1, 0)
    assert await all_rows(h, Media) == [] and h.bot.media.read(media.id) is None


async def test_files_go_with_the_users_data(harness_factory: HarnessFactory,
                                            database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.telegram.add_file("MINE", png())
    await post_telegram(h, photo_update(40, 603, "MINE"))
    await wait_inbox_done(h)
    [media] = await all_rows(h, Media)
    await post_telegram(h, text_update(41, 603, "hapus data saya"))
    await wait_inbox_done(h)
    await post_telegram(h, callback_update(42, 603, "delete_data:yes"))
    await wait_inbox_done(h)
    assert await all_rows(h, Media) == [] and h.bot.media.read(media.id) is None
