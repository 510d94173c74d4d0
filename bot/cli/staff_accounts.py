"""What `staff add` needs for every kind of account: reading the new password (checked
against the password policy, bot.core.staff.passwords), writing the account, and the
first sign-in without a shown password: an enrolment link, or a pre-enrolled TOTP
secret written to a 0600 file for scripts."""

from __future__ import annotations

import asyncio
import getpass
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from bot.core.staff import passwords, totp
from bot.ops.server_secret import write_private
from bot.settings import Settings
from storage import db
from storage.repositories import staff as staff_repo

LINK_VALID = timedelta(hours=72)


def read_password() -> str | None:
    """The new password: first stdin line when piped, else a hidden prompt asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi baru: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        print("error: the two passwords differ", file=sys.stderr)
        return None
    return first


def read_new_password(username: str = "") -> str | None:
    """read_password, refusing (with the reason) one the password policy refuses."""
    password = read_password()
    if password is None:
        return None
    reason = passwords.problem(password, username=username)
    if reason is not None:
        print(f"error: password refused ({reason}): at least {passwords.MIN_LENGTH} "
              "characters, not a common password, not easy to guess", file=sys.stderr)
        return None
    return password


def write_secret_file(path: Path, secret: str, username: str) -> None:
    """The TOTP secret and its otpauth:// URI, readable by the owner only (0600)."""
    write_private(path, f"{secret}\n{totp.uri(secret, username)}\n")


def create_account(settings: Settings, *, username: str, password: str | None,
                   office_code: str, role: str, village_code: str | None = None,
                   district_code: str | None = None, secret_file: Path | None = None
                   ) -> tuple[int, str | None]:
    """Migrate the database and create the account: (0, enrolment token when created
    without a password) or (1, None) for a taken username."""

    async def run() -> tuple[int, str | None]:
        token = None
        secret = totp.new_secret() if secret_file is not None else None
        try:
            async with (db.migrated(settings.database_url) as sessions, sessions() as session,
                        session.begin()):
                staff = await staff_repo.create_staff(
                    session, username=username, password=password, office_code=office_code,
                    role=role)
                staff.village_code = village_code
                staff.district_code = district_code
                staff.totp_secret = secret
                if password is None:
                    token = staff_repo.new_enrol_token(staff, LINK_VALID)
        except IntegrityError:
            print(f"error: username {username!r} already exists", file=sys.stderr)
            return 1, None
        if secret_file is not None and secret is not None:
            write_secret_file(secret_file, secret, username)
        return 0, token

    return asyncio.run(run())


def enrol_link(settings: Settings, token: str) -> str:
    base = (settings.public_url or "http://127.0.0.1:8080").rstrip("/")
    return f"{base}/staff/enrol/{token}"
