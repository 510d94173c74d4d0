"""Telegram channel end to end: webhook (secret token) -> inbox -> engine -> outbox ->
fake Bot API; commands, deep links, callbacks, media, edits, duplicates, staff replies."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.channels.telegram import PATH, TelegramChannel, callback_data
from storage.models import User
from storage.models.channels import InboxUpdate
from storage.models.complaints import OutboxMessage
from storage.repositories import outbox
from tests.channels.conftest import SECRET, Harness, HarnessFactory
from tests.fakes.telegram_api import callback_update, text_update

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def post(h: Harness, update: Any, headers: dict[str, str] | None = None) -> Any:
    return await h.client.post(PATH, json=update, headers=HEADERS if headers is None else headers)


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.bot.sessions() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())


async def test_forged_or_missing_secret_is_refused(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                    {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}):
        response = await post(h, text_update(1, 501, "halo"), headers)
        assert response.status == 403
    assert await rows(h, InboxUpdate) == []


async def test_malformed_and_unknown_updates_do_not_crash(harness_factory: HarnessFactory
                                                          ) -> None:
    h: Harness = await harness_factory()
    bad = await h.client.post(PATH, data=b"{not json", headers=HEADERS)
    assert bad.status == 400
    for update in ([1, 2], {"update_id": 7, "my_chat_member": {"chat": {"id": 1}}},
                   {"update_id": 8, "message": {"chat": {"id": -100, "type": "group"}}},
                   {"no": "update_id"}):
        assert (await post(h, update)).status == 200
    assert await rows(h, InboxUpdate) == []


async def test_start_deep_link_menu_and_callback(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    assert (await post(h, text_update(10, 501, "/start desa_Sukamaju-01"))).status == 200
    await h.wait_for(lambda: len(h.telegram.sent("501")) >= 2)
    keyboards = [c.markup for c in h.telegram.sent("501") if c.markup]
    assert keyboards, "the menu comes with an inline keyboard"
    buttons = [b for row in keyboards[-1]["inline_keyboard"] for b in row]
    assert buttons and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    users = await rows(h, User)
    assert users[0].channel == "telegram" and users[0].referral == "desa_Sukamaju-01"

    before = len(h.telegram.sent("501"))
    response = await post(h, callback_update(11, 501, buttons[0]["callback_data"]))
    assert response.status == 200
    assert (await response.json()) == {"method": "answerCallbackQuery",
                                       "callback_query_id": "cb11"}
    await h.wait_for(lambda: len(h.telegram.sent("501")) > before)
    await h.settle()
    sent = await rows(h, OutboxMessage)
    assert all(r.status == "sent" and r.platform_message_id for r in sent)


async def test_invalid_referral_is_dropped_and_commands_map(harness_factory: HarnessFactory
                                                            ) -> None:
    h: Harness = await harness_factory()
    await post(h, text_update(20, 502, "/start bad<script>ref"))
    await post(h, text_update(21, 502, "/menu@jalur_aman_bot"))
    await post(h, text_update(22, 502, "/hapusdata"))
    await h.wait_for(lambda: len(h.telegram.sent("502")) >= 4)
    await h.settle()
    users = await rows(h, User)
    assert users[0].referral is None
    keys = [r.payload["key"] for r in await rows(h, OutboxMessage)]
    assert keys[-1] == "delete_data.confirm" and keys[-2] == "menu"


async def test_duplicate_deliveries_produce_one_reply(harness_factory: HarnessFactory,
                                                      database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    update = text_update(30, 503, "syarat kerja ke malaysia apa saja")
    responses = await asyncio.gather(*[post(h, update) for _ in range(5)])
    assert [r.status for r in responses] == [200] * 5
    await h.wait_for(lambda: len(h.telegram.sent("503")) >= 1)
    await h.settle()
    assert (await post(h, update)).status == 200  # a late redelivery too
    await h.settle()
    replies = await rows(h, OutboxMessage)
    assert len(h.telegram.sent("503")) == len(replies) == 2  # welcome + answer, once
    assert [r.status for r in await rows(h, InboxUpdate)] == ["done"]


async def test_sticker_voice_photo_and_edits(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    await post(h, text_update(40, 504, "halo"))
    await h.wait_for(lambda: len(h.telegram.sent("504")) >= 1)
    await h.settle()
    sticker = text_update(41, 504, "")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "st1", "file_unique_id": "u", "type": "regular",
                                     "width": 512, "height": 512, "is_animated": False,
                                     "is_video": False}
    edited = text_update(42, 504, "halo lagi")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    for update in (sticker, edited):
        assert (await post(h, update)).status == 200
    await h.settle()
    keys = [r.payload["key"] for r in await rows(h, OutboxMessage)]
    assert keys[-1] == "error.unsupported"
    assert keys.count("error.unsupported") == 1  # the edit is not answered
    assert {r.status for r in await rows(h, InboxUpdate)} == {"done"}

    channel: TelegramChannel = h.channels.runtimes["telegram"].sender.transport  # type: ignore
    photo = text_update(43, 504, "")
    del photo["message"]["text"]
    photo["message"]["caption"] = "bukti kontrak"
    photo["message"]["photo"] = [
        {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90, "file_size": 100},
        {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800, "file_size": 9000}]
    message = await channel.convert(photo)
    assert message is not None and message.media == "photo"
    assert message.text == "bukti kontrak"
    assert message.meta["media"] == [{"ref": "telegram:big", "mime": "image/jpeg",
                                      "size": 9000}]


async def test_long_callback_payload_round_trips(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    long_payload = "agency:pick:" + "PT Sumber Rejeki Makmur Sejahtera Abadi Jaya " * 2
    token = callback_data(long_payload)
    assert len(token.encode()) <= 64 and token != long_payload
    assert callback_data("menu") == "menu"
    async with h.bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel="telegram", external_user_id="505", payload={
            "key": "x", "text": "pilih", "buttons": [{"title": "A", "payload": long_payload}]})
    channel: TelegramChannel = h.channels.runtimes["telegram"].sender.transport  # type: ignore
    message = await channel.convert(callback_update(50, 505, token))
    assert message is not None and message.button == long_payload
    unknown = await channel.convert(callback_update(51, 505, "#unknownhash"))
    assert unknown is not None and unknown.button == "menu"


async def test_staff_reply_in_outbox_is_delivered(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    async with h.bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel="telegram", external_user_id="506",
                             payload={"key": "complaint.staff_reply", "text": "Balasan petugas",
                                      "buttons": []}, idempotency_key="c1-m1")
    h.channels.runtimes["telegram"].sender.notify()
    await h.wait_for(lambda: len(h.telegram.sent("506")) == 1)
    call = h.telegram.sent("506")[0]
    assert call.data["text"] == "Balasan petugas" and call.markup is None
    await h.settle()
    [row] = await rows(h, OutboxMessage)
    assert row.status == "sent" and row.platform_message_id
