"""Users and their persisted dialogue state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Unanswered, User, utcnow


async def get_or_create_user(session: AsyncSession, channel: str, external_id: str) -> User:
    """The user for (channel, external_id), created on first contact (race-safe)."""
    stmt = select(User).where(User.channel == channel, User.external_id == external_id)
    user = (await session.execute(stmt)).scalar_one_or_none()
    if user is not None:
        return user
    user = User(channel=channel, external_id=external_id, state={})
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        user = (await session.execute(stmt)).scalar_one()
    return user


def save_state(user: User, state: dict[str, Any]) -> None:
    """Replace the user's dialogue state (a new dict so the JSON column is marked dirty)."""
    user.state = dict(state)
    user.last_seen_at = utcnow()


async def record_unanswered(
    session: AsyncSession, user: User | None, text: str, guess: str | None, confidence: float
) -> None:
    session.add(
        Unanswered(
            user_id=user.id if user else None,
            text=text[:500],
            guess=guess,
            confidence=confidence,
        )
    )
