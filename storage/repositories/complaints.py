"""Complaint queue storage: create, atomic claim, compare-and-set transitions, leases,
conversation, office-scoped views and anonymisation.

Every function works inside the caller's transaction (`async with session.begin()`), so a
state change, its event and any outbox row commit together. Lifecycle rules (which
transition is allowed, who may act) live in bot.core.complaints; this module only makes
each change atomic. Office scoping fails closed: `office_code=None` or "" finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    Evidence,
    OutboxMessage,
)

QUEUED = ("new", "reopened")
HANDOFF = ("assigned", "waiting_on_complainant")
FINISHED = ("resolved", "closed")
VIEWS = ("new", "mine", "waiting", "urgent", "overdue", "all")


@dataclass
class Actor:
    """Who did something: kind "complainant" | "staff" | "system", an id, a channel."""

    kind: str
    id: str | None = None
    channel: str | None = None


SYSTEM = Actor("system")


@dataclass
class EvidenceRef:
    media_ref: str
    mime: str | None = None
    size: int | None = None


@dataclass
class NewComplaint:
    """Everything the intake collected, plus routing and triage decided in core."""

    category: str
    channel: str
    office_code: str
    affected: str = "self"
    user_id: int | None = None
    agency_name: str | None = None
    country: str | None = None
    city: str | None = None
    origin_province: str | None = None
    origin_district: str | None = None
    description: str | None = None
    contact: str | None = None
    urgent: bool = False
    urgency_reasons: list[str] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)


async def add_event(
    session: AsyncSession, complaint_id: int, kind: str, actor: Actor = SYSTEM, *,
    old_status: str | None = None, new_status: str | None = None, body: str | None = None,
) -> ComplaintEvent:
    """Append one event to the complaint's audit log (never updated afterwards)."""
    ev = ComplaintEvent(
        complaint_id=complaint_id, kind=kind, actor_kind=actor.kind, actor_id=actor.id,
        channel=actor.channel, old_status=old_status, new_status=new_status, body=body,
        created_at=utcnow(),
    )
    session.add(ev)
    await session.flush()
    return ev


async def create_complaint(
    session: AsyncSession, new: NewComplaint, *, ticket: str, secret_hash: str | None,
    actor: Actor = SYSTEM,
) -> Complaint:
    """Insert a complaint (status "new"), its evidence references and a "created" event.
    A duplicate ticket raises IntegrityError; call inside `session.begin_nested()` to retry."""
    now = utcnow()
    complaint = Complaint(
        ticket=ticket, secret_hash=secret_hash, status="new", category=new.category,
        affected=new.affected, agency_name=new.agency_name, country=new.country,
        city=new.city, origin_province=new.origin_province,
        origin_district=new.origin_district, description=new.description,
        contact=new.contact, channel=new.channel, user_id=new.user_id,
        office_code=new.office_code, urgent=new.urgent,
        urgency_reasons=list(new.urgency_reasons), escalated=False, bot_released=False,
        flagged_overdue=False, anonymised=False, created_at=now, updated_at=now,
    )
    session.add(complaint)
    await session.flush()
    for ref in new.evidence:
        session.add(Evidence(complaint_id=complaint.id, channel=new.channel,
                             media_ref=ref.media_ref[:500], mime=ref.mime, size=ref.size))
    await add_event(session, complaint.id, "created", actor, new_status="new")
    return complaint


async def get(session: AsyncSession, complaint_id: int, *, office_code: str | None
              ) -> Complaint | None:
    """The complaint if it belongs to `office_code` (None when absent or another office)."""
    if not office_code:
        return None
    stmt = select(Complaint).where(Complaint.id == complaint_id,
                                   Complaint.office_code == office_code)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_by_ticket(session: AsyncSession, ticket: str) -> Complaint | None:
    """Complainant-side lookup by ticket (ownership is checked by the caller)."""
    stmt = select(Complaint).where(Complaint.ticket == ticket)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_user(session: AsyncSession, user_id: int) -> list[Complaint]:
    """The user's complaints, newest first."""
    stmt = select(Complaint).where(Complaint.user_id == user_id).order_by(
        Complaint.created_at.desc(), Complaint.id.desc())
    return list((await session.execute(stmt)).scalars())


async def open_handoff_case(session: AsyncSession, user_id: int) -> Complaint | None:
    """The user's newest case a handler is working on (assigned / waiting on them) and
    has not released back to the bot: while it exists, the user talks to staff."""
    stmt = select(Complaint).where(
        Complaint.user_id == user_id, Complaint.status.in_(HANDOFF),
        Complaint.bot_released.is_(False),
    ).order_by(Complaint.updated_at.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _status_before(session: AsyncSession, complaint_id: int) -> str | None:
    stmt = select(ComplaintEvent.new_status).where(
        ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.new_status.is_not(None),
    ).order_by(ComplaintEvent.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_next(
    session: AsyncSession, *, office_code: str, staff_id: int, lease_until: datetime,
    actor: Actor | None = None,
) -> int | None:
    """Atomically take the most urgent, then oldest, queued complaint of the office.

    One conditional UPDATE: `FOR UPDATE SKIP LOCKED` on PostgreSQL (concurrent claimers
    skip each other's rows), a single UPDATE ... WHERE id = (SELECT ...) AND status IN
    queued on SQLite (writers are serialised). Returns the claimed id or None."""
    if not office_code:
        return None
    now = utcnow()
    params: dict[str, Any] = {"me": staff_id, "lease": lease_until, "now": now,
                              "office": office_code}
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        row = (await session.execute(text(
            "WITH picked AS (SELECT id, status FROM complaints"
            " WHERE status IN ('new', 'reopened') AND office_code = :office"
            " ORDER BY urgent DESC, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " UPDATE complaints AS c SET status = 'assigned', assigned_to = :me,"
            " lease_until = :lease, updated_at = :now FROM picked WHERE c.id = picked.id"
            " RETURNING c.id, picked.status"), params)).first()
        if row is None:
            return None
        complaint_id, old = int(row[0]), str(row[1])
    else:
        row = (await session.execute(text(
            "UPDATE complaints SET status = 'assigned', assigned_to = :me,"
            " lease_until = :lease, updated_at = :now"
            " WHERE id = (SELECT id FROM complaints WHERE status IN ('new', 'reopened')"
            " AND office_code = :office ORDER BY urgent DESC, created_at, id LIMIT 1)"
            " AND status IN ('new', 'reopened') RETURNING id"), params)).first()
        if row is None:
            return None
        complaint_id = int(row[0])
        old = await _status_before(session, complaint_id) or "new"
    await add_event(session, complaint_id, "claimed", actor or Actor("staff", str(staff_id)),
                    old_status=old, new_status="assigned")
    return complaint_id


async def compare_and_set(
    session: AsyncSession, complaint_id: int, *, expected: Iterable[str], new_status: str,
    kind: str, actor: Actor, body: str | None = None, office_code: str | None = None,
    **values: Any,
) -> str | None:
    """Move the complaint to `new_status` only if its status is one of `expected` (and it
    is in `office_code` when given): one conditional UPDATE. Writes the event and returns
    the old status, or None when the condition did not hold (nothing changed)."""
    expected = tuple(expected)
    current = (await session.execute(
        select(Complaint.status, Complaint.office_code).where(Complaint.id == complaint_id)
    )).first()
    if current is None or current[0] not in expected:
        return None
    if office_code is not None and current[1] != office_code:
        return None
    old = str(current[0])
    values.setdefault("updated_at", utcnow())
    stmt = update(Complaint).where(Complaint.id == complaint_id, Complaint.status == old)
    if office_code is not None:
        stmt = stmt.where(Complaint.office_code == office_code)
    result = await session.execute(
        stmt.values(status=new_status, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    await add_event(session, complaint_id, kind, actor, old_status=old,
                    new_status=new_status, body=body)
    return old


async def update_fields(session: AsyncSession, complaint_id: int, kind: str, actor: Actor,
                        body: str | None = None, **values: Any) -> None:
    """Change non-status fields (lease, escalation, office, handler) with an event."""
    values.setdefault("updated_at", utcnow())
    await session.execute(update(Complaint).where(Complaint.id == complaint_id)
                          .values(**values).execution_options(synchronize_session=False))
    await add_event(session, complaint_id, kind, actor, body=body)


async def release_expired(session: AsyncSession, *, now: datetime | None = None,
                          office_code: str | None = None) -> list[int]:
    """Return assigned complaints whose lease ran out to the queue ("new"), flagged
    overdue, each with an event. Returns their ids."""
    now = now or utcnow()
    stmt = select(Complaint.id).where(Complaint.status == "assigned",
                                      Complaint.lease_until < now)
    if office_code:
        stmt = stmt.where(Complaint.office_code == office_code)
    released = []
    for complaint_id in (await session.execute(stmt)).scalars().all():
        old = await compare_and_set(
            session, complaint_id, expected=("assigned",), new_status="new",
            kind="lease_expired", actor=SYSTEM, assigned_to=None, lease_until=None,
            flagged_overdue=True)
        if old is not None:
            released.append(complaint_id)
    return released


async def add_message(session: AsyncSession, complaint_id: int, sender: str, body: str,
                      *, staff_id: int | None = None) -> ComplaintMessage:
    """Append a conversation message ("complainant" or "staff")."""
    msg = ComplaintMessage(complaint_id=complaint_id, sender=sender, staff_id=staff_id,
                           body=body, redacted=False, created_at=utcnow())
    session.add(msg)
    await session.flush()
    return msg


def _view(stmt: Select[Any], view: str, staff_id: int | None) -> Select[Any]:
    open_ = Complaint.status.not_in(FINISHED)
    if view == "new":
        return stmt.where(Complaint.status.in_(QUEUED))
    if view == "mine":
        return stmt.where(Complaint.assigned_to == staff_id, Complaint.status.in_(HANDOFF))
    if view == "waiting":
        return stmt.where(Complaint.status == "waiting_on_complainant")
    if view == "urgent":
        return stmt.where(Complaint.urgent.is_(True), open_)
    if view == "overdue":
        return stmt.where(Complaint.flagged_overdue.is_(True), open_)
    if view == "all":
        return stmt
    raise ValueError(f"unknown view {view!r}")


async def list_view(session: AsyncSession, *, office_code: str | None, view: str = "new",
                    staff_id: int | None = None, status: str | None = None,
                    limit: int = 100, offset: int = 0) -> list[Complaint]:
    """Complaints of one office in a dashboard view (urgent first, then oldest).
    No office -> empty list (fail closed)."""
    if not office_code:
        return []
    stmt = _view(select(Complaint).where(Complaint.office_code == office_code), view, staff_id)
    if status:
        stmt = stmt.where(Complaint.status == status)
    stmt = stmt.order_by(Complaint.urgent.desc(), Complaint.created_at, Complaint.id)
    return list((await session.execute(stmt.limit(limit).offset(offset))).scalars())


async def count_view(session: AsyncSession, *, office_code: str | None, view: str,
                     staff_id: int | None = None) -> int:
    """Number of complaints in a view (for dashboard tabs); 0 without an office."""
    if not office_code:
        return 0
    stmt = _view(select(func.count()).select_from(Complaint)
                 .where(Complaint.office_code == office_code), view, staff_id)
    return int((await session.execute(stmt)).scalar_one())


async def list_all(session: AsyncSession, *, status: str | None = None) -> list[Complaint]:
    """Every complaint (operator CLI only; never for staff views)."""
    stmt = select(Complaint).order_by(Complaint.created_at, Complaint.id)
    if status:
        stmt = stmt.where(Complaint.status == status)
    return list((await session.execute(stmt)).scalars())


async def events(session: AsyncSession, complaint_id: int) -> list[ComplaintEvent]:
    stmt = select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
    return list((await session.execute(stmt.order_by(ComplaintEvent.id))).scalars())


async def messages(session: AsyncSession, complaint_id: int) -> list[ComplaintMessage]:
    stmt = select(ComplaintMessage).where(ComplaintMessage.complaint_id == complaint_id)
    return list((await session.execute(stmt.order_by(ComplaintMessage.id))).scalars())


async def evidence(session: AsyncSession, complaint_id: int) -> list[Evidence]:
    stmt = select(Evidence).where(Evidence.complaint_id == complaint_id)
    return list((await session.execute(stmt.order_by(Evidence.id))).scalars())


async def anonymise_user(session: AsyncSession, user_id: int, channel: str,
                         external_id: str) -> Sequence[int]:
    """Delete a user's personal data from complaints: PII fields nulled, message texts
    and evidence references removed, the user's outbox rows dropped, open cases closed.
    Category, country, province, office, status and dates stay for anonymous counts."""
    ids = [c.id for c in await for_user(session, user_id)]
    actor = Actor("complainant", str(user_id), channel)
    for complaint_id in ids:
        await compare_and_set(session, complaint_id, expected=("new", "reopened", *HANDOFF),
                              new_status="closed", kind="data_deleted", actor=actor)
        await add_event(session, complaint_id, "anonymised", actor)
    if ids:
        await session.execute(update(Complaint).where(Complaint.id.in_(ids)).values(
            description=None, contact=None, city=None, origin_district=None,
            secret_hash=None, user_id=None, anonymised=True, updated_at=utcnow(),
        ).execution_options(synchronize_session=False))
        await session.execute(update(ComplaintMessage).where(
            ComplaintMessage.complaint_id.in_(ids)).values(body="", redacted=True)
            .execution_options(synchronize_session=False))
        await session.execute(delete(Evidence).where(Evidence.complaint_id.in_(ids)))
    await session.execute(delete(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.external_user_id == external_id))
    return ids
