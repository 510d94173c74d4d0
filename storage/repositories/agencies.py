"""The agency register: atomic replacement, lookups, import history and user reports.

`replace_register` deletes the old register and inserts the new one inside the caller's
transaction, so a failure anywhere (bad row, lost connection) leaves the old register.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.agencies import Agency, AgencyImport, AgencyReport

AGENCY_COLUMNS = ("name", "name_key", "sip3mi", "number_key", "status", "province", "city",
                  "address", "phone", "issued", "expires")
_CHUNK = 1000


async def replace_register(
    session: AsyncSession,
    rows: Sequence[Mapping[str, Any]],
    *,
    file_name: str,
    as_of: date,
    source: str = "",
    rows_read: int | None = None,
    rows_rejected: int = 0,
    duplicate_names: int = 0,
    demo: bool = False,
    imported_by: str = "",
) -> AgencyImport:
    """Replace the whole register with `rows` (dicts with AGENCY_COLUMNS) and record the
    import. Runs in the caller's transaction: commit or roll back as one unit."""
    record = AgencyImport(
        file_name=file_name[:255], source=(source or file_name)[:255], as_of=as_of,
        rows_read=len(rows) if rows_read is None else rows_read, rows_imported=len(rows),
        rows_rejected=rows_rejected, duplicate_names=duplicate_names, demo=demo,
        imported_by=imported_by[:100],
    )
    session.add(record)
    await session.flush()
    await session.execute(delete(Agency))
    values = [{**{c: row.get(c) for c in AGENCY_COLUMNS}, "import_id": record.id}
              for row in rows]
    for start in range(0, len(values), _CHUNK):
        await session.execute(insert(Agency), values[start:start + _CHUNK])
    return record


async def latest_import(session: AsyncSession) -> AgencyImport | None:
    """The import the current register came from (None before the first import)."""
    stmt = select(AgencyImport).order_by(AgencyImport.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_imports(session: AsyncSession, limit: int = 20) -> Sequence[AgencyImport]:
    stmt = select(AgencyImport).order_by(AgencyImport.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def count_agencies(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Agency))).scalar_one())


async def all_agencies(session: AsyncSession) -> Sequence[Agency]:
    """The whole current register, in file order."""
    return (await session.execute(select(Agency).order_by(Agency.id))).scalars().all()


async def find_by_name_key(session: AsyncSession, key: str) -> Sequence[Agency]:
    stmt = select(Agency).where(Agency.name_key == key).order_by(Agency.id)
    return (await session.execute(stmt)).scalars().all()


async def find_by_number_key(session: AsyncSession, key: str) -> Agency | None:
    stmt = select(Agency).where(Agency.number_key == key).order_by(Agency.id).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_report(
    session: AsyncSession,
    *,
    query: str,
    name_key: str,
    verdict: str,
    matched_name: str | None = None,
    user_id: int | None = None,
    district: str | None = None,
    referral: str | None = None,
    channel: str | None = None,
) -> AgencyReport:
    """Store a user's report of an agency (read later by the complaint queue and the
    village early-warning)."""
    report = AgencyReport(
        query=query[:500], name_key=name_key[:255], verdict=verdict[:20],
        matched_name=matched_name[:255] if matched_name else None, user_id=user_id,
        district=district[:100] if district else None,
        referral=referral[:64] if referral else None, channel=channel[:20] if channel else None,
    )
    session.add(report)
    await session.flush()
    return report


async def list_reports(
    session: AsyncSession, *, since: datetime | None = None, limit: int = 500
) -> Sequence[AgencyReport]:
    """Reports, newest first (optionally only those created at or after `since`)."""
    stmt = select(AgencyReport).order_by(AgencyReport.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AgencyReport.created_at >= since)
    return (await session.execute(stmt)).scalars().all()


async def detach_user_reports(session: AsyncSession, user_id: int) -> None:
    """Unlink a user's agency reports (for "hapus data saya"): the reported names stay as
    anonymous early-warning counts, nothing points back to the person."""
    await session.execute(
        update(AgencyReport).where(AgencyReport.user_id == user_id).values(user_id=None)
        .execution_options(synchronize_session=False)
    )
