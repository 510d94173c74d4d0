"""Complaint intake and follow-up through the engine: reply keys and stored state only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.composition import Bot, build_bot
from bot.core.complaints.casework import Casework
from bot.core.complaints.rules import Offices
from bot.core.messages import Message, Reply
from bot.core.nlu import NLU
from bot.settings import Settings
from storage.models import User
from storage.models.agencies import AgencyReport
from storage.models.complaints import Complaint, ComplaintMessage, Staff
from storage.repositories import complaint_views, outbox
from storage.repositories.staff import create_staff


async def say(bot: Bot, text: str | None = None, button: str | None = None,
              user: str = "u1") -> list[Reply]:
    return await bot.engine.handle(Message("web", user, text=text, button=button))


def keys(replies: list[Reply]) -> list[str]:
    return [r.key for r in replies]


async def state(bot: Bot, user: str = "u1") -> dict[str, object]:
    async with bot.sessions() as session:
        row = (await session.execute(select(User).where(User.external_id == user))).scalar_one()
        return dict(row.state)


async def complaints(bot: Bot) -> list[Complaint]:
    async with bot.sessions() as session:
        return list((await session.execute(select(Complaint))).scalars())


HAPPY = [
    ("button", "complaint"), ("button", "complaint:pick:consent:yes"),
    ("button", "complaint:pick:affected:self"),
    ("button", "complaint:pick:category:agency_fraud"), ("text", "PT Maju Jaya Abadi"),
    ("button", "complaint:pick:country:Malaysia"), ("text", "Kuala Lumpur"),
    ("text", "jatim"), ("button", "complaint:skip"),
    ("text", "Agen minta uang 15 juta lalu menghilang, tidak jadi berangkat."),
    ("button", "complaint:skip"), ("button", "complaint:pick:contact:chat"),
]


async def run(bot: Bot, steps: list[tuple[str, str]], user: str = "u1") -> list[Reply]:
    replies: list[Reply] = []
    for kind, value in steps:
        replies = await (say(bot, button=value, user=user) if kind == "button"
                         else say(bot, text=value, user=user))
    return replies


async def test_happy_path_files_a_routed_complaint_with_ticket(bot: Bot) -> None:
    replies = await run(bot, HAPPY)
    assert keys(replies) == ["complaint.summary"]
    replies = await say(bot, button="complaint:pick:confirm:yes")
    assert keys(replies) == ["complaint.filed"]
    [c] = await complaints(bot)
    assert c.ticket in replies[0].text and c.status == "new" and not c.urgent
    assert (c.category, c.country, c.origin_province) == ("agency_fraud", "Malaysia",
                                                          "Jawa Timur")
    assert c.office_code == "BP3MI-JATIM" and c.agency_name == "PT Maju Jaya Abadi"
    assert c.contact is None and c.channel == "web"
    assert "flow" not in await state(bot)


async def test_agency_named_in_intake_is_checked_for_the_handler(bot: Bot) -> None:
    replies = await run(bot, HAPPY[:5])
    assert keys(replies) == ["complaint.agency_note.not_found", "complaint.ask_country"]
    await run(bot, HAPPY[5:])
    await say(bot, button="complaint:pick:confirm:yes")
    [c] = await complaints(bot)
    async with bot.sessions() as session:
        kinds = [e.kind for e in await complaint_views.events(session, c.id)]
    assert "agency_checked" in kinds


async def test_intake_flags_an_agency_whose_licence_lapsed(settings: Settings, nlu: NLU) -> None:
    bot = await build_bot(settings.model_copy(update={"seed_demo_data": True}), nlu=nlu)
    steps = [*HAPPY[:4], ("text", "PT Padma Karsa Wahana")]  # demo register: licence expired
    replies = await run(bot, steps)
    answers = (await state(bot))["flow_data"]["answers"]  # type: ignore[index]
    await bot.close()
    assert keys(replies)[0] == "complaint.agency_note.license_problem"
    assert answers["agency_check"]["match"] == "PT Padma Karsa Wahana"  # type: ignore[index]


async def test_photo_without_caption_is_kept_as_evidence(bot: Bot) -> None:
    await run(bot, HAPPY[:10])
    photo = Message("web", "u1", media="photo",
                    meta={"media": [{"ref": "tg:file-1", "mime": "image/jpeg", "size": 2048}]})
    assert keys(await bot.engine.handle(photo)) == ["complaint.evidence_saved"]
    answers = (await state(bot))["flow_data"]["answers"]  # type: ignore[index]
    assert answers["evidence"][0]["ref"] == "tg:file-1"  # type: ignore[index]


async def test_cancel_and_back(bot: Bot) -> None:
    await run(bot, HAPPY[:4])
    assert (await state(bot))["flow_data"]["step"] == "agency"  # type: ignore[index]
    assert keys(await say(bot, text="kembali")) == ["complaint.ask_category"]
    assert keys(await say(bot, text="2")) == ["complaint.ask_agency"]  # numbered choice
    assert (await state(bot))["flow_data"]["answers"]["category"] == "overcharging"  # type: ignore[index]
    assert keys(await say(bot, text="batal")) == ["complaint.cancelled"]
    assert "flow" not in await state(bot) and await complaints(bot) == []


async def test_intake_resumes_after_restart(settings: Settings, nlu: NLU) -> None:
    first = await build_bot(settings, nlu=nlu)
    await run(first, HAPPY[:7])
    await first.close()
    second = await build_bot(settings, nlu=nlu)
    try:
        assert keys(await say(second, text="jawa tengah")) == ["complaint.ask_district"]
        await run(second, HAPPY[8:])
        assert keys(await say(second, button="complaint:pick:confirm:yes")) == [
            "complaint.filed"]
        [c] = await complaints(second)
        assert c.office_code == "BP3MI-JATENG" and c.city == "Kuala Lumpur"
    finally:
        await second.close()


async def test_emergency_during_intake_answers_first_and_marks_urgent(bot: Bot) -> None:
    await run(bot, HAPPY[:9])
    assert (await state(bot))["flow_data"]["step"] == "description"  # type: ignore[index]
    assert keys(await say(bot, text="tolong sy dipukul majikan")) == ["emergency.violence"]
    assert (await state(bot))["flow"] == "complaint"
    replies = await say(bot, button="complaint")  # the emergency answer's button
    assert keys(replies) == ["complaint.resumed", "complaint.ask_evidence"]
    await run(bot, HAPPY[10:])
    assert keys(await say(bot, button="complaint:pick:confirm:yes")) == [
        "complaint.filed_urgent"]
    [c] = await complaints(bot)
    assert c.urgent and "emergency_seen" in c.urgency_reasons
    assert c.description is not None and "dipukul" in c.description


async def test_story_told_as_an_emergency_is_kept_when_a_photo_follows(bot: Bot) -> None:
    await run(bot, HAPPY[:9])
    story = "Paspor saya ditahan majikan sejak tiga bulan dan gaji belum dibayar."
    assert keys(await say(bot, text=story)) == ["emergency.passport"]
    photo = Message("web", "u1", media="photo",
                    meta={"media": [{"ref": "tg:file-2", "mime": "image/jpeg", "size": 2048}]})
    assert keys(await bot.engine.handle(photo)) == ["complaint.evidence_saved"]
    await run(bot, HAPPY[10:])
    assert keys(await say(bot, button="complaint:pick:confirm:yes")) == [
        "complaint.filed_urgent"]
    [c] = await complaints(bot)
    assert c.description is not None and "Paspor" in c.description


async def _file(bot: Bot, user: str) -> Complaint:
    await run(bot, HAPPY, user=user)
    await say(bot, button="complaint:pick:confirm:yes", user=user)
    async with bot.sessions() as session:
        stmt = select(Complaint).join(User, User.id == Complaint.user_id).where(
            User.external_id == user)
        return (await session.execute(stmt)).scalar_one()


async def test_status_lookup_only_for_own_tickets(bot: Bot) -> None:
    mine = await _file(bot, "u1")
    theirs = await _file(bot, "u2")
    assert keys(await say(bot, text=f"status tiket {mine.ticket}")) == ["complaint_status.new"]
    assert keys(await say(bot, text=f"status tiket {theirs.ticket}")) == [
        "complaint_status.ask_secret"]
    assert keys(await say(bot, text=f"cek {theirs.ticket.lower()} ABCD-EFGH")) == [
        "complaint_status.not_found"]


async def _staff(bot: Bot, office: str) -> Staff:
    async with bot.sessions() as session, session.begin():
        return await create_staff(session, username="ani", password="pw-123456",
                                  office_code=office)


async def test_handoff_attaches_messages_and_staff_reply_reaches_outbox(bot: Bot) -> None:
    c = await _file(bot, "u1")
    staff = await _staff(bot, c.office_code)
    work = Casework(bot.content, Offices.load(bot.settings.content_dir / "offices.yml"))
    async with bot.sessions() as session, session.begin():
        await work.claim(session, staff, c.id)
        await work.request_info(session, staff, c.id, "Berapa yang sudah dibayar?")
    async with bot.sessions() as session, session.begin():
        rows = await outbox.take_pending(session, "web", "u1")
        assert [r.payload["key"] for r in rows] == ["complaint.update.claimed",
                                                    "complaint.staff_request"]
    assert keys(await say(bot, text="sudah bayar 15 juta ke agen")) == [
        "human_handoff.attached"]
    async with bot.sessions() as session:
        case = await complaint_views.get(session, c.id, office_code=c.office_code)
        assert case is not None and case.status == "assigned"
        assert [m.sender for m in await complaint_views.messages(session, c.id)] == [
            "staff", "complainant"]
    async with bot.sessions() as session, session.begin():
        await work.resolve(session, staff, c.id)
    assert keys(await say(bot, text="sudah bayar 15 juta ke agen")) != [
        "human_handoff.attached"]


async def test_delete_my_data_after_confirmation(bot: Bot) -> None:
    c = await _file(bot, "u1")
    assert keys(await say(bot, text="hapus data saya")) == ["delete_data.confirm"]
    assert keys(await say(bot, button="delete_data:no")) == ["delete_data.kept"]
    assert keys(await say(bot, button="delete_data:yes")) == ["delete_data.done"]
    [row] = await complaints(bot)
    assert row.id == c.id and row.anonymised and row.user_id is None
    assert row.description is None and row.contact is None and row.status == "closed"
    assert row.category == "agency_fraud" and row.office_code == c.office_code
    async with bot.sessions() as session:
        n = (await session.execute(select(func.count()).select_from(ComplaintMessage))
             ).scalar_one()
        assert n == 0
        users = (await session.execute(select(User.external_id))).scalars().all()
        assert "u1" not in users


async def test_delete_my_data_unlinks_agency_reports(settings: Settings, nlu: NLU) -> None:
    bot = await build_bot(settings.model_copy(update={"seed_demo_data": True}), nlu=nlu)
    await say(bot, text="halo")
    await say(bot, button="agency_check")
    await say(bot, text="PT Tidak Ada Sama Sekali Sejahtera")
    await say(bot, button="agency:report")
    await say(bot, text="hapus data saya")
    await say(bot, button="delete_data:yes")
    async with bot.sessions() as session:
        reports = (await session.execute(select(AgencyReport))).scalars().all()
    await bot.close()
    assert len(reports) == 1 and reports[0].user_id is None


@pytest.fixture
async def second_bot(settings: Settings, nlu: NLU) -> AsyncIterator[Bot]:
    built = await build_bot(settings, nlu=nlu)
    yield built
    await built.close()
