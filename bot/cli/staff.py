"""`jalur-aman staff add --username U --office CODE --role handler|supervisor|admin`.

Creates a dashboard account with an argon2-hashed password. The password is read from
stdin when stdin is not a terminal (first line), else asked twice with a hidden prompt.
The office code must be one of content/offices.yml, so a typo cannot create an account
that silently sees no queue. Exit codes: 0 created, 1 refused (duplicate, weak password).
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.staff_accounts import create_account, read_new_password
from bot.cli.staff_scoped import SCOPED_ROLES, add_scoped
from bot.core.complaints.rules import Offices
from bot.settings import get_settings
from storage.models.complaints import ROLES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("staff", help="dashboard accounts for BP3MI staff")
    staff_sub = parser.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create a staff account (password from a prompt "
                                           "or the first line of stdin)")
    add.add_argument("--username", required=True)
    add.add_argument("--office", help="office code from content/offices.yml (handler, "
                                      "supervisor, admin)")
    add.add_argument("--role", choices=ROLES, default="handler")
    add.add_argument("--village", help="role village: the village's code")
    add.add_argument("--district", help="role district: kabupaten/kota code, e.g. 32.01")
    add.set_defaults(handler=_add)


def _add(args: argparse.Namespace) -> int:
    settings = get_settings()
    offices = Offices.load(settings.content_dir / "offices.yml")
    username = args.username.strip()
    if not username or len(username) > 64:
        print("error: username must be 1-64 characters", file=sys.stderr)
        return 1
    if args.role in SCOPED_ROLES:
        return add_scoped(args, settings, username)
    if args.office not in offices.names:
        print(f"error: unknown office {args.office!r}; known: "
              f"{', '.join(sorted(offices.names))}", file=sys.stderr)
        return 1
    password = read_new_password()
    if password is None:
        return 1
    code = create_account(settings, username=username, password=password,
                          office_code=args.office, role=args.role)
    if code == 0:
        print(f"staff account created: {username} ({args.role}, "
              f"{args.office} - {offices.name(args.office)})")
    return code
