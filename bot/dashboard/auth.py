"""Staff authentication: server-side sessions, CSRF tokens, sign-in throttling.

Passwords are argon2 hashes checked by storage.repositories.staff.authenticate. A session
is a row in `staff_sessions` (storage.repositories.staff_sessions); the cookie holds only
an opaque random token. A session ends on logout, after the idle timeout, at its absolute
lifetime, and when the account's password or second factor changes or the account is
disabled; every worker reads the same rows, so this holds across workers and restarts.
CSRF tokens are an HMAC of the session token (or an anonymous nonce before sign-in).

Throttling counts failed sign-ins in the database (shared by all workers) per
(address, account), per address and per account. An address is refused once it reaches
its own limits, so its later attempts are not counted: one address can add at most
PER_PAIR failures to an account, and locking an account for everyone takes failures from
PER_ACCOUNT / PER_PAIR different addresses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.repositories import staff_sessions

COOKIE = "ja_staff"
PRE_COOKIE = "ja_pre"  # anonymous nonce: lets the login form carry a CSRF token
ROLES = ("handler", "supervisor", "admin")
ALWAYS_MFA = ("supervisor", "admin")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def needs_mfa(role: str, totp_handlers: bool) -> bool:
    """Supervisors and admins always; everyone else unless STAFF_TOTP_HANDLERS is off."""
    return role in ALWAYS_MFA or totp_handlers


@dataclass(frozen=True, slots=True)
class SessionData:
    staff_id: int
    nonce: str  # the session token (CSRF tokens are bound to it)
    mfa_passed: bool


class Signer:
    """Keyed HMACs of the dashboard: CSRF tokens and derived enrolment secrets."""

    def __init__(self, key: bytes) -> None:
        self.key = hashlib.sha256(b"jalur-aman-dashboard|" + key).digest()

    def _mac(self, purpose: str, payload: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}|{payload}".encode(), "sha256").digest())

    def csrf_token(self, nonce: str) -> str:
        return self._mac("csrf", nonce)

    def check_csrf(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token(nonce).encode())


@dataclass
class LoginThrottle:
    """Failed sign-ins inside a sliding window, per (address, account), address, account."""

    per_pair: int = 5
    per_ip: int = 20
    per_account: int = 50
    window: timedelta = timedelta(minutes=15)

    @staticmethod
    def _keys(ip: str, username: str) -> dict[str, str]:
        name = username.strip().lower()[:64]
        return {"pair": f"pair:{ip}|{name}", "ip": f"ip:{ip}", "user": f"user:{name}"}

    async def retry_after(self, db: AsyncSession, ip: str, username: str) -> int:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        keys = self._keys(ip, username)
        limits = {"pair": self.per_pair, "ip": self.per_ip, "user": self.per_account}
        if not username.strip():
            del keys["pair"], keys["user"]
        now = utcnow()
        counts = await staff_sessions.failures_since(db, list(keys.values()),
                                                     now - self.window)
        waits = [0]
        for kind, key in keys.items():
            count, oldest = counts[key]
            if count >= limits[kind] and oldest is not None:
                waits.append(max(1, math.ceil((oldest + self.window - now).total_seconds())))
        return max(waits)

    async def failed(self, db: AsyncSession, ip: str, username: str) -> None:
        keys = self._keys(ip, username)
        await staff_sessions.add_failures(
            db, list(keys.values()) if username.strip() else [keys["ip"]])

    async def succeeded(self, db: AsyncSession, ip: str, username: str) -> None:
        await staff_sessions.clear_failures(db, self._keys(ip, username)["pair"])
