"""Ticket numbers (`JA-7K3P-Q9`) and status-lookup secrets.

Tickets use an alphabet without look-alike characters (no 0/O, 1/I/L) and come from
`secrets`, so they are short to read out on the phone and not guessable (31^6 ≈ 8.9e8).
A ticket alone is not proof of ownership: the lookup also needs the same chat user or the
ticket's secret, which is stored only as a SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "JA"
SECRET_LENGTH = 8
_TICKET = re.compile(
    rf"\b{PREFIX}[\s\-_.]?([{ALPHABET}]{{4}})[\s\-_.]?([{ALPHABET}]{{2}})\b", re.IGNORECASE
)
_SECRET = re.compile(rf"\b([{ALPHABET}]{{4}})-?([{ALPHABET}]{{4}})\b", re.IGNORECASE)


def _random(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def new_ticket() -> str:
    """A fresh ticket number such as JA-7K3P-Q9."""
    return f"{PREFIX}-{_random(4)}-{_random(2)}"


def new_secret() -> str:
    """A secret shown once to the complainant, e.g. 4KQ7-XM2P."""
    raw = _random(SECRET_LENGTH)
    return f"{raw[:4]}-{raw[4:]}"


def hash_secret(secret: str) -> str:
    normal = secret.replace("-", "").strip().upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str | None) -> bool:
    return bool(secret_hash) and hmac.compare_digest(hash_secret(secret), secret_hash or "")


def find_ticket(text: str) -> str | None:
    """The first ticket number in free text, normalised ("ja 7k3p q9" -> "JA-7K3P-Q9")."""
    match = _TICKET.search(text or "")
    if not match:
        return None
    return f"{PREFIX}-{match.group(1).upper()}-{match.group(2).upper()}"


def find_secret(text: str) -> str | None:
    """A secret (XXXX-XXXX) written after the ticket, if any."""
    match = _TICKET.search(text or "")
    rest = text[match.end():] if match else ""
    found = _SECRET.search(rest)
    return f"{found.group(1).upper()}-{found.group(2).upper()}" if found else None


def secret_only(text: str) -> str | None:
    """The secret when the message is only a secret ("4kq7-xm2p", "4KQ7 XM2P"), else None."""
    compact = re.sub(r"[\s\-_.]", "", text or "")
    if len(compact) != SECRET_LENGTH or not all(c in ALPHABET for c in compact.upper()):
        return None
    return f"{compact[:4].upper()}-{compact[4:].upper()}"


def is_ticket(value: str) -> bool:
    return find_ticket(value) == value
