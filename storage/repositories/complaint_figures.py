"""The case times the supervisor figures are computed from (bot.core.complaints.figures),
for some offices and an optional filing period. Office-scoped: no office finds nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.complaints import Complaint


@dataclass(frozen=True, slots=True)
class CaseTimes:
    office_code: str
    status: str
    created_at: datetime | None
    first_response_due: datetime | None
    first_response_at: datetime | None
    resolution_due: datetime | None
    resolved_at: datetime | None
    satisfaction: str | None


async def case_times(session: AsyncSession, *, office_codes: Sequence[str],
                     since: datetime | None = None, until: datetime | None = None
                     ) -> list[CaseTimes]:
    """Every complaint of these offices filed in [since, until)."""
    if not office_codes:
        return []
    stmt = select(Complaint.office_code, Complaint.status, Complaint.created_at,
                  Complaint.first_response_due, Complaint.first_response_at,
                  Complaint.resolution_due, Complaint.resolved_at, Complaint.satisfaction
                  ).where(Complaint.office_code.in_(list(office_codes)))
    if since is not None:
        stmt = stmt.where(Complaint.created_at >= since)
    if until is not None:
        stmt = stmt.where(Complaint.created_at < until)
    return [CaseTimes(*row) for row in (await session.execute(stmt.order_by(Complaint.id)))]
