"""The case page shows how each message to the complainant went: a reply waiting for the
complainant to write again (WhatsApp's window) and a failed delivery with its code."""

from __future__ import annotations

from sqlalchemy import update

from bot.composition import Bot
from storage.models.complaints import OutboxMessage
from storage.repositories import outbox
from storage.repositories.complaint_records import add_message
from tests.dashboard.conftest import Client, add_complaint, add_staff, login


async def _reply(bot: Bot, case_id: int, status: str, **values: str) -> None:
    async with bot.sessions() as db, db.begin():
        message = await add_message(db, case_id, "staff", "Balasan petugas.")
        row = await outbox.enqueue(db, channel="whatsapp", external_user_id="628",
                                   payload={"key": "k", "text": "x", "buttons": []},
                                   complaint_id=case_id,
                                   idempotency_key=f"c{case_id}-m{message.id}")
        await db.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                         .values(status=status, **values))


async def test_waiting_and_failed_replies_are_shown(client: Client, bot: Bot) -> None:
    case_id, _, office = await add_complaint(bot, "Jawa Timur", channel="whatsapp")
    await add_staff(bot, "handler-a", office)
    await login(client, "handler-a")
    page = await (await client.get(f"/staff/case/{case_id}")).text()
    assert "data-deliveries" not in page
    await _reply(bot, case_id, "waiting", sent_as="invite")
    page = await (await client.get(f"/staff/case/{case_id}")).text()
    assert 'data-deliveries="waiting"' in page and 'data-delivery="waiting"' in page
    await _reply(bot, case_id, "failed", error_code="131026")
    page = await (await client.get(f"/staff/case/{case_id}")).text()
    assert 'data-deliveries="failed"' in page and "kode 131026" in page
