"""Audit log of staff actions that belong to no single complaint: sign-in, sign-out,
failed sign-in, CSV export. Actions on a complaint are audited in complaint_events.
Append-only: the ORM refuses to update or delete a loaded row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class StaffAudit(Base):
    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), default=None, index=True
    )
    username: Mapped[str] = mapped_column(String(64))
    office_code: Mapped[str | None] = mapped_column(String(32), default=None)
    action: Mapped[str] = mapped_column(String(32))  # login | login_failed | logout | export
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StaffAuditAppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(StaffAudit, "before_update")
def _no_update(*_args: Any) -> None:
    raise StaffAuditAppendOnlyError("staff_audit is append-only")


@event.listens_for(StaffAudit, "before_delete")
def _no_delete(*_args: Any) -> None:
    raise StaffAuditAppendOnlyError("staff_audit is append-only")
