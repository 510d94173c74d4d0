"""The server's secret key: JALUR_AMAN_SECRET_KEY, else a random key kept in var/.

One key for everything the server signs (dashboard sessions, web chat identities, keyed
hashes of user ids in logs); each user derives its own sub-key from it. When SECRET_KEY is
unset a key is generated once and persisted with mode 0600 (for development; production
sets JALUR_AMAN_SECRET_KEY so every worker and host agrees).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.settings import Settings

SECRET_FILE = Path("var") / "secret_key"


def secret_key(settings: Settings, fallback_file: Path = SECRET_FILE) -> bytes:
    """SECRET_KEY from settings, else a random key generated once and persisted (0600)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    if fallback_file.exists():
        return fallback_file.read_text(encoding="utf-8").strip().encode("utf-8")
    fallback_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(fallback_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value.encode("utf-8")


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read or write (0600), replacing it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
