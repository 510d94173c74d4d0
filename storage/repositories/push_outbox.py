"""Outbox queries for push channels (Telegram, WhatsApp): the head of each chat's queue,
and marking a row sent, retried later or failed for good.

Only the oldest pending row of a chat is ever eligible, so a row waiting for its retry
holds back the rows after it: per-chat order is preserved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import OutboxMessage


async def heads(session: AsyncSession, channel: str, *, now: datetime | None = None,
                exclude: set[str] | None = None, limit: int = 500) -> list[OutboxMessage]:
    """The oldest pending row of each chat of `channel` that is due now, oldest first."""
    first = (select(func.min(OutboxMessage.id))
             .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending")
             .group_by(OutboxMessage.external_user_id))
    stmt = select(OutboxMessage).where(OutboxMessage.id.in_(first)).order_by(OutboxMessage.id)
    rows = list((await session.execute(stmt.limit(limit * 2))).scalars())
    now = now or utcnow()
    due = [r for r in rows if r.next_attempt_at is None or _aware(r.next_attempt_at) <= now]
    if exclude:
        due = [r for r in due if r.external_user_id not in exclude]
    return due[:limit]


async def next_due_at(session: AsyncSession, channel: str) -> datetime | None:
    """The earliest scheduled retry among pending rows (None when none waits)."""
    stmt = select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.channel == channel, OutboxMessage.status == "pending")
    value = (await session.execute(stmt)).scalar_one_or_none()
    return _aware(value) if value is not None else None


async def mark_sent(session: AsyncSession, row_id: int, *, platform_message_id: str | None,
                    sent_as: str | None = None) -> bool:
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        status="sent", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1,
        platform_message_id=platform_message_id, sent_as=sent_as, next_attempt_at=None)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


async def mark_retry(session: AsyncSession, row_id: int, *, at: datetime, error: str) -> None:
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        attempts=OutboxMessage.attempts + 1, next_attempt_at=at, last_error=error[:500])
    await session.execute(stmt.execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, row_id: int, *, code: str, error: str,
                      sent_as: str | None = None) -> None:
    """Give up on a row for good (blocked bot, closed window...): staff see `code`."""
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        status="failed", attempts=OutboxMessage.attempts + 1, error_code=code[:32],
        last_error=error[:500], next_attempt_at=None, sent_as=sent_as)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def recent_for_chat(session: AsyncSession, channel: str, chat: str,
                          limit: int = 50) -> list[OutboxMessage]:
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.external_user_id == chat)
            .order_by(OutboxMessage.id.desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored as UTC."""
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
