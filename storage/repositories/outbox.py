"""The durable outbox: replies to users written in the same transaction as the change that
caused them, then delivered by a channel (pull for the web chat, push for the others).

`take_pending` locks the rows it returns on PostgreSQL (`FOR UPDATE SKIP LOCKED`), so two
senders never deliver the same row; mark them sent or failed in that same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgres
from storage.models import utcnow
from storage.models.complaints import OutboxMessage

MAX_ATTEMPTS = 8
_TABLE = cast(Table, OutboxMessage.__table__)  # Core inserts: no ORM objects


async def enqueue(
    session: AsyncSession, *, channel: str, external_user_id: str, payload: dict[str, Any],
    idempotency_key: str | None = None, complaint_id: int | None = None,
) -> OutboxMessage:
    """Queue one reply (a Reply.to_dict()) for a user on a channel (flushed: it has an id)."""
    row = enqueue_row(session, channel=channel, external_user_id=external_user_id,
                      payload=payload, idempotency_key=idempotency_key,
                      complaint_id=complaint_id)
    await session.flush()
    return row


def enqueue_row(
    session: AsyncSession, *, channel: str, external_user_id: str, payload: dict[str, Any],
    idempotency_key: str | None = None, complaint_id: int | None = None,
) -> OutboxMessage:
    """`enqueue` without the flush: the row is written with the next flush or the commit,
    together with the others (a batch of turns inserts its replies in one statement)."""
    row = OutboxMessage(
        channel=channel, external_user_id=external_user_id, payload=payload,
        status="pending", attempts=0, idempotency_key=idempotency_key or uuid.uuid4().hex,
        complaint_id=complaint_id, created_at=utcnow(),
    )
    session.add(row)
    return row


NewRow = tuple[str, str, dict[str, Any], str]  # channel, external user id, payload, key


async def enqueue_many(session: AsyncSession, replies: Sequence[NewRow]) -> None:
    """Queue many replies, (channel, external user id, payload, idempotency key) each, in one
    statement without ORM objects (a batch of turns: the hot path). Objects already added
    to the session are written first, so the ids keep the order the replies were made in."""
    if not replies:
        return
    await session.flush()
    now = utcnow()
    await session.execute(insert(_TABLE), [
        {"channel": channel, "external_user_id": user, "payload": payload, "status": "pending",
         "attempts": 0, "idempotency_key": key, "created_at": now}
        for channel, user, payload, key in replies])


async def take_pending(
    session: AsyncSession, channel: str, external_user_id: str | None = None, limit: int = 50,
) -> list[OutboxMessage]:
    """Pending rows of a channel (optionally one user), oldest first, locked for delivery."""
    stmt = select(OutboxMessage).where(OutboxMessage.channel == channel,
                                       OutboxMessage.status == "pending")
    if external_user_id is not None:
        stmt = stmt.where(OutboxMessage.external_user_id == external_user_id)
    stmt = stmt.order_by(OutboxMessage.id).limit(limit)
    if is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


def mark_sent(row: OutboxMessage) -> None:
    row.status = "sent"
    row.attempts += 1
    row.sent_at = utcnow()


def mark_failed(row: OutboxMessage, error: str, *, max_attempts: int = MAX_ATTEMPTS) -> None:
    """Count a failed attempt; after `max_attempts` the row is given up ("failed")."""
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= max_attempts:
        row.status = "failed"


async def for_complaint(session: AsyncSession, complaint_id: int) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.complaint_id == complaint_id)
    return list((await session.execute(stmt.order_by(OutboxMessage.id))).scalars())
