"""Staff authentication: signed session cookies, login rate limiting.

Passwords are argon2 hashes checked by storage.repositories.staff.authenticate.
A session is a signed cookie (HMAC-SHA256 with SECRET_KEY) holding the staff id, a random
nonce, an expiry and a fingerprint of the password hash; changing a password therefore ends
every session of that account. Logout revokes the nonce in memory until it would expire.
Every request re-reads the staff row, so a deactivated account or a changed office/role
takes effect at once. The key comes from bot.ops.server_secret (SECRET_KEY or var/secret_key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

COOKIE = "ja_staff"
PRE_COOKIE = "ja_pre"  # anonymous nonce: lets the login form carry a CSRF token
SESSION_SECONDS = 12 * 3600
ROLES = ("handler", "supervisor", "admin")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SessionData:
    staff_id: int
    nonce: str
    expires: int
    fingerprint: str


class Signer:
    """Signs and verifies session cookies and derives per-session CSRF tokens."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"jalur-aman-dashboard|" + key).digest()
        self._revoked: dict[str, int] = {}

    def _mac(self, purpose: str, payload: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}|{payload}".encode(), "sha256").digest())

    def issue(self, staff_id: int, password_hash: str, now: float | None = None) -> str:
        data = {"s": staff_id, "n": secrets.token_urlsafe(16),
                "e": int((now or time.time()) + SESSION_SECONDS), "f": fingerprint(password_hash)}
        payload = _b64(json.dumps(data, separators=(",", ":")).encode())
        return f"{payload}.{self._mac('session', payload)}"

    def read(self, cookie: str | None, now: float | None = None) -> SessionData | None:
        """The session in a cookie, or None when missing, forged, expired or revoked."""
        if not cookie or "." not in cookie or len(cookie) > 1024:
            return None
        payload, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = SessionData(int(data["s"]), str(data["n"]), int(data["e"]), str(data["f"]))
        except (ValueError, KeyError, TypeError):
            return None
        if session.expires < (now or time.time()) or session.nonce in self._revoked:
            return None
        return session

    def revoke(self, session: SessionData) -> None:
        now = int(time.time())
        self._revoked = {n: e for n, e in self._revoked.items() if e >= now}
        self._revoked[session.nonce] = session.expires

    def csrf_token(self, nonce: str) -> str:
        return self._mac("csrf", nonce)

    def check_csrf(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token(nonce).encode())


@dataclass
class LoginLimiter:
    """Failed logins per (IP, username) and per IP inside a sliding window."""

    per_user: int = 5
    per_ip: int = 20
    window: float = 15 * 60
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, ip: str, username: str, now: float | None = None) -> int:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        now = now or time.time()
        waits = []
        for key, limit in ((f"u|{ip}|{username.lower()}", self.per_user), (f"i|{ip}", self.per_ip)):
            times = self._recent(key, now)
            if len(times) >= limit:
                waits.append(int(times[0] + self.window - now) + 1)
        return max(waits, default=0)

    def failed(self, ip: str, username: str, now: float | None = None) -> None:
        now = now or time.time()
        if len(self._failures) > 10_000:  # bound memory under a spray of usernames
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        for key in (f"u|{ip}|{username.lower()}", f"i|{ip}"):
            self._recent(key, now).append(now)

    def succeeded(self, ip: str, username: str) -> None:
        self._failures.pop(f"u|{ip}|{username.lower()}", None)
