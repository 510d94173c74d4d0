"""`jalur-aman staff add --role village --village CODE` / `--role district --district CODE`:
accounts of village officials, scoped to one village or one kabupaten/kota.

Such an account sees only the aggregate village page (/staff/desa) of its scope. Its
office_code is a marker ("desa:<kode>" / "kab:<kode>") that matches no BP3MI office, so
even a missed check on a complaint page finds nothing (fail closed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.staff_accounts import create_account, enrol_link, read_new_password
from bot.settings import Settings
from storage import db
from storage.repositories import villages as village_repo

SCOPED_ROLES = ("village", "district")


def scope_office(role: str, code: str) -> str:
    return f"{'desa' if role == 'village' else 'kab'}:{code}"


def add_scoped(args: argparse.Namespace, settings: Settings, username: str) -> int:
    wanted = args.village if args.role == "village" else args.district
    if not wanted:
        print(f"error: --role {args.role} needs --{args.role}", file=sys.stderr)
        return 1

    async def scope() -> tuple[str | None, str | None]:
        async with db.migrated(settings.database_url) as sessions, sessions() as session:
            if args.role == "village":
                village = await village_repo.by_code(session, wanted)
                return (village.code, village.district_code) if village else (None, None)
            known = {c for c, _, _ in await village_repo.districts(session)}
            return (None, wanted) if wanted in known else (None, None)

    village_code, district_code = asyncio.run(scope())
    if district_code is None:
        print(f"error: unknown {args.role} {wanted!r} (see `jalur-aman villages list`)",
              file=sys.stderr)
        return 1
    link = bool(settings.public_url) and not args.password_stdin
    password = None if link else read_new_password(username)
    if password is None and not link:
        return 1
    code, token = create_account(
        settings, username=username, password=password,
        office_code=scope_office(args.role, village_code or district_code), role=args.role,
        village_code=village_code, district_code=None if village_code else district_code,
        secret_file=args.totp_secret_file)
    if code == 0:
        print(f"staff account created: {username} ({args.role}, {village_code or district_code})")
        if token:
            print(f"enrolment link (one use, valid 72 hours): {enrol_link(settings, token)}")
    return code
