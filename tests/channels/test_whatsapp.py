"""WhatsApp channel end to end against the fake Graph API, with Meta's payload shapes:
verify handshake, signatures, buttons/lists/numbered text, statuses, duplicates, media,
and deleting a user's data (the 24-hour window: test_whatsapp_window.py)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.channels.whatsapp import PATH, WhatsAppChannel
from bot.channels.whatsapp.render import render
from storage.models.channels import ChannelContact, DeliveryStatus, InboxUpdate
from storage.models.complaints import OutboxMessage
from tests.channels.conftest import APP_SECRET, VERIFY, Harness, HarnessFactory
from tests.fakes.whatsapp_api import encode, sign, text_message, webhook_body

WA = "6281234567890"


async def post(h: Harness, data: dict[str, Any], secret: str | None = APP_SECRET) -> Any:
    body = encode(data)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return await h.client.post(PATH, data=body, headers=headers)


async def rows(h: Harness, model: Any) -> list[Any]:
    async with h.bot.sessions() as session:
        order = model.id if hasattr(model, "id") else model.user_id
        return list((await session.execute(select(model).order_by(order))).scalars())


async def test_verify_handshake(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    ok = await h.client.get(PATH, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                          "hub.challenge": "1158201444"})
    assert ok.status == 200 and await ok.text() == "1158201444"
    bad = await h.client.get(PATH, params={"hub.mode": "subscribe", "hub.verify_token": "x",
                                           "hub.challenge": "1"})
    assert bad.status == 403


async def test_forged_missing_signature_and_bad_json(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    data = webhook_body(messages=[text_message("wamid.A1", "halo")])
    assert (await post(h, data, secret=None)).status == 403
    assert (await post(h, data, secret="not-the-secret")).status == 403
    body = encode(data)
    tampered = body.replace(b"halo", b"hola")
    response = await h.client.post(PATH, data=tampered,
                                   headers={"X-Hub-Signature-256": sign(body, APP_SECRET)})
    assert response.status == 403
    junk = b"{oops"
    response = await h.client.post(PATH, data=junk,
                                   headers={"X-Hub-Signature-256": sign(junk, APP_SECRET)})
    assert response.status == 400
    assert (await post(h, {"object": "whatsapp_business_account", "entry": "?"})).status == 200
    assert await rows(h, InboxUpdate) == []


async def test_text_in_interactive_out_and_duplicates(harness_factory: HarnessFactory,
                                                      database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    data = webhook_body(messages=[text_message("wamid.B1", "syarat kerja ke malaysia apa")])
    for _ in range(3):
        assert (await post(h, data)).status == 200
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 2)
    await h.settle()
    sent = h.whatsapp.sent(WA)
    assert len(sent) == len(await rows(h, OutboxMessage)) == 2  # welcome + answer, once
    kinds = {c.data["type"] for c in sent}
    assert kinds <= {"text", "interactive"} and "interactive" in kinds
    menu = next(c.data for c in sent if c.data["type"] == "interactive")
    assert menu["messaging_product"] == "whatsapp" and menu["to"] == WA
    action = menu["interactive"]["action"]
    choices = (action.get("buttons") or action["sections"][0]["rows"])
    first_id = choices[0]["reply"]["id"] if "reply" in choices[0] else choices[0]["id"]
    contact = (await rows(h, ChannelContact))[0]
    assert contact.phone == WA and contact.last_inbound_at is not None

    kind = "button_reply" if "buttons" in action else "list_reply"
    tap = {"from": WA, "id": "wamid.B2", "timestamp": str(int(time.time())),
           "type": "interactive", "interactive": {"type": kind, kind: {
               "id": first_id, "title": "x"}}}
    await post(h, webhook_body(messages=[tap]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 3)
    await h.settle()
    assert {r.status for r in await rows(h, InboxUpdate)} == {"done"}
    menu_tap = {**tap, "id": "wamid.B3", "interactive": {"type": kind, kind: {
        "id": "menu", "title": "Menu"}}}
    await post(h, webhook_body(messages=[menu_tap]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 4)
    listed = h.whatsapp.sent(WA)[-1].data["interactive"]
    assert listed["type"] == "list" and 4 <= len(listed["action"]["sections"][0]["rows"]) <= 10


def test_rendering_buttons_lists_and_numbered_text() -> None:
    def reply(n: int, title: str = "Pilihan {i}") -> dict[str, Any]:
        return {"key": "k", "text": "Teks", "buttons": [
            {"title": title.format(i=i), "payload": f"p{i}"} for i in range(n)]}

    three = render(WA, reply(3, "Pilihan {i} dengan judul panjang"))
    buttons = three["interactive"]["action"]["buttons"]
    assert three["interactive"]["type"] == "button" and len(buttons) == 3
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    same_prefix = render(WA, reply(3, "Judul yang sangat panjang sekali {i}"))
    assert same_prefix["interactive"]["type"] == "list"  # cut titles would collide
    six = render(WA, reply(6, "Baris {i} yang judulnya lebih dari dua puluh empat"))
    assert six["interactive"]["type"] == "list"
    rows_ = six["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows_) == 6 and all(len(r["title"]) <= 24 for r in rows_)
    assert all(len(r.get("description", "")) <= 72 for r in rows_)
    twelve = render(WA, reply(12))
    assert twelve["type"] == "text" and "12. Pilihan 11" in twelve["text"]["body"]
    plain = render(WA, {"key": "k", "text": "Halo", "buttons": []})
    assert plain["text"] == {"body": "Halo", "preview_url": False}


async def test_media_and_unreadable_messages(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    channel: WhatsAppChannel = h.channels.runtimes["whatsapp"].sender.transport  # type: ignore
    image = {"from": WA, "id": "wamid.M1", "timestamp": "1", "type": "image",
             "image": {"caption": "kontrak", "mime_type": "image/png", "sha256": "x",
                       "id": "media-1"}}
    message = await channel.convert({"message": image})
    assert message is not None and message.media == "image" and message.text == "kontrak"
    assert message.meta["media"][0]["ref"] == "whatsapp:media-1"
    for kind, body in (("audio", {"id": "a1", "mime_type": "audio/ogg", "voice": True}),
                       ("sticker", {"id": "s1", "mime_type": "image/webp"})):
        msg = await channel.convert({"message": {"from": WA, "id": "w", "type": kind,
                                                 kind: body}})
        assert msg is not None and msg.media == kind and msg.text is None
    reaction = {"from": WA, "id": "w", "type": "reaction",
                "reaction": {"message_id": "wamid.X", "emoji": "👍"}}
    assert await channel.convert({"message": reaction}) is None


async def test_statuses_are_recorded_and_failures_marked(harness_factory: HarnessFactory
                                                         ) -> None:
    h: Harness = await harness_factory()
    await post(h, webhook_body(messages=[text_message("wamid.S1", "halo")]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 1)
    await h.settle()
    row = (await rows(h, OutboxMessage))[0]
    ts = str(int(time.time()))
    statuses = [{"id": row.platform_message_id, "status": s, "timestamp": ts,
                 "recipient_id": WA} for s in ("sent", "delivered", "read")]
    statuses.append({"id": row.platform_message_id, "status": "failed", "timestamp": ts,
                     "recipient_id": WA, "errors": [{"code": 131026,
                                                     "title": "Message undeliverable"}]})
    assert (await post(h, webhook_body(statuses=statuses))).status == 200
    recorded = await rows(h, DeliveryStatus)
    assert [s.status for s in recorded] == ["sent", "delivered", "read", "failed"]
    assert recorded[-1].error_code == "131026" and recorded[-1].outbox_id == row.id
    failed = next(r for r in await rows(h, OutboxMessage) if r.id == row.id)
    assert failed.status == "failed" and failed.error_code == "131026"


async def test_delete_my_data_forgets_phone_number_and_receipts(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    await post(h, webhook_body(messages=[text_message("wamid.D1", "halo")]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 1)
    await h.settle()
    assert [c.phone for c in await rows(h, ChannelContact)] == [WA]
    await post(h, webhook_body(messages=[text_message("wamid.D2", "hapus data saya")]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 2)
    confirm = {"from": WA, "id": "wamid.D3", "timestamp": str(int(time.time())),
               "type": "interactive", "interactive": {
                   "type": "button_reply",
                   "button_reply": {"id": "delete_data:yes", "title": "Ya, hapus"}}}
    await post(h, webhook_body(messages=[confirm]))
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) >= 3)
    await h.settle()
    assert [c.phone for c in await rows(h, ChannelContact)] == [None]
    assert [r.status for r in await rows(h, InboxUpdate)] == ["done"]


def test_cut_titles_end_between_words() -> None:
    reply = {"key": "k", "text": "Teks", "buttons": [
        {"title": "PT Andalan Pesona Padma Global", "payload": "p0"}]}
    [button] = render(WA, reply)["interactive"]["action"]["buttons"]
    title = button["reply"]["title"]
    assert len(title) <= 20 and title == "PT Andalan Pesona…"
