"""Complaint tables: offices, staff, complaints with their append-only event log,
conversation, evidence references, and the durable outbox of replies to complainants.

Office codes are plain strings (no foreign key): offices come from configuration
(content/offices.yml) and are mirrored into `offices` for the dashboard.
`complaint_events` is append-only: the ORM refuses to update or delete a loaded event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

STATUSES = ("new", "assigned", "waiting_on_complainant", "resolved", "closed", "reopened")
ROLES = ("handler", "supervisor", "admin", "village", "district")  # last two: village officials


class Office(Base):
    """A BP3MI office (or the default national queue), mirrored from content/offices.yml."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Staff(Base):
    """A dashboard account. `password_hash` is an argon2 hash (argon2-cffi)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16), default="handler")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Scope of a `village` / `district` account (migration 0006): the kode wilayah
    # of its village, or the kabupaten/kota code; such accounts see aggregates only.
    village_code: Mapped[str | None] = mapped_column(String(20), default=None)
    district_code: Mapped[str | None] = mapped_column(String(10), default=None)
    # Second factor (migration 0009): the TOTP secret once enrolled, the last time step
    # used (a code works once), recovery codes as SHA-256 hashes, and a one-time enrolment
    # link (its token's SHA-256 and expiry) for accounts created without a password.
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    recovery_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    enrol_token_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    enrol_expires_at: Mapped[datetime | None] = mapped_column(default=None)


class Complaint(Base):
    """One complaint. PII fields (description, contact, city, district) are nulled by a
    deletion request; the row stays for anonymous counts."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_overdue_check", "overdue_at", "status",
                            "resolution_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    category: Mapped[str] = mapped_column(String(32))
    affected: Mapped[str] = mapped_column(String(16), default="self")
    agency_name: Mapped[str | None] = mapped_column(String(200), default=None)
    country: Mapped[str | None] = mapped_column(String(100), default=None)
    city: Mapped[str | None] = mapped_column(String(100), default=None)
    origin_province: Mapped[str | None] = mapped_column(String(100), default=None)
    origin_district: Mapped[str | None] = mapped_column(String(100), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    contact: Mapped[str | None] = mapped_column(String(200), default=None)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    office_code: Mapped[str] = mapped_column(String(32), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    bot_released: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), default=None, index=True
    )
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    flagged_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # The intake conversation that filed it (migration 0009): unique, so two presses of
    # "confirm" racing each other file one complaint.
    intake_id: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    # Migration 0011: service targets (working time of the office, set at filing), the
    # first response to the complainant, the periodic overdue mark, and satisfaction
    # ("puas" | "tidak_puas", optional comment) asked after "resolved".
    first_response_due: Mapped[datetime | None] = mapped_column(default=None)
    resolution_due: Mapped[datetime | None] = mapped_column(default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    overdue_at: Mapped[datetime | None] = mapped_column(default=None)
    satisfaction: Mapped[str | None] = mapped_column(String(16), default=None)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text, default=None)
    satisfaction_at: Mapped[datetime | None] = mapped_column(default=None)


class ComplaintEvent(Base):
    """Append-only audit log entry: who (actor kind + id), when, via which channel, what."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    actor_kind: Mapped[str] = mapped_column(String(16))  # complainant | staff | system
    actor_id: Mapped[str | None] = mapped_column(String(64), default=None)
    channel: Mapped[str | None] = mapped_column(String(20), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    old_status: Mapped[str | None] = mapped_column(String(32), default=None)
    new_status: Mapped[str | None] = mapped_column(String(32), default=None)
    body: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintMessage(Base):
    """One message of the case conversation, from the complainant or a staff member."""

    __tablename__ = "complaint_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[str] = mapped_column(String(16))  # complainant | staff
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evidence(Base):
    """A photo or document kept by reference to the channel's media (never the bytes)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    media_ref: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str | None] = mapped_column(String(100), default=None)
    size: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A reply waiting to be delivered on a channel; written in the same transaction as
    the state change that caused it. `payload` is a Reply.to_dict()."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_user_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # or sent|failed|waiting
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # Push channels (migration 0005): retry schedule, the platform's permanent
    # error code (shown to staff), the platform's id for the sent message, and how it went
    # out ("invite": WhatsApp's 24-hour window had closed, the row is `waiting` for the
    # user to write again after an invitation template; "no_template": waiting without).
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    error_code: Mapped[str | None] = mapped_column(String(32), default=None)
    platform_message_id: Mapped[str | None] = mapped_column(String(128), default=None)
    sent_as: Mapped[str | None] = mapped_column(String(16), default=None)
    # Migration 0007: the sender that claimed the row sends it before this time; after it
    # (a crashed worker) the row may be claimed again.
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    # Migration 0011: when the row's last send attempt ended (accepted or not); the
    # platform's global and per-chat limits count attempts across workers.
    attempted_at: Mapped[datetime | None] = mapped_column(default=None)


class PlatformPause(Base):
    """Per platform (migration 0011): after a 429, no worker calls it before `until`; every
    call takes the next send slot, spaced by the global rate limit."""

    __tablename__ = "platform_pauses"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    until: Mapped[datetime | None] = mapped_column(default=None)
    next_slot: Mapped[datetime | None] = mapped_column(default=None)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a complaint event."""


@event.listens_for(ComplaintEvent, "before_update")
def _no_event_update(*_args: Any) -> None:
    raise AppendOnlyError("complaint_events is append-only")


@event.listens_for(ComplaintEvent, "before_delete")
def _no_event_delete(*_args: Any) -> None:
    raise AppendOnlyError("complaint_events is append-only")
