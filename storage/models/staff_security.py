"""Staff sign-in security: server-side dashboard sessions and failed sign-in attempts.

A session row is keyed by the SHA-256 of the opaque token in the staff member's cookie (a
copy of the table does not open sessions). It ends at `expires_at` (absolute lifetime),
after `idle` minutes without a request (checked against `last_seen_at`), or when
`revoked_at` is set: logout, password change, a reset second factor, a disabled account.
`mfa_passed` is false between the password and the second factor.

`login_failures` counts failed sign-ins per key ("ip:<addr>", "user:<name>",
"pair:<addr>|<name>") so every worker throttles alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token) hex
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"),
                                          index=True)
    mfa_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
