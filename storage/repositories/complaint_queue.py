"""The complaint queue's atomic state changes: claim the next case, compare-and-set status
transitions, field changes (lease, escalation, office, handler), expired leases.

Each change is one conditional UPDATE plus its audit event, inside the caller's
transaction. Lifecycle rules (which transition is allowed, who may act) live in
bot.core.complaints.rules; this module only makes each change atomic.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgres
from storage.models import utcnow
from storage.models.complaints import Complaint, ComplaintEvent
from storage.repositories.complaint_records import SYSTEM, Actor, add_event

QUEUED = ("new", "reopened")
HANDOFF = ("assigned", "waiting_on_complainant")
FINISHED = ("resolved", "closed")
# Queue order of claim_next (SQL ORDER BY over complaints): add a key in front to move
# cases up; both dialects use it.
QUEUE_ORDER = "urgent DESC, flagged_overdue DESC, created_at, id"


async def _status_before(session: AsyncSession, complaint_id: int) -> str | None:
    stmt = select(ComplaintEvent.new_status).where(
        ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.new_status.is_not(None),
    ).order_by(ComplaintEvent.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_next(
    session: AsyncSession, *, office_code: str, staff_id: int, lease_until: datetime,
    actor: Actor | None = None,
) -> int | None:
    """Atomically take the first queued complaint of the office in QUEUE_ORDER (most
    urgent, then overdue, then oldest) and write its "claimed" event.

    On PostgreSQL one statement: `FOR UPDATE SKIP LOCKED` (concurrent claimers skip each
    other's rows), the UPDATE and the event INSERT. On SQLite (writers are serialised) a
    single UPDATE ... WHERE id = (SELECT ...) AND status IN queued, then the event.
    Returns the claimed id or None."""
    if not office_code:
        return None
    now = utcnow()
    params: dict[str, Any] = {"me": staff_id, "lease": lease_until, "now": now,
                              "office": office_code}
    actor = actor or Actor("staff", str(staff_id))
    if is_postgres(session):
        # One round trip: pick + claim + the "claimed" audit event in one statement.
        params.update(kind=actor.kind, actor_id=actor.id, channel=actor.channel)
        row = (await session.execute(text(
            "WITH picked AS (SELECT id, status FROM complaints"
            " WHERE status IN ('new', 'reopened') AND office_code = :office"
            f" ORDER BY {QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED),"
            " claimed AS (UPDATE complaints AS c SET status = 'assigned', assigned_to = :me,"
            " lease_until = :lease, updated_at = :now FROM picked WHERE c.id = picked.id"
            " RETURNING c.id, picked.status AS old),"
            " logged AS (INSERT INTO complaint_events (complaint_id, kind, actor_kind,"
            " actor_id, channel, old_status, new_status, created_at)"
            " SELECT id, 'claimed', :kind, :actor_id, :channel, old, 'assigned', :now"
            " FROM claimed)"
            " SELECT id, old FROM claimed"), params)).first()
        return None if row is None else int(row[0])
    row = (await session.execute(text(
        "UPDATE complaints SET status = 'assigned', assigned_to = :me,"
        " lease_until = :lease, updated_at = :now"
        " WHERE id = (SELECT id FROM complaints WHERE status IN ('new', 'reopened')"
        f" AND office_code = :office ORDER BY {QUEUE_ORDER} LIMIT 1)"
        " AND status IN ('new', 'reopened') RETURNING id"), params)).first()
    if row is None:
        return None
    complaint_id = int(row[0])
    old = await _status_before(session, complaint_id) or "new"
    await add_event(session, complaint_id, "claimed", actor, old_status=old,
                    new_status="assigned")
    return complaint_id


async def compare_and_set(
    session: AsyncSession, complaint_id: int, *, expected: Iterable[str], new_status: str,
    kind: str, actor: Actor, body: str | None = None, in_office: str | None = None,
    **values: Any,
) -> str | None:
    """Move the complaint to `new_status` only if its status is one of `expected` (and it
    is in office `in_office` when given): one conditional UPDATE; `values` may move it to
    another office (office_code=...). Writes the event and returns the old status, or None
    when the condition did not hold (nothing changed)."""
    expected = tuple(expected)
    current = (await session.execute(
        select(Complaint.status, Complaint.office_code).where(Complaint.id == complaint_id)
    )).first()
    if current is None or current[0] not in expected:
        return None
    if in_office is not None and current[1] != in_office:
        return None
    old = str(current[0])
    values.setdefault("updated_at", utcnow())
    stmt = update(Complaint).where(Complaint.id == complaint_id, Complaint.status == old)
    if in_office is not None:
        stmt = stmt.where(Complaint.office_code == in_office)
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


async def mark_overdue(session: AsyncSession, *, now: datetime) -> list[tuple[int, str]]:
    """Mark open cases whose first response or resolution target has passed: overdue,
    flagged (up the queue) and escalated (the supervisor's badge), each with an event.

    One conditional UPDATE ... RETURNING: a case is marked once (`overdue_at IS NULL`), so
    several workers running this at the same time never mark or announce a case twice
    (PostgreSQL re-checks the condition on rows another transaction just changed; SQLite
    serialises writers). A case waiting on the complainant is not counted as late.
    Returns (id, "first_response" | "resolution") of the cases marked now."""
    late = or_(and_(Complaint.first_response_at.is_(None), Complaint.first_response_due < now),
               Complaint.resolution_due < now)
    stmt = (update(Complaint)
            .where(Complaint.overdue_at.is_(None),
                   Complaint.status.in_((*QUEUED, "assigned")), late)
            .values(overdue_at=now, flagged_overdue=True, escalated=True, updated_at=now)
            .returning(Complaint.id, Complaint.first_response_at)
            .execution_options(synchronize_session=False))
    marked = sorted((int(cid), "resolution" if responded else "first_response")
                    for cid, responded in (await session.execute(stmt)).all())
    for complaint_id, kind in marked:
        await add_event(session, complaint_id, "overdue", SYSTEM, body=kind)
    return marked
