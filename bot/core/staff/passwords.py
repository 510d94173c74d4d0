"""Password policy for staff accounts.

A password needs at least MIN_LENGTH characters, must not be one of the 30,000 most common
passwords, and must not be easy to guess (zxcvbn score of at least MIN_SCORE, which also
catches repeats, keyboard walks, dates and common words with digits). The common-password
list and the estimator come from the `zxcvbn` package, not from a list typed here.
Hashing is argon2id with argon2-cffi's defaults (storage.repositories.staff).
"""

from __future__ import annotations

from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3
REASONS = {
    "too_short": f"Kata sandi minimal {MIN_LENGTH} karakter.",
    "too_long": f"Kata sandi paling panjang {MAX_LENGTH} karakter.",
    "common": "Kata sandi ini termasuk yang paling sering dipakai. Pilih yang lain.",
    "weak": "Kata sandi ini mudah ditebak. Pakai beberapa kata yang tidak berhubungan.",
}


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, *, username: str = "") -> str | None:
    """Why this password is refused (a key of REASONS), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if password.lower() in _common():
        return "common"
    inputs = [username] if username else []
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_SCORE:
        return "weak"
    return None
