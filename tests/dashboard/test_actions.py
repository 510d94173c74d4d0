"""Case actions through HTTP: claim, reply (lands in the outbox for the complainant's
channel), request info, complainant answer, note, escalate, reassign, resolve, reopen,
claim-next, and refusals (double claim, handler acting on someone else's case)."""

from __future__ import annotations

from sqlalchemy import select

from bot.composition import Bot
from bot.core.complaints.rules import attach_message
from storage.models.complaints import Complaint, OutboxMessage
from storage.repositories import complaint_views
from storage.repositories.users import get_or_create_user
from tests.dashboard.conftest import Client, add_complaint, add_staff, login, post


async def _complaint(bot: Bot, cid: int) -> Complaint:
    async with bot.sessions() as db:
        row = await db.get(Complaint, cid)
        assert row is not None
        return row


async def _outbox(bot: Bot) -> list[OutboxMessage]:
    async with bot.sessions() as db:
        return list((await db.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
                    .scalars())


async def _events(bot: Bot, cid: int) -> list[str]:
    async with bot.sessions() as db:
        return [e.kind for e in await complaint_views.events(db, cid)]


async def test_claim_reply_resolve_reaches_the_complainant(client: Client, bot: Bot) -> None:
    cid, ticket, office = await add_complaint(bot, "Jawa Timur", user="w-77", channel="web")
    staff_id = await add_staff(bot, "siti", office)
    await login(client, "siti")

    claimed = await post(client, f"/staff/case/{cid}/claim")
    assert claimed.status == 303
    row = await _complaint(bot, cid)
    assert row.status == "assigned" and row.assigned_to == staff_id
    assert ticket in await (await client.get("/staff/queue/mine")).text()

    replied = await post(client, f"/staff/case/{cid}/reply", body="Baik Kak, kami cek.",
                         mode="reply")
    assert replied.status == 303
    outbox = await _outbox(bot)
    assert [o.payload["key"] for o in outbox] == ["complaint.update.claimed",
                                                 "complaint.staff_reply"]
    assert outbox[1].channel == "web" and outbox[1].external_user_id == "w-77"
    assert "kami cek" in outbox[1].payload["text"]
    case_page = await (await client.get(f"/staff/case/{cid}")).text()
    assert 'data-sender="staff"' in case_page

    resolved = await post(client, f"/staff/case/{cid}/resolve", body="Uang dikembalikan")
    assert resolved.status == 303
    assert (await _complaint(bot, cid)).status == "resolved"
    assert [o.payload["key"] for o in await _outbox(bot)][-1] == "complaint.resolved_notice"
    assert await _events(bot, cid) == ["created", "claimed", "replied", "resolved"]

    reopened = await post(client, f"/staff/case/{cid}/reopen", body="Belum beres")
    assert reopened.status == 303
    assert (await _complaint(bot, cid)).status == "reopened"


async def test_request_info_then_complainant_answer_shows_on_the_case(
        client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur", user="w-5")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    await post(client, f"/staff/case/{cid}/claim")
    response = await post(client, f"/staff/case/{cid}/reply", canned="need_documents",
                          body="", mode="request_info")
    assert response.status == 303
    assert (await _complaint(bot, cid)).status == "waiting_on_complainant"
    assert (await _outbox(bot))[-1].payload["key"] == "complaint.staff_request"
    async with bot.sessions() as db, db.begin():
        user = await get_or_create_user(db, "web", "w-5")
        complaint = await db.get(Complaint, cid)
        assert complaint is not None
        await attach_message(db, complaint, "Ini fotonya, Pak.", user=user, channel="web")
    page = await (await client.get(f"/staff/case/{cid}")).text()
    assert 'data-sender="complainant"' in page and "Ini fotonya" in page
    assert (await _complaint(bot, cid)).status == "assigned"


async def test_note_escalate_and_reassign(client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "boss", office, role="supervisor")
    other = await add_staff(bot, "budi", office)
    await login(client, "boss")
    assert (await post(client, f"/staff/case/{cid}/note", body="Cek izin P3MI")).status == 303
    assert (await post(client, f"/staff/case/{cid}/escalate", body="Korban banyak")).status == 303
    assert (await post(client, f"/staff/case/{cid}/reassign", handler=str(other))).status == 303
    row = await _complaint(bot, cid)
    assert row.escalated and row.urgent and row.assigned_to == other
    assert row.status == "assigned"
    assert not await _outbox(bot)  # internal actions send nothing to the complainant
    assert {"note", "escalated", "reassigned_handler"} <= set(await _events(bot, cid))


async def test_supervisor_reassigns_a_case_to_another_office_with_an_audit_event(
        client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur")
    assert office == "BP3MI-JATIM"
    boss = await add_staff(bot, "boss", office, role="supervisor")
    await add_staff(bot, "jabar", "BP3MI-JABAR")
    await login(client, "boss")
    assert (await post(client, f"/staff/case/{cid}/claim")).status == 303
    moved = await post(client, f"/staff/case/{cid}/reassign", office="BP3MI-JABAR")
    assert moved.status == 303
    row = await _complaint(bot, cid)
    assert (row.office_code, row.status, row.assigned_to) == ("BP3MI-JABAR", "new", None)
    async with bot.sessions() as db:
        event = (await complaint_views.events(db, cid))[-1]
    assert (event.kind, event.actor_kind, event.actor_id) == (
        "reassigned_office", "staff", str(boss))
    assert event.body == "BP3MI-JATIM -> BP3MI-JABAR"
    assert (await client.get(f"/staff/case/{cid}")).status == 404  # gone from JATIM
    await post(client, "/staff/logout")
    await login(client, "jabar")
    assert (await client.get(f"/staff/case/{cid}")).status == 200
    unknown = await post(client, f"/staff/case/{cid}/reassign", office="NOWHERE")
    assert unknown.status == 403  # a handler may not reassign at all


async def test_double_claim_and_foreign_case_work_are_refused(
        client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await add_staff(bot, "budi", office)
    await login(client, "budi")
    assert (await post(client, f"/staff/case/{cid}/claim")).status == 303
    await post(client, "/staff/logout")
    await login(client, "siti")
    assert (await post(client, f"/staff/case/{cid}/claim")).status == 409
    assert (await post(client, f"/staff/case/{cid}/reply", body="x")).status == 403
    assert (await post(client, f"/staff/case/{cid}/resolve")).status == 403
    assert (await post(client, f"/staff/case/{cid}/reassign", handler="1")).status == 403
    assert (await post(client, f"/staff/case/{cid}/frobnicate")).status == 404
    assert (await _complaint(bot, cid)).status == "assigned"
    assert [o.payload["key"] for o in await _outbox(bot)] == ["complaint.update.claimed"]


async def test_claim_next_takes_urgent_first(client: Client, bot: Bot) -> None:
    await add_complaint(bot, "Jawa Timur", user="a")
    urgent_id, _, office = await add_complaint(bot, "Jawa Timur", user="b",
                                               category="violence")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    response = await post(client, "/staff/claim-next")
    assert response.status == 303
    assert response.headers["Location"].startswith(f"/staff/case/{urgent_id}")
    await post(client, "/staff/claim-next")
    empty = await post(client, "/staff/claim-next")
    assert empty.headers["Location"].startswith("/staff/queue/new")


async def test_empty_reply_is_refused(client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    await post(client, f"/staff/case/{cid}/claim")
    assert (await post(client, f"/staff/case/{cid}/reply", body="  ")).status == 400
    assert [o.payload["key"] for o in await _outbox(bot)] == ["complaint.update.claimed"]
