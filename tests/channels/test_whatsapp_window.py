"""WhatsApp's 24-hour window and delivery reports on the fake Graph API: outside the
window a reply waits and an invitation template (no parameters) asks the user back; the
whole reply goes when they write; 131047 (answer or status) takes the same path; status
reports find their row by biz_opaque_callback_data; failures are visible on the row."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from storage.models import utcnow
from storage.models.channels import ChannelContact, DeliveryStatus
from storage.models.complaints import OutboxMessage
from storage.repositories import outbox
from tests.channels.conftest import Harness, HarnessFactory
from tests.channels.test_whatsapp import WA, post
from tests.fakes.whatsapp_api import status, text_message, webhook_body

TEMPLATE = "balasan_petugas"
LONG = "\n".join(f"Baris {i:03d}: " + "penjelasan petugas " * 5 for i in range(30))[:3000]


async def outbox_rows(h: Harness) -> list[OutboxMessage]:
    async with h.bot.sessions() as session:
        return list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
                     ).scalars())


async def row(h: Harness, key: str) -> OutboxMessage:
    return next(r for r in await outbox_rows(h) if r.idempotency_key == key)


async def until(h: Harness, key: str, *states: str) -> OutboxMessage:
    for _ in range(300):
        found = await row(h, key)
        if found.status in states:
            return found
        await asyncio.sleep(0.03)
    raise AssertionError(f"{key} never reached {states}")


async def wrote(h: Harness, wamid: str, text: str = "halo", hours_ago: float = 0) -> None:
    """The user writes (and the bot's answer goes out); `hours_ago` backdates it."""
    before = len(h.whatsapp.sent(WA))
    assert (await post(h, webhook_body(messages=[text_message(wamid, text)]))).status == 200
    await h.wait_for(lambda: len(h.whatsapp.sent(WA)) > before)
    await h.settle()
    if hours_ago:
        async with h.bot.sessions() as session, session.begin():
            await session.execute(update(ChannelContact).values(
                last_inbound_at=utcnow() - timedelta(hours=hours_ago)))


async def staff_reply(h: Harness, key: str, text: str = LONG) -> None:
    async with h.bot.sessions() as session, session.begin():
        await outbox.enqueue(session, channel="whatsapp", external_user_id=WA, payload={
            "key": "complaint.staff_reply", "text": text, "buttons": []}, idempotency_key=key)
    h.channels.runtimes["whatsapp"].sender.notify()


def templates(h: Harness) -> list[dict[str, Any]]:
    return [c.data for c in h.whatsapp.sent(WA) if c.data["type"] == "template"]


async def test_reply_outside_window_invites_then_arrives_whole(harness_factory: HarnessFactory,
                                                               database_url: str) -> None:
    h: Harness = await harness_factory(database_url, whatsapp_template_name=TEMPLATE)
    await wrote(h, "wamid.W1", hours_ago=25)
    await staff_reply(h, "c1-m1")
    held = await until(h, "c1-m1", "waiting")
    [invite] = templates(h)
    assert invite["template"] == {"name": TEMPLATE, "language": {"code": "id"}}
    assert invite["biz_opaque_callback_data"] == "c1-m1" and held.sent_as == "invite"
    await staff_reply(h, "c1-m2", "Satu lagi dari petugas.")
    await until(h, "c1-m2", "waiting")
    assert len(templates(h)) == 1  # one invitation while replies wait
    await wrote(h, "wamid.W2", "ada apa?")
    await until(h, "c1-m2", "sent")
    bodies = [c.data["text"]["body"] for c in h.whatsapp.sent(WA) if c.data["type"] == "text"]
    assert LONG in bodies and "Satu lagi dari petugas." in bodies
    assert bodies.index(LONG) < bodies.index("Satu lagi dari petugas.")
    assert (await row(h, "c1-m1")).status == "sent"


async def test_without_template_the_reply_waits_visibly(harness_factory: HarnessFactory
                                                        ) -> None:
    h: Harness = await harness_factory()
    await wrote(h, "wamid.N1", hours_ago=30)
    await staff_reply(h, "c2-m1")
    held = await until(h, "c2-m1", "waiting")
    assert held.sent_as == "no_template" and templates(h) == []
    await wrote(h, "wamid.N2")
    await until(h, "c2-m1", "sent")


async def test_131047_answer_takes_the_invitation_path(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory(whatsapp_template_name=TEMPLATE)
    await wrote(h, "wamid.R1")
    h.whatsapp.fail_next(1, "131047")
    await staff_reply(h, "c3-m1")
    held = await until(h, "c3-m1", "waiting")
    assert held.sent_as == "invite" and len(templates(h)) == 1


async def test_131047_in_a_status_takes_the_invitation_path(harness_factory: HarnessFactory,
                                                            database_url: str) -> None:
    h: Harness = await harness_factory(database_url, whatsapp_template_name=TEMPLATE)
    await wrote(h, "wamid.S1")
    await staff_reply(h, "c4-m1", "Balasan singkat.")
    sent = await until(h, "c4-m1", "sent")
    report = status(sent.platform_message_id, "failed", callback="c4-m1", code=131047)
    assert (await post(h, webhook_body(statuses=[report]))).status == 200
    h.channels.runtimes["whatsapp"].sender.notify()
    held = await until(h, "c4-m1", "waiting")
    assert held.sent_as == "invite" and len(templates(h)) == 1


async def test_failed_status_found_by_callback_before_the_id_is_known(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    await wrote(h, "wamid.F1")
    await staff_reply(h, "c5-m1", "Balasan singkat.")
    await until(h, "c5-m1", "sent")
    report = status("wamid.NOT-RECORDED", "failed", callback="c5-m1", code=131026)
    assert (await post(h, webhook_body(statuses=[report]))).status == 200
    failed = await row(h, "c5-m1")
    assert failed.status == "failed" and failed.error_code == "131026"
    async with h.bot.sessions() as session:
        [recorded] = (await session.execute(select(DeliveryStatus))).scalars().all()
    assert recorded.outbox_id == failed.id


async def test_template_limits_are_enforced_by_the_fake(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory(whatsapp_template_name="not_approved")
    await wrote(h, "wamid.L1", hours_ago=26)
    await staff_reply(h, "c6-m1")
    failed = await until(h, "c6-m1", "failed")
    assert failed.error_code == "132001" and failed.sent_as == "template"
