"""`jalur-aman staff add --username U --office CODE --role handler|supervisor|admin`, and
the account commands of bot.cli.staff_manage (password, reset-2fa, disable, totp-code).

In production (PUBLIC_URL set) `staff add` prints a one-time enrolment link (valid 72 h)
where the staff member sets their own password and second factor; no password is ever
shown or typed by whoever runs the command. `--password-stdin` reads the password from
the first line of stdin instead (scripts), as does development without PUBLIC_URL (a
hidden prompt on a terminal). `--totp-secret-file PATH` enrols the second factor at once
and writes its secret (and otpauth:// URI) to PATH with mode 0600, so a script can sign
in: `jalur-aman staff totp-code --secret-file PATH` prints the current code.
The office code must be one of content/offices.yml, so a typo cannot create an account
that silently sees no queue. Exit codes: 0 created, 1 refused (duplicate, weak password).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import staff_manage
from bot.cli.staff_accounts import create_account, enrol_link, read_new_password
from bot.cli.staff_scoped import SCOPED_ROLES, add_scoped
from bot.core.complaints.rules import Offices
from bot.settings import get_settings
from storage.models.complaints import ROLES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("staff", help="dashboard accounts for BP3MI staff")
    staff_sub = parser.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create a staff account (production: prints an "
                                           "enrolment link; else password from a prompt "
                                           "or the first line of stdin)")
    add.add_argument("--username", required=True)
    add.add_argument("--office", help="office code from content/offices.yml (handler, "
                                      "supervisor, admin)")
    add.add_argument("--role", choices=ROLES, default="handler")
    add.add_argument("--village", help="role village: the village's code")
    add.add_argument("--district", help="role district: kabupaten/kota code, e.g. 32.01")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from stdin even when PUBLIC_URL is set")
    add.add_argument("--totp-secret-file", type=Path,
                     help="enrol the second factor now; write its secret here (0600)")
    add.set_defaults(handler=_add)
    staff_manage.register(staff_sub)


def link_mode(args: argparse.Namespace) -> bool:
    """Production (PUBLIC_URL set) without --password-stdin: an enrolment link."""
    return bool(get_settings().public_url) and not args.password_stdin


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
    password = None if link_mode(args) else read_new_password(username)
    if password is None and not link_mode(args):
        return 1
    code, token = create_account(settings, username=username, password=password,
                                 office_code=args.office, role=args.role,
                                 secret_file=args.totp_secret_file)
    if code == 0:
        print(f"staff account created: {username} ({args.role}, "
              f"{args.office} - {offices.name(args.office)})")
        if token:
            print(f"enrolment link (one use, valid 72 hours): {enrol_link(settings, token)}")
    return code
