"""Stored answers to web chat messages, by the client's message id (idempotency key):
a retried request gets the replies of the first one instead of a second turn."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.channels import ChatReply


async def get(session: AsyncSession, channel: str, user_id: str, client_id: str
              ) -> list[Any] | None:
    stmt = select(ChatReply.replies).where(ChatReply.channel == channel,
                                           ChatReply.user_id == user_id,
                                           ChatReply.client_id == client_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    return list(found) if found is not None else None


async def store(session: AsyncSession, channel: str, user_id: str, client_id: str,
                replies: list[Any]) -> None:
    """Keep the replies (in the turn's transaction; a racing duplicate fails to commit)."""
    session.add(ChatReply(channel=channel, user_id=user_id, client_id=client_id,
                          replies=replies, created_at=utcnow()))
    await session.flush()


async def forget_user(session: AsyncSession, channel: str, user_id: str) -> None:
    """Erasure: the stored replies may quote what the user typed."""
    await session.execute(delete(ChatReply).where(ChatReply.channel == channel,
                                                  ChatReply.user_id == user_id))
