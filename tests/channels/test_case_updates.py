"""Pushed case updates reach the complainant on the channel they came from: the web chat
(pulled by the page), Telegram and WhatsApp (pushed by the outbox sender to the fake
platform servers); outside WhatsApp's 24-hour window the approved invitation template goes
out first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.core.complaints.casework import Casework
from bot.core.complaints.rules import Offices, file_complaint
from storage.models import utcnow
from storage.models.channels import ChannelContact
from storage.models.complaints import Complaint, OutboxMessage
from storage.repositories import inbox
from storage.repositories.staff import create_staff
from storage.repositories.users import get_or_create_user
from tests.channels.conftest import Harness, HarnessFactory

UPDATES = ["complaint.update.claimed", "complaint.staff_request", "complaint.resolved_notice",
           "complaint.update.reopened", "complaint.update.transferred"]


async def _walk(h: Harness, channel: str, chat: str) -> None:
    """File a case for the chat user, then claim, ask, resolve, reopen and transfer it."""
    offices = Offices.load(h.bot.settings.content_dir / "offices.yml")
    work = Casework(h.bot.content, offices)
    async with h.bot.sessions() as session, session.begin():
        user = await get_or_create_user(session, channel, chat)
        complaint, _ = await file_complaint(session, user=user, channel=channel,
                                            offices=offices, answers={
                                                "category": "overcharging",
                                                "province": "Jawa Timur",
                                                "description": "Uang diambil agen."})
        staff = await create_staff(session, username=f"sv-{chat}", password="kata-sandi-123",
                                   office_code=complaint.office_code, role="supervisor")
    steps = [lambda s: work.claim(s, staff, complaint.id),
             lambda s: work.request_info(s, staff, complaint.id, "Kapan Kakak membayar?"),
             lambda s: work.resolve(s, staff, complaint.id),
             lambda s: work.reopen(s, staff, complaint.id),
             lambda s: work.reassign(s, staff, complaint.id, office_code="BP3MI-NTB")]
    for step in steps:
        async with h.bot.sessions() as session, session.begin():
            await step(session)
    for runtime in h.channels.runtimes.values():
        runtime.sender.notify()


async def _outbox(h: Harness, chat: str) -> list[OutboxMessage]:
    async with h.bot.sessions() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.external_user_id == chat)
        return list((await session.execute(stmt.order_by(OutboxMessage.id))).scalars())


async def test_updates_reach_the_web_chat(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    first = await h.client.post("/api/chat", json={"text": "halo"})
    token = (await first.json())["token"]
    await _walk(h, "web", token.partition(".")[0])
    updates = await h.client.get("/api/chat/updates",
                                 headers={"Authorization": f"Bearer {token}"})
    replies: list[dict[str, Any]] = (await updates.json())["replies"]
    assert [r["key"] for r in replies] == UPDATES
    assert [b["payload"].split(":")[1] for b in replies[2]["buttons"]] == ["puas",
                                                                           "tidak_puas"]


async def test_updates_reach_telegram(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    await _walk(h, "telegram", "707")
    await h.wait_for(lambda: len(h.telegram.sent("707")) == len(UPDATES))
    await h.settle()
    rows = await _outbox(h, "707")
    assert [r.payload["key"] for r in rows] == UPDATES
    assert all(r.status == "sent" for r in rows)
    assert [c.data["text"] for c in h.telegram.sent("707")] == [r.payload["text"] for r in rows]
    assert h.telegram.sent("707")[2].markup is not None  # puas / tidak puas buttons


async def test_updates_reach_whatsapp_inside_the_window(harness_factory: HarnessFactory
                                                        ) -> None:
    h: Harness = await harness_factory(whatsapp_template_name="balasan_petugas")
    async with h.bot.sessions() as session, session.begin():
        await inbox.touch_contact(session, "whatsapp", "6281200000001",
                                  phone="6281200000001", at=utcnow())
    await _walk(h, "whatsapp", "6281200000001")
    await h.wait_for(lambda: len(h.whatsapp.sent("6281200000001")) == len(UPDATES))
    await h.settle()
    rows = await _outbox(h, "6281200000001")
    assert [r.payload["key"] for r in rows] == UPDATES
    assert all(r.status == "sent" and r.sent_as is None for r in rows)
    kinds = [c.data["type"] for c in h.whatsapp.sent("6281200000001")]
    assert "template" not in kinds and kinds[2] == "interactive"


async def test_whatsapp_update_outside_the_window_uses_the_template(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory(whatsapp_template_name="balasan_petugas")
    wa = "6281200000002"
    async with h.bot.sessions() as session, session.begin():
        await inbox.touch_contact(session, "whatsapp", wa, phone=wa, at=utcnow())
        await session.execute(update(ChannelContact).values(
            last_inbound_at=utcnow() - timedelta(hours=30)))
    await _walk(h, "whatsapp", wa)
    await h.wait_for(lambda: len(h.whatsapp.sent(wa)) >= 1)
    first = h.whatsapp.sent(wa)[0].data
    assert first["type"] == "template"
    assert first["template"]["name"] == "balasan_petugas"
    async with h.bot.sessions() as session:
        assert (await session.execute(select(Complaint.office_code))).scalar_one() == "BP3MI-NTB"
