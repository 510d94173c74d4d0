"""Queries only the staff dashboard needs: the "overdue" view (service targets), the
queue change stamp used by auto-refresh, the CSV export, and the staff audit log (sign-in, export).

Like storage.repositories.complaint_views, every complaint query is scoped to one office and
fails closed: no office code finds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import Complaint, ComplaintEvent, ComplaintMessage, Staff
from storage.models.staff_audit import StaffAudit

FINISHED = ("resolved", "closed")


def _overdue_filter(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        Complaint.status.not_in(FINISHED),
        or_(
            Complaint.flagged_overdue.is_(True),
            Complaint.overdue_at.is_not(None),
            and_(Complaint.first_response_at.is_(None), Complaint.first_response_due < now),
            and_(Complaint.status != "waiting_on_complainant", Complaint.resolution_due < now),
        ),
    )


async def list_overdue(session: AsyncSession, *, office_code: str | None, now: datetime,
                       limit: int = 100) -> list[Complaint]:
    """Open complaints past their first-response or resolution target (or flagged overdue
    by the periodic check or an expired lease); urgent first, then oldest."""
    if not office_code:
        return []
    stmt = (select(Complaint).where(Complaint.office_code == office_code,
                                    *_overdue_filter(now))
            .order_by(Complaint.urgent.desc(), Complaint.created_at, Complaint.id).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def count_overdue(session: AsyncSession, *, office_code: str | None,
                        now: datetime) -> int:
    if not office_code:
        return 0
    stmt = select(func.count()).select_from(Complaint).where(
        Complaint.office_code == office_code, *_overdue_filter(now))
    return int((await session.execute(stmt)).scalar_one())


async def queue_stamp(session: AsyncSession, *, office_code: str | None) -> str:
    """A short string that changes whenever any complaint of the office changes."""
    if not office_code:
        return "none"
    row = (await session.execute(
        select(func.count(), func.max(Complaint.id), func.max(Complaint.updated_at))
        .where(Complaint.office_code == office_code))).one()
    return f"{row[0]}-{row[1]}-{row[2]}"


async def case_stamp(session: AsyncSession, complaint_id: int) -> str:
    """A short string that changes when the case, its conversation or its log changes
    (the caller has already checked the case belongs to the staff member's office)."""
    status = (await session.execute(select(Complaint.status, Complaint.updated_at)
                                    .where(Complaint.id == complaint_id))).first()
    msgs = (await session.execute(select(func.count(), func.max(ComplaintMessage.id)).where(
        ComplaintMessage.complaint_id == complaint_id))).one()
    events = (await session.execute(select(func.max(ComplaintEvent.id)).where(
        ComplaintEvent.complaint_id == complaint_id))).scalar_one_or_none()
    return f"{status[0] if status else '-'}-{msgs[0]}-{msgs[1]}-{events}"


async def export_rows(session: AsyncSession, *, office_code: str | None,
                      limit: int = 50_000) -> list[tuple[Complaint, str | None]]:
    """All complaints of the office with the username of their handler, oldest first."""
    if not office_code:
        return []
    stmt = (select(Complaint, Staff.username)
            .outerjoin(Staff, Staff.id == Complaint.assigned_to)
            .where(Complaint.office_code == office_code)
            .order_by(Complaint.created_at, Complaint.id).limit(limit))
    return [(c, u) for c, u in (await session.execute(stmt)).all()]


async def record_audit(session: AsyncSession, *, action: str, username: str,
                       staff_id: int | None = None, office_code: str | None = None,
                       ip: str | None = None, detail: str | None = None) -> None:
    """Append one staff audit row (in the caller's transaction)."""
    session.add(StaffAudit(
        staff_id=staff_id, username=username[:64], office_code=office_code,
        action=action[:32], ip=(ip or "")[:64] or None,
        detail=detail[:500] if detail else None, created_at=utcnow()))


async def audit_log(session: AsyncSession, *, office_code: str | None,
                    limit: int = 200) -> list[StaffAudit]:
    """Recent audit rows of one office, newest first."""
    if not office_code:
        return []
    stmt = (select(StaffAudit).where(StaffAudit.office_code == office_code)
            .order_by(StaffAudit.id.desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())
