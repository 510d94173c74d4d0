"""Reported job adverts: store one, list recent ones, detach a user's."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.adverts import AdvertReport

MAX_TEXT = 20_000


async def add_report(session: AsyncSession, *, text: str, normalised: str, risk: str,
                     flags: Sequence[str], district: str | None, channel: str | None,
                     user_id: int | None) -> AdvertReport:
    """Add a report to the caller's transaction (flushed, so it has an id)."""
    report = AdvertReport(
        text=text[:MAX_TEXT], text_key=hashlib.sha256(normalised.encode()).hexdigest(),
        risk=risk[:10], flags=",".join(flags)[:300],
        district=district[:100] if district else None,
        channel=channel[:20] if channel else None, user_id=user_id,
    )
    session.add(report)
    await session.flush()
    return report


async def recent_reports(session: AsyncSession, *, since: datetime | None = None,
                         limit: int = 2000) -> Sequence[AdvertReport]:
    """Reports, newest first."""
    stmt = select(AdvertReport).order_by(AdvertReport.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AdvertReport.created_at >= since)
    return (await session.execute(stmt)).scalars().all()


async def detach_user_reports(session: AsyncSession, user_id: int) -> None:
    """"hapus data saya": the advert stays as an anonymous early-warning entry."""
    await session.execute(
        update(AdvertReport).where(AdvertReport.user_id == user_id).values(user_id=None)
        .execution_options(synchronize_session=False)
    )
