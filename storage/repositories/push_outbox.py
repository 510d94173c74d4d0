"""Outbox queries for push channels (Telegram, WhatsApp): claiming the head of each chat's
queue, and recording rows sent, retried later or failed for good.

Only the oldest pending row of a chat is ever eligible, so a row waiting for its retry
holds back the rows after it: per-chat order is preserved. A sender *claims* the rows it
is about to send (`claimed_until`, a lease): a claimed row is not eligible for any other
sender, so two workers never send the same row; if a worker dies, the lease runs out and
the row is sent again (at-least-once). A chat that had a row sent less than `interval`
ago is not eligible either, so the per-chat rate limit holds across workers.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgres
from storage.models import utcnow
from storage.models.complaints import OutboxMessage

_T = cast(Table, OutboxMessage.__table__)
CLAIM_LOCK = 0x4A41_1000  # + a number per channel: PostgreSQL advisory lock keys


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row claimed for sending (bot.channels.sender.OutboxItem)."""

    id: int
    chat: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Sent:
    id: int
    at: datetime
    platform_message_id: str | None
    sent_as: str | None = None


def _free(now: datetime) -> ColumnElement[bool]:
    return and_(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))


async def claim_heads(session: AsyncSession, channel: str, *, lease: timedelta,
                      interval: timedelta, limit: int, per_second: float | None = None,
                      now: datetime | None = None) -> list[Claimed]:
    """Claim, for `lease`, the oldest pending row of up to `limit` chats that are due: not
    waiting for a retry, not claimed, and not sent to within `interval`. Oldest first.

    With `per_second`, the channel's rows sent in the last second and those claimed now
    (by any worker) count against it too; on PostgreSQL claims of one channel are
    serialised by a transaction advisory lock, so workers cannot share out one budget twice.
    """
    now = now or utcnow()
    postgres = is_postgres(session)
    if per_second is not None:
        if postgres:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                  {"key": CLAIM_LOCK + zlib.crc32(channel.encode()) % 1000})
        limit = min(limit, int(per_second) - await _busy(session, channel, now))
        if limit <= 0:
            return []
    # Plain shapes that stay fast on a table whose statistics lag (a burst fills it): the
    # head of each chat by a grouped min(id), recently served chats by the sent_at index.
    first_of_chat = (select(func.min(OutboxMessage.id))
                     .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending")
                     .group_by(OutboxMessage.external_user_id))
    served = select(OutboxMessage.external_user_id).where(
        OutboxMessage.channel == channel, OutboxMessage.sent_at > now - interval)
    heads = (select(OutboxMessage.id)
             .where(OutboxMessage.id.in_(first_of_chat), _free(now),
                    OutboxMessage.external_user_id.not_in(served))
             .order_by(OutboxMessage.id).limit(limit))
    if postgres:
        heads = heads.with_for_update(skip_locked=True)
    # A materialised CTE, not `id IN (subquery)`: PostgreSQL may rescan an IN subquery,
    # and with SKIP LOCKED a rescan can return other rows, claiming more than `limit`.
    chosen = heads.cte("chosen").prefix_with("MATERIALIZED")
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.id == chosen.c.id,
                   OutboxMessage.status == "pending", _free(now))
            .values(claimed_until=now + lease)
            .returning(OutboxMessage.id, OutboxMessage.external_user_id, OutboxMessage.payload,
                       OutboxMessage.idempotency_key, OutboxMessage.attempts,
                       OutboxMessage.created_at)
            .execution_options(synchronize_session=False))
    rows = [Claimed(*row) for row in (await session.execute(stmt)).all()]
    return sorted(rows, key=lambda row: row.id)


async def _busy(session: AsyncSession, channel: str, now: datetime) -> int:
    """Rows of the channel sent in the last second or claimed for sending right now."""
    sent = select(func.count()).where(OutboxMessage.channel == channel,
                                      OutboxMessage.sent_at > now - timedelta(seconds=1))
    claimed = select(func.count()).where(OutboxMessage.channel == channel,
                                         OutboxMessage.status == "pending",
                                         OutboxMessage.claimed_until > now)
    return int((await session.execute(sent)).scalar_one()) + int(
        (await session.execute(claimed)).scalar_one())


_MARK_SENT = (update(_T)
              .where(_T.c.id == bindparam("row_id"), _T.c.status == "pending")
              .values(status="sent", sent_at=bindparam("at"), attempts=_T.c.attempts + 1,
                      platform_message_id=bindparam("pmid"), sent_as=bindparam("sent_as"),
                      next_attempt_at=None, claimed_until=None))


async def mark_sent_many(session: AsyncSession, sent: Sequence[Sent]) -> None:
    """Record many accepted sends in one statement (executemany)."""
    if sent:
        conn = await session.connection()
        await conn.execute(_MARK_SENT, [
            {"row_id": s.id, "at": s.at, "pmid": s.platform_message_id, "sent_as": s.sent_as}
            for s in sent])


async def mark_sent(session: AsyncSession, row_id: int, *, platform_message_id: str | None,
                    sent_as: str | None = None) -> None:
    await mark_sent_many(session, [Sent(row_id, utcnow(), platform_message_id, sent_as)])


async def mark_retry(session: AsyncSession, row_id: int, *, at: datetime, error: str) -> None:
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        attempts=OutboxMessage.attempts + 1, next_attempt_at=at, last_error=error[:500],
        claimed_until=None)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, row_id: int, *, code: str, error: str,
                      sent_as: str | None = None) -> None:
    """Give up on a row for good (blocked bot, closed window...): staff see `code`."""
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        status="failed", attempts=OutboxMessage.attempts + 1, error_code=code[:32],
        last_error=error[:500], next_attempt_at=None, sent_as=sent_as, claimed_until=None)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def retry_now(session: AsyncSession, channel: str, *, now: datetime | None = None
                    ) -> int:
    """Make every row waiting for a retry due now (the platform is back after an outage);
    rows claimed by a sender are left alone. Returns how many were brought forward."""
    now = now or utcnow()
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending",
                   OutboxMessage.next_attempt_at > now,
                   or_(OutboxMessage.claimed_until.is_(None),
                       OutboxMessage.claimed_until <= now))
            .values(next_attempt_at=None).execution_options(synchronize_session=False))
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def retry_oldest_now(session: AsyncSession, channel: str, *,
                           now: datetime | None = None) -> bool:
    """Make the oldest row waiting for a retry due now: a probe of whether the platform is
    back (if it is, its success brings every other waiting row forward)."""
    now = now or utcnow()
    oldest = (select(func.min(OutboxMessage.id))
              .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending",
                     OutboxMessage.next_attempt_at > now,
                     or_(OutboxMessage.claimed_until.is_(None),
                         OutboxMessage.claimed_until <= now)).scalar_subquery())
    stmt = (update(OutboxMessage).where(OutboxMessage.id == oldest)
            .values(next_attempt_at=None).execution_options(synchronize_session=False))
    return bool(getattr(await session.execute(stmt), "rowcount", 0))


async def recent_for_chat(session: AsyncSession, channel: str, chat: str,
                          limit: int = 50) -> list[OutboxMessage]:
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.external_user_id == chat)
            .order_by(OutboxMessage.id.desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())



async def for_complaint(session: AsyncSession, complaint_id: int) -> list[OutboxMessage]:
    """The messages sent (or waiting) to a complainant about one case, oldest first: the
    case page shows how each was delivered."""
    stmt = (select(OutboxMessage).where(OutboxMessage.complaint_id == complaint_id)
            .order_by(OutboxMessage.id))
    return list((await session.execute(stmt)).scalars())


async def mark_waiting(session: AsyncSession, row_id: int, *, platform_message_id: str | None,
                       sent_as: str | None) -> None:
    """Hold a row until the user writes again (WhatsApp's 24-hour window had closed: an
    invitation went out instead, `sent_as` says how); `release_waiting` sends it then."""
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        status="waiting", attempts=OutboxMessage.attempts + 1, sent_as=sent_as,
        platform_message_id=platform_message_id, next_attempt_at=None, claimed_until=None)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def release_waiting(session: AsyncSession, channel: str, chat: str) -> int:
    """The user wrote again: their held rows are due now, oldest first (per-chat order)."""
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.external_user_id == chat,
                   OutboxMessage.status == "waiting")
            .values(status="pending", next_attempt_at=None, claimed_until=None)
            .execution_options(synchronize_session=False))
    return int(getattr(await session.execute(stmt), "rowcount", 0) or 0)


async def invited(session: AsyncSession, channel: str, chat: str) -> bool:
    """An invitation to write back is already out for this chat (a held row carries it)."""
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.channel == channel, OutboxMessage.external_user_id == chat,
        OutboxMessage.status == "waiting", OutboxMessage.sent_as == "invite").limit(1)
    return (await session.execute(stmt)).first() is not None


async def fail_pending_for_chat(session: AsyncSession, channel: str, chat: str, *,
                                code: str, error: str) -> int:
    """Give up on every unsent row of a chat (the user blocked the bot): staff see `code`."""
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.external_user_id == chat,
                   OutboxMessage.status.in_(("pending", "waiting")))
            .values(status="failed", error_code=code[:32], last_error=error[:500],
                    next_attempt_at=None, claimed_until=None)
            .execution_options(synchronize_session=False))
    return int(getattr(await session.execute(stmt), "rowcount", 0) or 0)
