"""What the complainant is told: the ticket, office and first-response target at filing;
stage, last action and next target in the status answer; the satisfaction question after
"resolved" ("tidak puas" reopens the case for a supervisor)."""

from __future__ import annotations

from sqlalchemy import select

from bot.composition import Bot
from bot.core.complaints.casework import Casework
from bot.core.complaints.rules import Offices
from storage.models.complaints import Complaint, OutboxMessage, Staff
from storage.repositories import complaint_views
from storage.repositories.staff import create_staff
from tests.core.complaints.test_intake import HAPPY, keys, run, say


async def _setup(bot: Bot) -> tuple[Complaint, Staff, Casework]:
    replies = await run(bot, [*HAPPY, ("button", "complaint:pick:confirm:yes")])
    assert keys(replies) == ["complaint.filed"]
    async with bot.sessions() as session, session.begin():
        complaint = (await session.execute(select(Complaint))).scalar_one()
        staff = await create_staff(session, username="ani", password="kata-sandi-uji-123",
                                   office_code=complaint.office_code, role="handler")
    return complaint, staff, Casework(bot.content,
                                      Offices.load(bot.settings.content_dir / "offices.yml"))


async def test_filing_answer_names_office_and_first_response_target(bot: Bot) -> None:
    replies = await run(bot, [*HAPPY, ("button", "complaint:pick:confirm:yes")])
    async with bot.sessions() as session:
        c = (await session.execute(select(Complaint))).scalar_one()
    assert c.first_response_due is not None and c.resolution_due is not None
    assert c.first_response_due < c.resolution_due
    assert "BP3MI Jawa Timur" in replies[0].text and "WIB" in replies[0].text


async def test_status_shows_stage_last_action_and_next_target(bot: Bot) -> None:
    complaint, staff, work = await _setup(bot)
    before = (await say(bot, text="status pengaduan saya"))[0]
    assert before.key == "complaint_status.new"
    assert bot.content.render("complaint_status.action.created").text in before.text
    assert "WIB" in before.text  # the first-response target, in the office's zone
    async with bot.sessions() as session, session.begin():
        await work.claim(session, staff, complaint.id)
        await work.reply(session, staff, complaint.id, "Halo Kak, kami cek dulu.")
    after = (await say(bot, text=f"status {complaint.ticket}"))[0]
    assert after.key == "complaint_status.assigned"
    assert bot.content.render("complaint_status.action.replied").text in after.text
    next_line = bot.content.entries["complaint_status.next.resolution"].text.split("{")[0]
    assert next_line in after.text


async def test_satisfied_answer_is_recorded_with_an_optional_comment(bot: Bot) -> None:
    complaint, staff, work = await _setup(bot)
    async with bot.sessions() as session, session.begin():
        await work.claim(session, staff, complaint.id)
        await work.resolve(session, staff, complaint.id)
        notice = (await session.execute(select(OutboxMessage).order_by(
            OutboxMessage.id.desc()))).scalars().first()
    assert notice is not None and notice.payload["key"] == "complaint.resolved_notice"
    puas = next(b["payload"] for b in notice.payload["buttons"])
    assert keys(await say(bot, button=puas)) == ["satisfaction.thanks"]
    assert keys(await say(bot, button=puas)) == ["satisfaction.unavailable"]  # once
    assert keys(await say(bot, text="Petugasnya ramah")) == ["satisfaction.comment_saved"]
    async with bot.sessions() as session:
        c = await session.get(Complaint, complaint.id)
        assert c is not None and c.status == "resolved"
        assert (c.satisfaction, c.satisfaction_comment) == ("puas", "Petugasnya ramah")


async def test_unsatisfied_answer_reopens_the_case_for_the_supervisor(bot: Bot) -> None:
    complaint, staff, work = await _setup(bot)
    async with bot.sessions() as session, session.begin():
        await work.claim(session, staff, complaint.id)
        await work.resolve(session, staff, complaint.id)
    answer = f"satisfaction:tidak_puas:{complaint.id}"
    assert keys(await say(bot, button=answer, user="someone-else")) == [
        "welcome", "satisfaction.unavailable"]  # not their case
    assert keys(await say(bot, button=answer)) == ["satisfaction.reopened"]
    assert keys(await say(bot, button="satisfaction:skip")) == ["satisfaction.done"]
    async with bot.sessions() as session:
        c = await session.get(Complaint, complaint.id)
        assert c is not None and c.status == "reopened" and c.escalated
        assert c.satisfaction == "tidak_puas" and c.assigned_to is None
        kinds = [e.kind for e in await complaint_views.events(session, complaint.id)]
        assert kinds[-2:] == ["satisfaction", "reopened_unsatisfied"]
