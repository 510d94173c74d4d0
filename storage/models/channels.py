"""Tables of the messaging channels (Telegram, WhatsApp): the durable inbox, delivery
statuses reported by the platform, and per-contact data such as the WhatsApp
customer-service window.

`inbox` makes webhooks idempotent: (platform, update_id) is unique, so a redelivered
update is acknowledged and ignored. A row is `pending` until the turn that answers it
commits (the same transaction marks it `done`), `failed` after repeated errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow

INBOX_STATUSES = ("pending", "done", "failed")
MEDIA_STATES = ("pending", "done", "failed")  # files of the update fetched into the store


class InboxUpdate(Base):
    """One inbound platform update (Telegram update / WhatsApp message), stored before the
    webhook answers 200 and processed per user in arrival order."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_id", name="uq_inbox_platform_update"),
        Index("ix_inbox_platform_status", "platform", "status", "id"),
        Index("ix_inbox_media_state", "platform", "media_state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Migration 0011: "pending" while the update's photos/documents are being fetched
    # into the media store (no turn answers it before), then "done" or "failed".
    media_state: Mapped[str | None] = mapped_column(String(16), default=None)


class DeliveryStatus(Base):
    """A status webhook (WhatsApp sent/delivered/read/failed) for a message we sent."""

    __tablename__ = "delivery_statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_message_id: Mapped[str] = mapped_column(String(128), index=True)
    recipient: Mapped[str | None] = mapped_column(String(128), default=None)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(32), default=None)
    error_title: Mapped[str | None] = mapped_column(String(200), default=None)
    outbox_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    reported_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelContact(Base):
    """What a channel knows about a user: the WhatsApp wa_id (phone) when given and the
    time of their last inbound message (the 24-hour customer-service window)."""

    __tablename__ = "channel_contacts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    # Migration 0011: when the user blocked the bot (Telegram my_chat_member "kicked"),
    # cleared when they write again.
    blocked_at: Mapped[datetime | None] = mapped_column(default=None)


class ChatReply(Base):
    """The replies given to one web chat message, kept under the client's message id so a
    retried request gets the same answer instead of a second turn (migration 0009)."""

    __tablename__ = "chat_replies"
    __table_args__ = (UniqueConstraint("channel", "user_id", "client_id",
                                       name="uq_chat_replies_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    client_id: Mapped[str] = mapped_column(String(64))
    replies: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
