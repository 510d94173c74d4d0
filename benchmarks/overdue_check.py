"""Overdue check benchmark: one round of the periodic check (mark the late cases, write
their events and the complainant updates) over a table of 20,000 complaints, 1 % of them
past their target, next to a bare SQL `UPDATE ... WHERE ...` that only flips the flag, in
the same run on the same data; then an idle round (nothing late), which is what every
worker runs every minute.

    .venv/bin/python benchmarks/overdue_check.py [--database-url URL] [--cases N]

Without --database-url a temporary SQLite file is used; for PostgreSQL pass a URL of an
empty database (e.g. one created on the server scripts/postgres.sh starts).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert, text

from bot.composition import build_bot
from bot.core.complaints.overdue import OverdueCheck
from bot.core.complaints.rules import Offices
from bot.settings import PROJECT_ROOT, Settings
from storage.models import User, utcnow
from storage.models.complaints import Complaint

BARE = ("UPDATE complaints SET overdue_at = :now, flagged_overdue = :yes, escalated = :yes"
        " WHERE overdue_at IS NULL AND status IN ('new', 'reopened', 'assigned')"
        " AND ((first_response_at IS NULL AND first_response_due < :now)"
        " OR resolution_due < :now)")


async def _fill(bot, cases: int) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    async with bot.sessions() as session, session.begin():
        await session.execute(insert(User), [
            {"channel": "web", "external_id": f"b{i}", "state": {}, "created_at": now}
            for i in range(cases)])
        late = max(cases // 100, 1)
        await session.execute(insert(Complaint), [{
            "ticket": f"JA-B{i:07d}", "status": "new", "category": "other", "channel": "web",
            "user_id": i + 1, "office_code": "BP3MI-JATIM", "urgent": False,
            "urgency_reasons": [], "escalated": False, "bot_released": False,
            "flagged_overdue": False, "anonymised": False, "affected": "self",
            "created_at": now, "updated_at": now,
            "first_response_due": now + (-timedelta(hours=1) if i < late else timedelta(days=1)),
            "resolution_due": now + timedelta(days=14)} for i in range(cases)])


async def _reset(bot) -> None:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session, session.begin():
        await session.execute(text("UPDATE complaints SET overdue_at = NULL,"
                                   " flagged_overdue = :no, escalated = :no"), {"no": False})
        await session.execute(text("DELETE FROM complaint_events WHERE kind = 'overdue'"))
        await session.execute(text("DELETE FROM outbox"))


async def main(url: str, cases: int) -> None:
    bot = await build_bot(Settings(database_url=url, seed_demo_data=False,
                                   cache_dir=PROJECT_ROOT / "var" / "cache"))
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    check = OverdueCheck(bot.content, offices)
    await _fill(bot, cases)
    start = time.perf_counter()
    async with bot.sessions() as session, session.begin():
        marked = len(await check.run(session))
    ours = time.perf_counter() - start
    await _reset(bot)
    start = time.perf_counter()
    async with bot.sessions() as session, session.begin():
        bare = (await session.execute(text(BARE), {"now": utcnow(), "yes": True})).rowcount
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    async with bot.sessions() as session, session.begin():
        assert await check.run(session) == []
    idle = time.perf_counter() - start
    await bot.close()
    print(f"{cases} complaints, {marked} late (bare UPDATE flipped {bare})")
    print(f"{'round':<44}{'seconds':>10}")
    print(f"{'ours: mark + events + updates':<44}{ours:>10.3f}")
    print(f"{'bare UPDATE (flag only)':<44}{baseline:>10.3f}")
    print(f"{'ours: idle round (nothing late)':<44}{idle:>10.3f}")
    print(f"ratio ours / bare: {ours / baseline:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db",
                         args.cases))
