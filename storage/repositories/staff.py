"""Staff accounts (argon2-hashed passwords) and the offices they belong to.

Offices come from configuration (content/offices.yml, loaded in bot.core.complaints.rules) and
are mirrored into the `offices` table by `sync_offices` so the dashboard can list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import ROLES, Office, Staff

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same time as a real check);
    made at the first such login, not at import: hashing takes argon2's whole memory cost,
    which would otherwise be the peak of every process that imports this module."""
    return _hasher.hash("jalur-aman-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def create_staff(session: AsyncSession, *, username: str, password: str,
                       office_code: str, role: str = "handler") -> Staff:
    """A new active account. Raises ValueError for an unknown role or empty fields;
    a duplicate username raises IntegrityError at flush."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username.strip() or not office_code.strip() or not password:
        raise ValueError("username, office and password are required")
    staff = Staff(username=username.strip(), password_hash=hash_password(password),
                  office_code=office_code.strip(), role=role, active=True,
                  created_at=utcnow())
    session.add(staff)
    await session.flush()
    return staff


async def authenticate(session: AsyncSession, username: str, password: str) -> Staff | None:
    """The active account for these credentials, or None. Rehashes outdated hashes."""
    staff = (await session.execute(
        select(Staff).where(Staff.username == username.strip()))).scalar_one_or_none()
    try:
        if staff is None or not staff.active:
            _hasher.verify(_dummy_hash(), password)
            return None
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


async def get_staff(session: AsyncSession, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def by_username(session: AsyncSession, username: str) -> Staff | None:
    stmt = select(Staff).where(Staff.username == username.strip())
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_staff(session: AsyncSession, office_code: str | None) -> list[Staff]:
    """Accounts of one office (none without an office: fail closed)."""
    if not office_code:
        return []
    stmt = select(Staff).where(Staff.office_code == office_code).order_by(Staff.username)
    return list((await session.execute(stmt)).scalars())


async def set_password(session: AsyncSession, staff: Staff, password: str) -> None:
    staff.password_hash = hash_password(password)


async def sync_offices(session: AsyncSession, offices: Mapping[str, str]) -> None:
    """Make the offices table match configuration (code -> name); never deletes rows."""
    existing = {o.code: o for o in (await session.execute(select(Office))).scalars()}
    for code, name in offices.items():
        if code in existing:
            existing[code].name = name
        else:
            session.add(Office(code=code, name=name))


async def list_offices(session: AsyncSession) -> list[Office]:
    return list((await session.execute(select(Office).order_by(Office.code))).scalars())
