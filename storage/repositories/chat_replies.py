"""Stored answers to web chat messages, by the client's message id (idempotency key):
a retried request gets the replies of the first one instead of a second turn."""

from __future__ import annotations

from collections.abc import Sequence
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


async def get_many(session: AsyncSession, channel: str,
                   messages: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
    """`get` for many (user id, client id) pairs in one query: the pairs answered before."""
    if not messages:
        return {}
    wanted = set(messages)
    stmt = select(ChatReply.user_id, ChatReply.client_id, ChatReply.replies).where(
        ChatReply.channel == channel,
        ChatReply.user_id.in_(list({u for u, _ in wanted})),
        ChatReply.client_id.in_(list({c for _, c in wanted})))
    return {(u, c): list(r) for u, c, r in (await session.execute(stmt))
            if (u, c) in wanted}


def store_later(session: AsyncSession, channel: str, user_id: str, client_id: str,
                replies: list[Any]) -> None:
    """`store` without its flush: many turns' replies go in with one flush (a duplicate
    id then fails that flush or the commit)."""
    session.add(ChatReply(channel=channel, user_id=user_id, client_id=client_id,
                          replies=replies, created_at=utcnow()))


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
