"""The web chat transcript: record a turn, read a user's recent conversation, forget it.

A user's history is their recorded turns merged, by time, with the outbox rows written for
them on the same channel (staff replies), so what a handler sent is shown again too. Only
the newest KEEP turns of a user are kept: older ones are deleted when a turn is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.complaints import OutboxMessage
from storage.models.transcript import ChatTurn

KEEP = 50


async def record(session: AsyncSession, user_id: int, said: dict[str, Any],
                 replies: list[dict[str, Any]]) -> None:
    """Add one turn and drop the user's turns older than the newest KEEP."""
    session.add(ChatTurn(user_id=user_id, said=said, replies=replies))
    await session.flush()
    oldest_kept = (select(ChatTurn.id).where(ChatTurn.user_id == user_id)
                   .order_by(ChatTurn.id.desc()).offset(KEEP - 1).limit(1)
                   .scalar_subquery())
    await session.execute(delete(ChatTurn).where(
        ChatTurn.user_id == user_id, ChatTurn.id < oldest_kept))


async def record_many(session: AsyncSession,
                      turns: Sequence[tuple[int, dict[str, Any], list[dict[str, Any]]]]
                      ) -> None:
    """`record` for many turns (user id, said, replies) in their order: one insert, then
    one delete of what is older than each of their users' newest KEEP turns."""
    if not turns:
        return
    session.add_all([ChatTurn(user_id=u, said=said, replies=replies)
                     for u, said, replies in turns])
    await session.flush()
    ranked = (select(ChatTurn.id, func.row_number().over(
        partition_by=ChatTurn.user_id, order_by=ChatTurn.id.desc()).label("n"))
        .where(ChatTurn.user_id.in_({u for u, _, _ in turns})).subquery())
    await session.execute(delete(ChatTurn).where(ChatTurn.id.in_(
        select(ranked.c.id).where(ranked.c.n > KEEP)))
        .execution_options(synchronize_session=False))


async def history(session: AsyncSession, user_id: int | None, channel: str,
                  external_id: str, *, limit: int = KEEP) -> list[dict[str, Any]]:
    """The user's last `limit` turns and pushed messages, oldest first: each entry is
    {"at", "said": {...}, "replies": [...]} for a turn or {"at", "id", "pushed": reply}
    for an outbox row (a staff reply)."""
    entries: list[dict[str, Any]] = []
    if user_id is not None:
        turns = (await session.scalars(
            select(ChatTurn).where(ChatTurn.user_id == user_id)
            .order_by(ChatTurn.id.desc()).limit(limit))).all()
        entries += [{"at": t.created_at, "said": t.said, "replies": t.replies}
                    for t in turns]
    pushed = (await session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == channel,
                                    OutboxMessage.external_user_id == external_id)
        .order_by(OutboxMessage.id.desc()).limit(limit))).all()
    entries += [{"at": row.created_at, "id": row.id, "pushed": row.payload}
                for row in pushed]
    entries.sort(key=lambda e: _aware(e["at"]))
    return entries[-limit:]


async def forget(session: AsyncSession, user_id: int) -> None:
    """Delete every recorded turn of a user (deletion of their personal data)."""
    await session.execute(delete(ChatTurn).where(ChatTurn.user_id == user_id))


def _aware(at: datetime) -> datetime:
    """SQLite returns naive datetimes (UTC); compare them as UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
