"""`jalur-aman reports weekly [--out DIR] [--days N]` and
`jalur-aman reports unanswered [--rasa] [--days N] [--out FILE]`.

weekly: the BP3MI early-warning digest (agency names checked or reported that are not on
the register or have licence problems, by district) as CSV and HTML files.
unanswered: questions the bot could not answer, personal data masked, most frequent first
(tab-separated count, guess, text), or with --rasa as Rasa NLU YAML training examples.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.nlu.review import rasa_yaml, review_groups
from bot.core.villages.reports import write_weekly
from bot.settings import get_settings
from storage import db
from storage.repositories import village_stats as stats


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("reports", help="early-warning digest and content review")
    rsub = parser.add_subparsers(dest="reports_command", required=True)
    weekly = rsub.add_parser("weekly", help="early-warning digest as CSV and HTML")
    weekly.add_argument("--out", type=Path, default=Path("."))
    weekly.add_argument("--days", type=int, default=7)
    weekly.set_defaults(handler=_weekly)
    una = rsub.add_parser("unanswered", help="unanswered questions, personal data masked")
    una.add_argument("--rasa", action="store_true", help="Rasa NLU YAML training examples")
    una.add_argument("--days", type=int, default=30)
    una.add_argument("--out", type=Path, help="write to this file instead of stdout")
    una.set_defaults(handler=_unanswered)


def _weekly(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def run() -> list[Path]:
        async with db.migrated(settings.database_url) as sessions, sessions() as session:
            return await write_weekly(session, args.out, days=args.days)

    for path in asyncio.run(run()):
        print(path)
    return 0


def _unanswered(args: argparse.Namespace) -> int:
    settings = get_settings()
    since = datetime.now(UTC) - timedelta(days=args.days)

    async def run() -> list[tuple[str, str | None, float]]:
        async with db.migrated(settings.database_url) as sessions, sessions() as session:
            return await stats.unanswered(session, since=since)

    groups = review_groups(asyncio.run(run()))
    if args.rasa:
        text = rasa_yaml(groups)
    else:
        text = "".join(f"{g.count}\t{g.guess}\t{g.text}\n" for g in groups)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
