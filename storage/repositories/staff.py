"""Staff accounts (argon2-hashed passwords) and the offices they belong to.

Passwords are hashed with argon2id, t=3 passes, m=64 MiB, p=4 lanes, 16-byte salt,
32-byte hash (RFC 9106's second recommended profile; argon2-cffi's defaults, written out
here so a library upgrade cannot change them silently). Changing a password, resetting the
second factor or disabling an account ends every session of that account.

Offices come from configuration (content/offices.yml, loaded in bot.core.complaints.rules) and
are mirrored into the `offices` table by `sync_offices` so the dashboard can list them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import ROLES, Office, Staff
from storage.repositories.staff_sessions import revoke_all

ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4, "hash_len": 32,
          "salt_len": 16, "type": Type.ID}
_hasher = PasswordHasher(**ARGON2)  # type: ignore[arg-type]


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist (same time as a real check);
    made at the first such login, not at import: hashing takes argon2's whole memory cost,
    which would otherwise be the peak of every process that imports this module."""
    return _hasher.hash("jalur-aman-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def create_staff(session: AsyncSession, *, username: str, password: str | None,
                       office_code: str, role: str = "handler") -> Staff:
    """A new active account. Without a password it cannot sign in until it is set through
    an enrolment link (`new_enrol_token`). Raises ValueError for an unknown role or empty
    fields; a duplicate username raises IntegrityError at flush."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username.strip() or not office_code.strip() or password == "":
        raise ValueError("username, office and password are required")
    secret = password if password is not None else secrets.token_urlsafe(32)
    staff = Staff(username=username.strip(), password_hash=hash_password(secret),
                  office_code=office_code.strip(), role=role, active=True,
                  created_at=utcnow(), recovery_codes=[])
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


async def set_password(session: AsyncSession, staff: Staff, password: str, *,
                       keep_session: str | None = None) -> None:
    """New password; every other session of the account ends."""
    staff.password_hash = hash_password(password)
    await revoke_all(session, staff.id, keep=keep_session)


async def deactivate(session: AsyncSession, staff: Staff) -> None:
    """Disable the account and end its sessions."""
    staff.active = False
    await revoke_all(session, staff.id)


async def reset_second_factor(session: AsyncSession, staff: Staff) -> None:
    """Forget the TOTP secret and recovery codes (the next sign-in enrols again) and end
    every session of the account."""
    staff.totp_secret = None
    staff.totp_last_step = None
    staff.recovery_codes = []
    await revoke_all(session, staff.id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_enrol_token(staff: Staff, valid: timedelta) -> str:
    """A one-time enrolment link token (only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    staff.enrol_token_hash = _token_hash(token)
    staff.enrol_expires_at = utcnow() + valid
    return token


async def by_enrol_token(session: AsyncSession, token: str) -> Staff | None:
    """The active account an unexpired enrolment token belongs to."""
    if not token or len(token) > 64:
        return None
    staff = (await session.execute(select(Staff).where(
        Staff.enrol_token_hash == _token_hash(token)))).scalar_one_or_none()
    if staff is None or not staff.active or staff.enrol_expires_at is None:
        return None
    expires = staff.enrol_expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=utcnow().tzinfo)
    return staff if expires > utcnow() else None


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
