"""`jalur-aman complaints list [--json] [--status S]`: complaints for the operator.

Prints ticket, status, category, office, urgency and timestamps — no personal data
(no story, contact or names), so the output can be shared for counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from bot.settings import get_settings
from storage import db
from storage.models.complaints import STATUSES
from storage.repositories import complaint_views


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("complaints", help="complaints filed through the bot")
    csub = parser.add_subparsers(dest="complaints_command", required=True)
    listing = csub.add_parser("list", help="list complaints (no personal data)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--status", choices=STATUSES, help="only this status")
    listing.set_defaults(handler=_list)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _rows(status: str | None) -> list[dict[str, Any]]:
    async with db.migrated(get_settings().database_url) as sessions, sessions() as session:
        found = await complaint_views.list_all(session, status=status)
        return [{
            "ticket": c.ticket, "status": c.status, "category": c.category,
            "office": c.office_code, "urgent": c.urgent,
            "urgency_reasons": list(c.urgency_reasons or ()), "escalated": c.escalated,
            "overdue": c.flagged_overdue, "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at), "resolved_at": _iso(c.resolved_at),
            "first_response_due": _iso(c.first_response_due),
            "first_response_at": _iso(c.first_response_at),
            "resolution_due": _iso(c.resolution_due), "overdue_at": _iso(c.overdue_at),
            "satisfaction": c.satisfaction,
        } for c in found]


def _list(args: argparse.Namespace) -> int:
    rows = asyncio.run(_rows(args.status))
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("Belum ada pengaduan.")
        return 0
    print(f"{'tiket':<11} {'status':<23} {'kategori':<16} {'kantor':<14} {'mendesak':<8} dibuat")
    for r in rows:
        print(f"{r['ticket']:<11} {r['status']:<23} {r['category']:<16} {r['office']:<14} "
              f"{'ya' if r['urgent'] else '-':<8} {r['created_at'][:16]}")
    return 0
