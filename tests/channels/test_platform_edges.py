"""Platform edge cases on the fake servers: WhatsApp users with a username (no phone
number: answered through `recipient`), messages with no sender id (kept, never dropped
behind a 200), system and request_welcome messages, top-level value.errors, updates
over 32 KiB answered (stored whole: tests/storage/test_inbox_repository.py), and
Telegram my_chat_member blocks."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.telegram import PATH as TELEGRAM_PATH
from storage.models.channels import ChannelContact, InboxUpdate
from storage.models.complaints import OutboxMessage
from storage.repositories import outbox
from tests.channels.conftest import SECRET, Harness, HarnessFactory
from tests.channels.test_whatsapp import WA, post
from tests.fakes.telegram_api import text_update
from tests.fakes.whatsapp_api import text_message, username_body, webhook_body

BSUID = "ID.1502576394655843"


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.bot.sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def inbox_settled(h: Harness, n: int) -> list[InboxUpdate]:
    for _ in range(300):
        found = await rows(h, InboxUpdate)
        if len(found) >= n and all(r.status != "pending" for r in found):
            return found
        await asyncio.sleep(0.03)
    raise AssertionError("inbox not settled")


async def test_username_user_is_answered_through_recipient(harness_factory: HarnessFactory,
                                                           database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    message = {**text_message("wamid.U1", "halo"), "from_user_id": BSUID}
    assert (await post(h, username_body([message], BSUID))).status == 200
    await h.wait_for(lambda: len(h.whatsapp.sent(BSUID)) >= 1)
    sent = h.whatsapp.sent(BSUID)[0].data
    assert sent["recipient"] == BSUID and "to" not in sent
    [contact] = await rows(h, ChannelContact)
    assert contact.user_id == BSUID and contact.phone is None


async def test_sender_only_in_contacts_is_answered(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    assert (await post(h, username_body([text_message("wamid.U2", "halo")], BSUID))).status \
        == 200
    await h.wait_for(lambda: len(h.whatsapp.sent(BSUID)) >= 1)


async def test_message_without_any_sender_is_kept(harness_factory: HarnessFactory,
                                                  database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    body = username_body([text_message("wamid.U3", "halo")], BSUID, with_contact=False)
    assert (await post(h, body)).status == 200
    [kept] = await rows(h, InboxUpdate)
    assert kept.status == "failed" and kept.last_error == "no sender id"
    assert kept.payload["message"]["text"]["body"] == "halo"


async def test_system_message_is_ignored_and_welcome_gets_the_menu(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    now = str(int(time.time()))
    system = {"from": WA, "id": "wamid.Y1", "timestamp": now, "type": "system",
              "system": {"body": "User changed number", "type": "user_changed_number"}}
    welcome = {"from": WA, "id": "wamid.Y2", "timestamp": now, "type": "request_welcome"}
    assert (await post(h, webhook_body(messages=[system]))).status == 200
    await inbox_settled(h, 1)
    assert await rows(h, OutboxMessage) == []  # no "cannot read" reply
    assert (await post(h, webhook_body(messages=[welcome]))).status == 200
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 1)
    await h.settle()
    keys = [r.payload.get("key") for r in await rows(h, OutboxMessage)]
    assert keys and "error.unsupported" not in keys and "error.empty" not in keys


async def test_top_level_errors_are_logged(harness_factory: HarnessFactory,
                                           caplog: pytest.LogCaptureFixture) -> None:
    h: Harness = await harness_factory()
    body = webhook_body(statuses=[])
    body["entry"][0]["changes"][0]["value"]["errors"] = [
        {"code": 131051, "title": "Unsupported message type"}]
    with caplog.at_level(logging.WARNING, logger="bot.channels.whatsapp"):
        assert (await post(h, body)).status == 200
    assert any("131051" in r.getMessage() for r in caplog.records)


async def test_update_over_32_kib_is_answered(harness_factory: HarnessFactory,
                                             database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    update = text_update(70, 701, "halo")
    update["message"]["entities"] = [{"type": "bold", "offset": 0, "length": 1,
                                      "padding": "x" * 40_000}]
    response = await h.client.post(TELEGRAM_PATH, json=update,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 200
    await h.wait_for(lambda: len(h.telegram.sent("701")) >= 1)  # its text was read
    [stored] = await inbox_settled(h, 1)
    assert stored.status == "done" and stored.last_error is None


async def test_telegram_block_marks_the_user_and_fails_unsent_replies(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.telegram.go_down("502")  # nothing goes out: the reply stays unsent
    async with h.bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel="telegram", external_user_id="702",
                             payload={"key": "k", "text": "Balasan", "buttons": []})
    kicked = {"update_id": 71, "my_chat_member": {
        "chat": {"id": 702, "type": "private"}, "from": {"id": 702, "is_bot": False,
                                                         "first_name": "Siti"},
        "date": 1, "old_chat_member": {"status": "member", "user": {"id": 42, "is_bot": True,
                                                                    "first_name": "Bot"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 42, "is_bot": True, "first_name": "Bot"}}}}
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await h.client.post(TELEGRAM_PATH, json=kicked, headers=headers)).status == 200
    [contact] = await rows(h, ChannelContact)
    assert contact.user_id == "702" and contact.blocked_at is not None
    [reply] = await rows(h, OutboxMessage)
    assert reply.status == "failed" and reply.error_code == "403"
    back = {**kicked, "update_id": 72, "my_chat_member": {
        **kicked["my_chat_member"], "new_chat_member": {
            "status": "member", "user": {"id": 42, "is_bot": True, "first_name": "Bot"}}}}
    assert (await h.client.post(TELEGRAM_PATH, json=back, headers=headers)).status == 200
    [contact] = await rows(h, ChannelContact)
    assert contact.blocked_at is None
