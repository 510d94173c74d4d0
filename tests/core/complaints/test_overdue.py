"""The periodic overdue check with a controllable clock (no sleeping): cases past their
target are marked once, move up the queue, get the supervisor's badge, and the
complainant (and the staff Telegram chat, when configured) are told through the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.composition import Bot, build_bot
from bot.core.complaints.casework import Casework
from bot.core.complaints.overdue import OverdueCheck
from bot.core.complaints.rules import Offices, file_complaint
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from storage.models import utcnow
from storage.models.complaints import Complaint, OutboxMessage
from storage.repositories import complaint_views
from storage.repositories.staff import create_staff
from storage.repositories.users import get_or_create_user


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def pg_bot(database_url: str, nlu: NLU) -> AsyncIterator[Bot]:
    built = await build_bot(Settings(database_url=database_url, seed_demo_data=False,
                                     cache_dir=PROJECT_ROOT / "var" / "cache"), nlu=nlu)
    yield built
    await built.close()


async def _file(bot: Bot, user: str, offices: Offices) -> Complaint:
    async with bot.sessions() as session, session.begin():
        row = await get_or_create_user(session, "web", user)
        complaint, _ = await file_complaint(session, user=row, channel="web", offices=offices,
                                            answers={"category": "overcharging",
                                                     "province": "Jawa Timur",
                                                     "description": "Uang diambil agen."})
        return complaint


async def _outbox(bot: Bot) -> list[tuple[str, str, str]]:
    async with bot.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        return [(r.channel, r.external_user_id, r.payload["key"]) for r in rows]


async def test_overdue_check_marks_once_moves_up_and_tells_complainant_and_staff(
        pg_bot: Bot) -> None:
    bot, clock = pg_bot, Clock()
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    older = await _file(bot, "u-old", offices)
    late = await _file(bot, "u-late", offices)
    check = OverdueCheck(bot.content, offices, staff_chat="-100777", clock=clock)
    async with bot.sessions() as session, session.begin():
        staff = await create_staff(session, username="ani", password="kata-sandi-uji-123",
                                   office_code=late.office_code, role="handler")
        assert await check.run(session) == []  # just filed: nothing is late
        # The older case gets its first response in time; the other does not.
        await Casework(bot.content, offices).claim(session, staff, older.id)
        await Casework(bot.content, offices).reply(session, staff, older.id, "Halo Kak")
    assert late.first_response_due is not None
    clock.now = late.first_response_due + timedelta(minutes=1)
    async with bot.sessions() as session, session.begin():
        assert await check.run(session) == [(late.id, "first_response")]
    async with bot.sessions() as session, session.begin():
        assert await check.run(session) == []  # marked once, announced once
        case = await session.get(Complaint, late.id)
        assert case is not None and case.flagged_overdue and case.escalated
        assert case.overdue_at is not None
        queue = await complaint_views.list_view(session, office_code=late.office_code,
                                                view="overdue")
        assert [c.id for c in queue] == [late.id]
        kinds = [e.kind for e in await complaint_views.events(session, late.id)]
        assert kinds[-1] == "overdue"
    sent = await _outbox(bot)
    assert ("web", "u-late", "complaint.update.overdue") in sent
    assert ("telegram", "-100777", "staff.overdue_alert") in sent
    assert not [s for s in sent if s[1] == "u-old" and s[2] == "complaint.update.overdue"]


async def test_an_overdue_case_is_claimed_before_an_older_one(bot: Bot) -> None:
    clock = Clock()
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    first = await _file(bot, "u1", offices)
    second = await _file(bot, "u2", offices)
    async with bot.sessions() as session, session.begin():
        # Only the second case is late (its target moved into the past by hand).
        row = await session.get(Complaint, second.id)
        assert row is not None
        row.first_response_due = clock.now - timedelta(hours=1)
    check = OverdueCheck(bot.content, offices, clock=clock)
    async with bot.sessions() as session, session.begin():
        assert await check.run(session) == [(second.id, "first_response")]
        staff = await create_staff(session, username="budi", password="kata-sandi-uji-123",
                                   office_code=first.office_code, role="handler")
        claimed = await Casework(bot.content, offices).claim_next(session, staff)
        assert claimed is not None and claimed.id == second.id
    async with bot.sessions() as session:
        keys = [r for r in (await session.execute(select(OutboxMessage.channel))).scalars()]
        assert "telegram" not in keys  # no staff chat configured: no staff message


async def test_two_workers_checking_at_once_announce_a_case_once(pg_bot: Bot) -> None:
    bot, clock = pg_bot, Clock()
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    late = await _file(bot, "u-both", offices)
    assert late.resolution_due is not None
    clock.now = late.resolution_due + timedelta(minutes=1)
    check = OverdueCheck(bot.content, offices, staff_chat="-100888", clock=clock)

    async def worker() -> list[tuple[int, str]]:
        async with bot.sessions() as session, session.begin():
            return await check.run(session)

    results = await asyncio.gather(worker(), worker(), worker())
    assert sorted(r for result in results for r in result) == [(late.id, "first_response")]
    sent = [s for s in await _outbox(bot) if s[2] in ("complaint.update.overdue",
                                                       "staff.overdue_alert")]
    assert len(sent) == 2  # one to the complainant, one to the staff chat
