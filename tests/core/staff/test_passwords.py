"""Staff password policy: length, the common-password list of the zxcvbn package, and
guessability."""

from __future__ import annotations

from bot.core.staff.passwords import problem


def test_short_common_and_guessable_passwords_are_refused() -> None:
    assert problem("aaaaaaaaaa") == "too_short"
    assert problem("1qaz2wsx3edc") == "common"  # from the package's list, not typed here
    assert problem("aaaaaaaaaaaa") == "weak"
    assert problem("password1234") == "common"
    assert problem("siti-bp3mi-jatim", username="siti-bp3mi-jatim") == "weak"


def test_long_unguessable_passwords_are_accepted() -> None:
    assert problem("kata-sandi-uji-123") is None
    assert problem("lintas batas aman selalu") is None
