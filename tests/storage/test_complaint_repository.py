"""Complaint queue storage on SQLite and PostgreSQL: atomic claims (20 concurrent claimers),
compare-and-set transitions, append-only events, office scoping, leases, outbox."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.complaints.casework import Casework, Conflict, Forbidden, NotFound
from bot.core.complaints.rules import Offices
from bot.core.complaints.tickets import new_ticket
from bot.core.content import Content
from bot.settings import PROJECT_ROOT
from storage import db
from storage.models import utcnow
from storage.models.complaints import AppendOnlyError, Complaint, OutboxMessage, Staff
from storage.repositories import complaint_queue, complaint_records, complaint_views, outbox
from storage.repositories import staff as staff_repo
from storage.repositories.complaint_records import Actor, NewComplaint
from storage.repositories.users import get_or_create_user

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    yield db.session_factory(engine)
    await engine.dispose()


async def _file(sessions: Sessions, n: int, office: str = "A", *, urgent_every: int = 0,
                user_id: int | None = None) -> list[int]:
    ids = []
    async with sessions() as session, session.begin():
        for i in range(n):
            urgent = bool(urgent_every) and i % urgent_every == 0
            c = await complaint_records.create_complaint(session, NewComplaint(
                category="other", channel="web", office_code=office, urgent=urgent,
                user_id=user_id, description=f"cerita {i}"), ticket=new_ticket(),
                secret_hash=None)
            ids.append(c.id)
    return ids


async def _staff(sessions: Sessions, name: str, office: str = "A", role: str = "handler"
                 ) -> Staff:
    async with sessions() as session, session.begin():
        return await staff_repo.create_staff(session, username=name, password="rahasia-123",
                                             office_code=office, role=role)


async def test_concurrent_claimers_claim_every_complaint_exactly_once(
        sessions: Sessions) -> None:
    ids = await _file(sessions, 40, urgent_every=7)
    claims: list[tuple[int, int]] = []

    async def claimer(me: int) -> None:
        while True:
            async with sessions() as session, session.begin():
                got = await complaint_queue.claim_next(
                    session, office_code="A", staff_id=me,
                    lease_until=utcnow() + timedelta(minutes=5))
            if got is None:
                return
            claims.append((got, me))

    handlers = [await _staff(sessions, f"h{i}") for i in range(20)]
    await asyncio.gather(*(claimer(h.id) for h in handlers))
    counted = Counter(cid for cid, _ in claims)
    assert sorted(counted) == sorted(ids)
    assert set(counted.values()) == {1}
    async with sessions() as session:
        rows = (await session.execute(select(Complaint))).scalars().all()
        assert {r.status for r in rows} == {"assigned"}
        assert all(r.assigned_to == dict(claims)[r.id] for r in rows)
        claimed_events = [e for cid in ids for e in await complaint_views.events(session, cid)
                          if e.kind == "claimed"]
        assert len(claimed_events) == len(ids)


async def test_claim_order_is_urgent_first_then_oldest(sessions: Sessions) -> None:
    ids = await _file(sessions, 5, urgent_every=3)  # ids[0] and ids[3] urgent
    me = await _staff(sessions, "ani")
    got = []
    for _ in range(5):
        async with sessions() as session, session.begin():
            got.append(await complaint_queue.claim_next(session, office_code="A",
                                                        staff_id=me.id, lease_until=utcnow()))
    assert got == [ids[0], ids[3], ids[1], ids[2], ids[4]]


async def test_scoping_fails_closed(sessions: Sessions) -> None:
    [a] = await _file(sessions, 1, "A")
    [b] = await _file(sessions, 1, "B")
    async with sessions() as session:
        assert await complaint_views.get(session, a, office_code="A") is not None
        assert await complaint_views.get(session, b, office_code="A") is None
        assert await complaint_views.get(session, a, office_code=None) is None
        assert [c.id for c in await complaint_views.list_view(
            session, office_code="A", view="all")] == [a]
        assert await complaint_views.list_view(session, office_code="", view="all") == []
    async with sessions() as session, session.begin():
        assert await complaint_queue.claim_next(session, office_code="", staff_id=1,
                                                lease_until=utcnow()) is None
        assert await complaint_queue.compare_and_set(
            session, b, expected=("new",), new_status="assigned", kind="claimed",
            actor=Actor("staff", "1"), in_office="A") is None


async def test_compare_and_set_and_append_only_events(sessions: Sessions) -> None:
    [cid] = await _file(sessions, 1)
    actor = Actor("staff", "1", "dashboard")
    async with sessions() as session, session.begin():
        assert await complaint_queue.compare_and_set(
            session, cid, expected=("resolved",), new_status="closed", kind="closed",
            actor=actor) is None
        assert await complaint_queue.compare_and_set(
            session, cid, expected=("new",), new_status="assigned", kind="claimed",
            actor=actor) == "new"
    async with sessions() as session:
        evs = await complaint_views.events(session, cid)
        assert [(e.kind, e.old_status, e.new_status) for e in evs] == [
            ("created", None, "new"), ("claimed", "new", "assigned")]
        evs[0].body = "changed"
        with pytest.raises(AppendOnlyError):
            await session.flush()
        await session.rollback()
        async with session.begin():
            await session.delete((await complaint_views.events(session, cid))[0])
            with pytest.raises(AppendOnlyError):
                await session.flush()


async def test_lease_expiry_returns_case_to_queue_flagged(sessions: Sessions) -> None:
    [cid] = await _file(sessions, 1)
    me = await _staff(sessions, "ani")
    async with sessions() as session, session.begin():
        await complaint_queue.claim_next(session, office_code="A", staff_id=me.id,
                                         lease_until=utcnow() - timedelta(seconds=1))
    async with sessions() as session, session.begin():
        assert await complaint_queue.release_expired(session) == [cid]
        assert await complaint_queue.release_expired(session) == []
    async with sessions() as session:
        c = await complaint_views.get(session, cid, office_code="A")
        assert c is not None and c.status == "new" and c.flagged_overdue
        assert c.assigned_to is None
        assert [x.id for x in await complaint_views.list_view(session, office_code="A",
                                                              view="overdue")] == [cid]
        assert (await complaint_views.events(session, cid))[-1].kind == "lease_expired"


async def test_staff_reply_writes_message_event_and_outbox_together(
        sessions: Sessions) -> None:
    content = Content.load(PROJECT_ROOT / "content")
    offices = Offices.load(PROJECT_ROOT / "content" / "offices.yml")
    work = Casework(content, offices)
    async with sessions() as session, session.begin():
        user = await get_or_create_user(session, "web", "u1")
    [cid] = await _file(sessions, 1, user_id=user.id)
    handler = await _staff(sessions, "ani")
    other = await _staff(sessions, "budi")
    stranger = await _staff(sessions, "citra", office="B")
    async with sessions() as session, session.begin():
        with pytest.raises(NotFound):
            await work.claim(session, stranger, cid)
        with pytest.raises(Forbidden):
            await work.reply(session, handler, cid, "Halo Kak")
        await work.claim(session, handler, cid)
        with pytest.raises(Conflict):
            await work.claim(session, other, cid)
    async with sessions() as session, session.begin():
        await work.reply(session, handler, cid, "Mohon kirim kuitansi", request_info=True)
    async with sessions() as session, session.begin():
        rows = await outbox.take_pending(session, "web", "u1")
        assert [r.payload["key"] for r in rows] == ["complaint.update.claimed",
                                                    "complaint.staff_request"]
        c = await complaint_views.get(session, cid, office_code="A")
        assert c is not None and c.status == "waiting_on_complainant"
        assert [m.sender for m in await complaint_views.messages(session, cid)] == ["staff"]
        for row in rows:
            outbox.mark_sent(row)
    # A failing reply (empty body) leaves no message and no outbox row behind.
    with pytest.raises(Exception):  # noqa: B017
        async with sessions() as session, session.begin():
            await work.resolve(session, handler, cid)
            await work.reply(session, handler, cid, "   ")
    async with sessions() as session:
        c = await complaint_views.get(session, cid, office_code="A")
        assert c is not None and c.status == "waiting_on_complainant"
        pending = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.status == "pending"))).scalars().all()
        assert pending == []
