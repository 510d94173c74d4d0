"""Delivering the durable outbox (storage.repositories.outbox) on a channel.

`deliver_pending` pushes pending rows through a sender (console now; Telegram/WhatsApp
senders reuse it later): each row is locked, sent and marked in one transaction, so a crash
between send and commit re-sends rather than loses (at-least-once; the row id / idempotency
key lets the receiver drop duplicates). `pull_pending` serves pull channels (web chat).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import outbox

log = logging.getLogger(__name__)

# (external user id, payload = Reply.to_dict() plus "id") -> None; raises on failure.
Sender = Callable[[str, dict[str, Any]], Awaitable[None]]


async def deliver_pending(sessions: async_sessionmaker[AsyncSession], channel: str,
                          sender: Sender, *, limit: int = 50) -> int:
    """Send up to `limit` pending rows of `channel`; returns how many were sent."""
    sent = 0
    async with sessions() as session, session.begin():
        for row in await outbox.take_pending(session, channel, limit=limit):
            try:
                await sender(row.external_user_id, {"id": row.id, **row.payload})
            except Exception as exc:  # a sender failure must not lose the other rows
                log.warning("outbox %s row %s failed: %s", channel, row.id, exc)
                outbox.mark_failed(row, repr(exc))
                continue
            outbox.mark_sent(row)
            sent += 1
    return sent


async def pull_pending(sessions: async_sessionmaker[AsyncSession], channel: str,
                       external_user_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """The user's pending replies (marked sent in the same transaction), oldest first."""
    async with sessions() as session, session.begin():
        rows = await outbox.take_pending(session, channel, external_user_id, limit=limit)
        for row in rows:
            outbox.mark_sent(row)
        return [{"id": row.id, **row.payload} for row in rows]


@dataclass
class RecordingSender:
    """A test sender: remembers what it sent; `fail_for` user ids raise."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    async def __call__(self, user: str, payload: dict[str, Any]) -> None:
        if user in self.fail_for:
            raise ConnectionError(f"cannot reach {user}")
        self.sent.append((user, payload))
