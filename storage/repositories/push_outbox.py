"""Outbox queries for push channels (Telegram, WhatsApp): claiming the head of each chat's
queue, and recording rows sent, retried later or failed for good.

Only the oldest pending row of a chat is ever eligible, so a row waiting for its retry
holds back the rows after it: per-chat order is preserved. A sender *claims* the rows it
is about to send (`claimed_until`, a lease): a claimed row is not eligible for any other
sender, so two workers never send the same row; if a worker dies, the lease runs out and
the row is sent again (at-least-once). Limits count attempts, accepted or not, across
workers: a chat whose last attempt ended less than `interval` ago is not eligible
(`attempted_at`, recorded with each outcome), and every call first takes the channel's
next send slot (`take_slot`: slots are spaced by the global limit). After a 429 the
platform is paused (`pause`): nothing is claimed or sent before the time it gave.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
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

from storage.db import insert_for, is_postgres
from storage.models import utcnow
from storage.models.complaints import OutboxMessage, PlatformPause

_T = cast(Table, OutboxMessage.__table__)
CLAIM_LOCK = 0x4A41_1000  # + a number per channel: PostgreSQL advisory lock keys
SECOND = timedelta(seconds=1)
@dataclass(frozen=True, slots=True)
class Claimed:
    """A row claimed for sending (bot.channels.sender.OutboxItem)."""

    id: int
    chat: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int
    created_at: datetime
    claimed_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    id: int
    at: datetime
    platform_message_id: str | None
    sent_as: str | None = None


def _free(now: datetime) -> ColumnElement[bool]:
    """Not waiting for a retry, not claimed, and not attempted in the last second (so a
    row's attempts are never two in one second: the global count sees each of them)."""
    return and_(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
                or_(OutboxMessage.attempted_at.is_(None),
                    OutboxMessage.attempted_at <= now - SECOND))


async def claim_heads(session: AsyncSession, channel: str, *, lease: timedelta,
                      interval: timedelta, limit: int, now: datetime | None = None
                      ) -> list[Claimed]:
    """Claim, for `lease`, the oldest pending row of up to `limit` chats that are due: not
    waiting for a retry, not claimed, and no attempt to the chat within `interval`. Oldest
    first. Nothing while the channel is paused (`paused_until`). On PostgreSQL claims and
    starts of one channel are serialised by a transaction advisory lock.
    """
    now = now or utcnow()
    postgres = is_postgres(session)
    await _lock(session, channel)
    if await paused_until(session, channel, now) is not None:
        return []
    # Plain shapes that stay fast on a table whose statistics lag (a burst fills it): the
    # head of each chat by a grouped min(id), recently served chats by the sent_at index.
    first_of_chat = (select(func.min(OutboxMessage.id))
                     .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending")
                     .group_by(OutboxMessage.external_user_id))
    served = select(OutboxMessage.external_user_id).where(
        OutboxMessage.channel == channel, OutboxMessage.attempted_at > now - interval)
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
                       OutboxMessage.created_at, OutboxMessage.claimed_until)
            .execution_options(synchronize_session=False))
    rows = [Claimed(*row) for row in (await session.execute(stmt)).all()]
    rows = [replace(r, claimed_until=r.claimed_until and _aware(r.claimed_until, now))
            for r in rows]
    return sorted(rows, key=lambda row: row.id)


async def _lock(session: AsyncSession, channel: str) -> None:
    if is_postgres(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                              {"key": CLAIM_LOCK + zlib.crc32(channel.encode()) % 1000})


async def take_slot(session: AsyncSession, channel: str, spacing: timedelta, count: int = 1
                    ) -> tuple[datetime, datetime | None]:
    """The first of `count` send slots of the channel (not before now; slots `spacing`
    apart, shared by all workers) and the end of its pause if it is paused. On PostgreSQL
    one statement (commit right after: the channel's row stays locked until then)."""
    now = utcnow()
    rest = spacing * (count - 1)
    if is_postgres(session):
        stmt = insert_for(session, PlatformPause).values(channel=channel, next_slot=now + rest)
        stmt = stmt.on_conflict_do_update(index_elements=["channel"], set_={
            "next_slot": func.greatest(func.coalesce(PlatformPause.next_slot + spacing, now),
                                       now) + rest})
        row = (await session.execute(stmt.returning(PlatformPause.next_slot,
                                                    PlatformPause.until))).one()
        last, until = row.next_slot, row.until
    else:  # one writer at a time (bot.channels.gate), so read and write
        found = await session.get(PlatformPause, channel)
        if found is None:
            found = PlatformPause(channel=channel)
            session.add(found)
        previous = found.next_slot and _aware(found.next_slot, now)
        last = found.next_slot = (max(now, previous + spacing) if previous else now) + rest
        until = found.until
    until = until and _aware(until, now)
    return _aware(last, now) - rest, until if until and until > now else None


_MARK_SENT = (update(_T)
              .where(_T.c.id == bindparam("row_id"), _T.c.status == "pending")
              .values(status="sent", sent_at=bindparam("at"), attempted_at=bindparam("at"),
                      attempts=_T.c.attempts + 1,
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


async def renew_claim(session: AsyncSession, row_id: int, held: datetime | None,
                      until: datetime) -> bool:
    """Extend a sender's claim on a pending row to `until`, if the claim is still the one it
    took (`held`, its claimed_until): False when the claim ran out and another sender may
    have taken the row meanwhile (then this one must not send it)."""
    if held is None:
        return False
    stmt = (update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending",
                   OutboxMessage.claimed_until == held)
            .values(claimed_until=until).execution_options(synchronize_session=False))
    return bool(getattr(await session.execute(stmt), "rowcount", 0))


async def mark_retry(session: AsyncSession, row_id: int, *, at: datetime, error: str,
                     attempted: datetime | None = None, held: datetime | None = None) -> None:
    """Retry the row at `at`; `attempted`: when the failed attempt ended (None: no call
    was made, e.g. the claim ran out before the platform could be called); `held`: only
    while the row's claim is still this one (a claim given back unused)."""
    values: dict[str, Any] = dict(next_attempt_at=at, last_error=error[:500], claimed_until=None)
    if attempted is not None:
        values.update(attempts=OutboxMessage.attempts + 1, attempted_at=attempted)
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(**values)
    if held is not None:
        stmt = stmt.where(OutboxMessage.claimed_until == held)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, row_id: int, *, code: str, error: str,
                      sent_as: str | None = None, attempted: datetime | None = None) -> None:
    """Give up on a row for good (blocked bot, closed window...): staff see `code`."""
    stmt = update(OutboxMessage).where(OutboxMessage.id == row_id,
                                       OutboxMessage.status == "pending").values(
        status="failed", attempts=OutboxMessage.attempts + 1, error_code=code[:32],
        last_error=error[:500], next_attempt_at=None, sent_as=sent_as, claimed_until=None,
        attempted_at=attempted or utcnow())
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


async def pause(session: AsyncSession, channel: str, until: datetime) -> None:
    """No worker calls the channel's platform before `until` (a 429's retry_after); an
    earlier pause already stored is extended, never shortened."""
    stmt = insert_for(session, PlatformPause).values(channel=channel, until=until)
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel"],
        set_={"until": func.max(stmt.excluded.until,
                                func.coalesce(PlatformPause.until, stmt.excluded.until))}
        if not is_postgres(session) else
        {"until": func.greatest(stmt.excluded.until, PlatformPause.until)})
    await session.execute(stmt)


async def paused_until(session: AsyncSession, channel: str, now: datetime | None = None
                       ) -> datetime | None:
    """The end of the channel's pause, if it is paused at `now`."""
    now = now or utcnow()
    until = (await session.execute(select(PlatformPause.until).where(
        PlatformPause.channel == channel))).scalar_one_or_none()
    if until is None:
        return None
    until = _aware(until, now)
    return until if until > now else None


def _aware(at: datetime, now: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=now.tzinfo)


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
