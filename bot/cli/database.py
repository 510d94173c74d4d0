"""`jalur-aman db upgrade`: run Alembic migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import get_settings
from storage import db


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("db", help="database maintenance")
    dbsub = parser.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="run migrations to the newest revision")
    up.set_defaults(handler=_upgrade)


def _upgrade(_args: argparse.Namespace) -> int:
    async def run() -> None:
        async with db.migrated(get_settings().database_url):
            pass

    asyncio.run(run())
    print("database is up to date")
    return 0
