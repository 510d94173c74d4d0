"""Users and their persisted dialogue state."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_for
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


async def get_or_create_users(session: AsyncSession, channel: str,
                              external_ids: Sequence[str]) -> dict[str, User]:
    """`get_or_create_user` for many users of one channel: one query for those who exist."""
    stmt = select(User).where(User.channel == channel, User.external_id.in_(list(external_ids)))
    users = {u.external_id: u for u in (await session.execute(stmt)).scalars()}
    new = [e for e in dict.fromkeys(external_ids) if e not in users]
    if new:  # first contacts (a QR poster campaign): one insert, a racing insert skipped
        now = utcnow()
        await session.execute(insert_for(session, User).values([
            {"channel": channel, "external_id": e, "state": {}, "created_at": now,
             "last_seen_at": now} for e in new]).on_conflict_do_nothing())
        stmt = select(User).where(User.channel == channel, User.external_id.in_(new))
        users.update({u.external_id: u for u in (await session.execute(stmt)).scalars()})
    return users


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


ERASED_PREFIX = "erased-"


def erased_id(external_id: str) -> str:
    """What a deleted user's external id becomes when the id itself must stay refusable
    (web chat: random, server-issued ids): its SHA-256, so the old token can be refused
    without keeping the id."""
    return ERASED_PREFIX + hashlib.sha256(external_id.encode("utf-8")).hexdigest()[:40]


async def is_erased(session: AsyncSession, channel: str, external_id: str) -> bool:
    """Whether this user asked for their data to be deleted (see erased_id)."""
    stmt = select(exists().where(User.channel == channel,
                                 User.external_id == erased_id(external_id)))
    return bool((await session.execute(stmt)).scalar())


async def erased_among(session: AsyncSession, channel: str, external_ids: Sequence[str]
                       ) -> set[str]:
    """`is_erased` for many users of one channel: those of `external_ids` whose data was
    deleted, in one query."""
    hashed = {erased_id(e): e for e in external_ids}
    if not hashed:
        return set()
    stmt = select(User.external_id).where(User.channel == channel,
                                          User.external_id.in_(list(hashed)))
    return {hashed[h] for h in (await session.scalars(stmt))}
