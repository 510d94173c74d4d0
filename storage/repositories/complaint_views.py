"""Office-scoped reads of complaints for staff: one case, the dashboard views and their
counts, a case's events, messages and evidence; and the operator's list of every complaint.

Office scoping fails closed: `office_code=None` or "" finds nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.complaints import Complaint, ComplaintEvent, ComplaintMessage, Evidence
from storage.repositories.complaint_queue import FINISHED, HANDOFF, QUEUED

VIEWS = ("new", "mine", "waiting", "urgent", "overdue", "all")


async def get(session: AsyncSession, complaint_id: int, *, office_code: str | None
              ) -> Complaint | None:
    """The complaint if it belongs to `office_code` (None when absent or another office)."""
    if not office_code:
        return None
    stmt = select(Complaint).where(Complaint.id == complaint_id,
                                   Complaint.office_code == office_code)
    return (await session.execute(stmt)).scalar_one_or_none()


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
    """Complaints of one office in a dashboard view (urgent, then overdue, then oldest).
    No office -> empty list (fail closed)."""
    if not office_code:
        return []
    stmt = _view(select(Complaint).where(Complaint.office_code == office_code), view, staff_id)
    if status:
        stmt = stmt.where(Complaint.status == status)
    stmt = stmt.order_by(Complaint.urgent.desc(), Complaint.flagged_overdue.desc(),
                         Complaint.created_at, Complaint.id)
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


async def last_event_id(session: AsyncSession, complaint_id: int) -> int:
    """The id of the case's newest event (0 without any): names one change of the case."""
    stmt = select(func.max(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == complaint_id)
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)
