"""What `staff add` needs for every kind of account: reading the new password and
writing the account (office staff, village and district officials alike)."""

from __future__ import annotations

import asyncio
import getpass
import sys

from sqlalchemy.exc import IntegrityError

from bot.settings import Settings
from storage import db
from storage.repositories import staff as staff_repo

MIN_PASSWORD = 10


def read_password() -> str | None:
    """The new password: first stdin line when piped, else a hidden prompt asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi baru: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        print("error: the two passwords differ", file=sys.stderr)
        return None
    return first


def read_new_password() -> str | None:
    """read_password, refusing (with a message) one shorter than MIN_PASSWORD."""
    password = read_password()
    if password is not None and len(password) < MIN_PASSWORD:
        print(f"error: the password needs at least {MIN_PASSWORD} characters",
              file=sys.stderr)
        return None
    return password


def create_account(settings: Settings, *, username: str, password: str, office_code: str,
                   role: str, village_code: str | None = None,
                   district_code: str | None = None) -> int:
    """Migrate the database and create the account; 0 on success, 1 for a taken username."""

    async def run() -> int:
        try:
            async with (db.migrated(settings.database_url) as sessions, sessions() as session,
                        session.begin()):
                staff = await staff_repo.create_staff(
                    session, username=username, password=password, office_code=office_code,
                    role=role)
                staff.village_code = village_code
                staff.district_code = district_code
        except IntegrityError:
            print(f"error: username {username!r} already exists", file=sys.stderr)
            return 1
        return 0

    return asyncio.run(run())
