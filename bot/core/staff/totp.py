"""The staff second factor: TOTP (RFC 6238, 30-second steps, 6 digits) with pyotp,
enrolment QR codes with the `qrcode` package, and one-time recovery codes.

A code is accepted for the current step or one step either side (clock drift), and only
for a step later than the last one used, so a code works once. Recovery codes are random
(40 bits each) and stored as SHA-256 hashes; each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg

ISSUER = "Jalur Aman"
STEP = 30
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def derived_secret(key: bytes, purpose: str) -> str:
    """A base32 secret derived from a server key (a pending enrolment needs no storage:
    the same session or link always shows the same secret)."""
    digest = hmac.new(key, f"totp-enrol|{purpose}".encode(), "sha256").digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(text: str) -> str:
    """An SVG QR code of `text` as a data: URI (allowed by the dashboard's CSP)."""
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def verify(secret: str, code: str, last_step: int | None, now: float | None = None
           ) -> int | None:
    """The time step `code` belongs to, or None when it is wrong or already used."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6 or not secret:
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP), digits):
            return step
    return None


def _hash(code: str) -> str:
    norm = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(norm.encode("ascii", "ignore")).hexdigest()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, their hashes to store)."""
    codes = [f"{secrets.token_hex(3)[:5]}-{secrets.token_hex(3)[:5]}"
             for _ in range(RECOVERY_CODES)]
    return codes, [_hash(c) for c in codes]


def use_recovery_code(stored: list[str], code: str) -> list[str] | None:
    """The stored hashes without the one `code` matches, or None when none matches."""
    if not code.strip():
        return None
    wanted = _hash(code)
    for item in stored:
        if hmac.compare_digest(item, wanted):
            return [h for h in stored if h != item]
    return None
