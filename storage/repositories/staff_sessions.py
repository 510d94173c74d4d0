"""Server-side staff sessions and failed sign-in counts (storage.models.staff_security).

Sessions are looked up by the SHA-256 of the cookie's token; every worker reads the same
rows, so a logout or a revocation holds everywhere and across restarts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import Staff
from storage.models.staff_security import LoginFailure, StaffSession

TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def create(session: AsyncSession, *, token: str, staff_id: int, lifetime: timedelta,
                 mfa_passed: bool, ip: str | None) -> StaffSession:
    now = utcnow()
    row = StaffSession(id=token_hash(token), staff_id=staff_id, mfa_passed=mfa_passed,
                       ip=(ip or "")[:64] or None, created_at=now, last_seen_at=now,
                       expires_at=now + lifetime, revoked_at=None)
    session.add(row)
    await session.flush()
    return row


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


async def load(session: AsyncSession, token: str, *, idle: timedelta
               ) -> tuple[StaffSession, Staff] | None:
    """The live session for this token and its account, or None when unknown, revoked,
    expired or idle too long. Refreshes last_seen_at (at most every TOUCH_EVERY)."""
    row = (await session.execute(
        select(StaffSession, Staff).join(Staff, Staff.id == StaffSession.staff_id)
        .where(StaffSession.id == token_hash(token)))).first()
    if row is None:
        return None
    live, staff = row[0], row[1]
    now = utcnow()
    if (live.revoked_at is not None or _aware(live.expires_at) <= now
            or _aware(live.last_seen_at) + idle <= now):
        return None
    if _aware(live.last_seen_at) + TOUCH_EVERY <= now:
        live.last_seen_at = now
    return live, staff


async def revoke(session: AsyncSession, token: str) -> None:
    await session.execute(update(StaffSession).where(StaffSession.id == token_hash(token))
                          .values(revoked_at=utcnow()))


async def revoke_all(session: AsyncSession, staff_id: int, *, keep: str | None = None) -> int:
    """End every live session of an account (except the one whose token is `keep`)."""
    stmt = update(StaffSession).where(StaffSession.staff_id == staff_id,
                                      StaffSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(StaffSession.id != token_hash(keep))
    result = await session.execute(stmt.values(revoked_at=utcnow())
                                   .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def prune(session: AsyncSession, *, older_than: timedelta) -> None:
    """Drop sessions that ended more than `older_than` ago, and old failure rows."""
    cutoff = utcnow() - older_than
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < cutoff))
    await session.execute(delete(LoginFailure).where(LoginFailure.created_at < cutoff))


# --- failed sign-ins ------------------------------------------------------------------
async def failures_since(session: AsyncSession, keys: list[str], since: datetime
                         ) -> dict[str, tuple[int, datetime | None]]:
    """Per key: failures since `since` and the oldest of them."""
    rows = (await session.execute(
        select(LoginFailure.key, func.count(), func.min(LoginFailure.created_at))
        .where(LoginFailure.key.in_(keys), LoginFailure.created_at > since)
        .group_by(LoginFailure.key))).all()
    found = {str(k): (int(n), _aware(first) if first else None) for k, n, first in rows}
    return {k: found.get(k, (0, None)) for k in keys}


async def add_failures(session: AsyncSession, keys: list[str]) -> None:
    now = utcnow()
    session.add_all([LoginFailure(key=k[:160], created_at=now) for k in keys])
    await session.flush()


async def clear_failures(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.key == key[:160]))
