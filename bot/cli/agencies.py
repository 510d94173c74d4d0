"""`jalur-aman agencies import FILE [--as-of DATE]` and `agencies check [--json] QUERY|-`.

Import replaces the register atomically and prints counts plus every rejected row with its
reason. Check prints the verdict; with QUERY "-" it reads one query per stdin line and
writes one JSON line per non-blank line, in order (junk gets not_found, never a crash).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import io
import json
import sys
from datetime import date
from pathlib import Path

from bot.core.agencies.register_file import RegisterFileError
from bot.core.agencies.service import AgencyService, Outcome
from bot.settings import get_settings
from storage import db


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("agencies", help="P3MI register: import and check")
    asub = parser.add_subparsers(dest="agencies_command", required=True)
    imp = asub.add_parser("import", help="replace the register with a CSV or XLSX file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--as-of", type=date.fromisoformat, default=None,
                     help="date of the register (YYYY-MM-DD); default: today")
    imp.add_argument("--source", default="", help="where the file came from (shown to users)")
    imp.add_argument("--by", default=None, help="who imports (default: the OS user)")
    imp.set_defaults(handler=_import)
    check = asub.add_parser("check", help="look up an agency by name or SIP3MI number")
    check.add_argument("query", help='name or number; "-" reads one query per stdin line')
    check.add_argument("--json", action="store_true", help="print the JSON contract")
    check.set_defaults(handler=_check)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _import(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with db.migrated(get_settings().database_url) as sessions:
            summary = await AgencyService(sessions).import_file(
                args.file, as_of=args.as_of, source=args.source or args.file.name,
                imported_by=args.by or _user(),
            )
        parsed = summary.parsed
        print(f"imported {len(parsed.agencies)} agencies from {args.file.name} "
              f"(as of {summary.as_of.isoformat()}): {parsed.rows_read} rows read, "
              f"{len(parsed.rejected)} rejected, {len(parsed.duplicates)} duplicate names")
        for problem in parsed.rejected:
            print(f"  rejected row {problem.row}: {problem.reason}")
        for problem in parsed.duplicates:
            print(f"  warning row {problem.row}: {problem.reason}")
        return 0

    if not args.file.exists():
        print(f"error: {args.file} does not exist", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run())
    except RegisterFileError as exc:
        print(f"error: {exc}; the register was not changed", file=sys.stderr)
        return 1


def _check(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with db.migrated(get_settings().database_url) as sessions:
            service = AgencyService(sessions)
            snap = await service.snapshot()
        if snap is None:
            print("warning: no register imported yet (agencies import FILE)",
                  file=sys.stderr)
        if args.query != "-":
            _print(service.check_in(snap, args.query), args.json)
            return 0
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="replace")  # undecodable bytes are junk too
        for line in sys.stdin:
            query = line.rstrip("\r\n")
            if not query.strip():
                continue
            _print(service.check_in(snap, query), args.json)
        return 0

    return asyncio.run(run())


def _print(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        print(json.dumps(outcome.to_dict(), ensure_ascii=False), flush=True)
        return
    data = outcome.to_dict()
    demo = " (FICTITIOUS DEMO DATA)" if data.get("demo") else ""
    print(f"{data['verdict']}: {outcome.result.query[:100]!r} (register as of "
          f"{data['as_of'] or '-'}{demo})")
    for match in outcome.result.matches:
        m = match.to_dict()
        print(f"  {m['score']:>5}  {m['name']} | {m['sip3mi']} | {m['status']} | "
              f"{m['province']} | expires {m['expires'] or '-'}")
