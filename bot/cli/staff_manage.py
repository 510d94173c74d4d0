"""`jalur-aman staff password|reset-2fa|disable --username U` and `staff totp-code
--secret-file PATH`.

- password: a new password (prompt or first stdin line, checked by the policy); every
  session of the account ends.
- reset-2fa: forget the account's TOTP secret and recovery codes; it enrols again at its
  next sign-in; its sessions end.
- disable: the account can no longer sign in; its sessions end.
- totp-code: the current six-digit code for a secret file written by
  `staff add --totp-secret-file` (for scripts that sign in, such as a container check).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import pyotp

from bot.cli.staff_accounts import read_new_password
from bot.settings import get_settings
from storage import db
from storage.repositories import staff as staff_repo


def register(staff_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, text in (("password", "set a new password (ends the account's sessions)"),
                       ("reset-2fa", "reset the second factor (enrol again at next sign-in)"),
                       ("disable", "disable an account (ends its sessions)")):
        command = staff_sub.add_parser(name, help=text)
        command.add_argument("--username", required=True)
        command.set_defaults(handler=_manage, action=name)
    code = staff_sub.add_parser("totp-code", help="print the current TOTP code of a secret "
                                                  "file from `staff add --totp-secret-file`")
    code.add_argument("--secret-file", type=Path, required=True)
    code.set_defaults(handler=_code)


def _manage(args: argparse.Namespace) -> int:
    settings = get_settings()
    password = read_new_password(args.username) if args.action == "password" else None
    if args.action == "password" and password is None:
        return 1

    async def run() -> bool:
        async with (db.migrated(settings.database_url) as sessions, sessions() as session,
                    session.begin()):
            staff = await staff_repo.by_username(session, args.username)
            if staff is None:
                return False
            if password is not None:
                await staff_repo.set_password(session, staff, password)
            elif args.action == "reset-2fa":
                await staff_repo.reset_second_factor(session, staff)
            else:
                await staff_repo.deactivate(session, staff)
            return True

    if not asyncio.run(run()):
        print(f"error: no account {args.username!r}", file=sys.stderr)
        return 1
    print(f"{args.action}: done for {args.username}")
    return 0


def _code(args: argparse.Namespace) -> int:
    try:
        secret = args.secret_file.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        print(f"error: cannot read a secret from {args.secret_file}", file=sys.stderr)
        return 1
    print(pyotp.TOTP(secret).now())
    return 0
