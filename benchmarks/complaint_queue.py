"""Complaint queue benchmark: claims/s with 20 concurrent handlers on PostgreSQL, next to a
bare asyncpg loop doing the same work (a transaction: `UPDATE ... FOR UPDATE SKIP LOCKED`
claim + the audit event row) in the same run on the same rows, and intake throughput
(complaints/s through the whole engine: NLU, flow, storage). The ratio is printed last.

Needs PostgreSQL: JALUR_AMAN_TEST_POSTGRES_URL (admin URL), or run

    export JALUR_AMAN_PG_PORT=55433; source scripts/postgres.sh && start_test_postgres && \
      .venv/bin/python benchmarks/complaint_queue.py; stop_test_postgres
"""

# ruff: noqa: E402  (the path fix must run before the imports)
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib module `queue`: drop its folder from the path first.
_HERE = Path(__file__).resolve().parent
for _entry in [p for p in sys.path if Path(p or ".").resolve() == _HERE]:
    sys.path.remove(_entry)
sys.path.insert(0, str(_HERE.parent))

import argparse
import asyncio
import os
import time
import uuid
from datetime import timedelta

import asyncpg
from sqlalchemy import update

from bot.composition import build_bot
from bot.core.complaints.tickets import new_ticket
from bot.core.messages import Message
from bot.settings import PROJECT_ROOT, Settings
from storage import db
from storage.models import utcnow
from storage.models.complaints import Complaint
from storage.repositories.complaint_queue import claim_next
from storage.repositories.complaint_records import NewComplaint, create_complaint
from storage.repositories.staff import create_staff

BARE = ("WITH picked AS (SELECT id, status FROM complaints WHERE status IN ('new', 'reopened')"
        " AND office_code = $2 ORDER BY urgent DESC, created_at, id LIMIT 1"
        " FOR UPDATE SKIP LOCKED) UPDATE complaints AS c SET status = 'assigned',"
        " assigned_to = $1, lease_until = $3, updated_at = $4 FROM picked"
        " WHERE c.id = picked.id RETURNING c.id, picked.status")
BARE_EVENT = ("INSERT INTO complaint_events (complaint_id, kind, actor_kind, actor_id,"
              " old_status, new_status, created_at)"
              " VALUES ($1, 'claimed', 'staff', $2, $3, 'assigned', $4)")
INTAKE = [("b", "complaint"), ("b", "complaint:pick:consent:yes"),
          ("b", "complaint:pick:affected:self"), ("b", "complaint:pick:category:overcharging"),
          ("t", "PT Contoh Jaya"), ("b", "complaint:pick:country:Taiwan"), ("t", "Taipei"),
          ("t", "Jawa Timur"), ("b", "complaint:skip"),
          ("t", "Agen minta biaya 40 juta, tidak ada kuitansi."), ("b", "complaint:skip"),
          ("b", "complaint:pick:contact:chat"), ("b", "complaint:pick:confirm:yes")]


async def fresh_db(admin: str) -> str:
    name = f"ja_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"{admin.rpartition('/')[0]}/{name}"


async def bench_claims(url: str, n: int, workers: int) -> tuple[float, float]:
    engine = db.create_engine(url)
    await db.upgrade(engine)
    sessions = db.session_factory(engine)
    async with sessions() as s, s.begin():
        staff = [(await create_staff(s, username=f"h{i}", password="x" * 10,
                                     office_code="A")).id for i in range(workers)]
        for i in range(n):
            await create_complaint(s, NewComplaint(
                category="other", channel="web", office_code="A", urgent=i % 10 == 0),
                ticket=new_ticket(), secret_hash=None)

    async def ours(me: int) -> int:
        done = 0
        while True:
            async with sessions() as s, s.begin():
                if await claim_next(s, office_code="A", staff_id=me,
                                         lease_until=utcnow() + timedelta(hours=1)) is None:
                    return done
            done += 1

    t0 = time.perf_counter()
    claimed = sum(await asyncio.gather(*(ours(m) for m in staff)))
    ours_rate = claimed / (time.perf_counter() - t0)
    assert claimed == n, claimed
    async with sessions() as s, s.begin():
        await s.execute(update(Complaint).values(status="new", assigned_to=None))
    await engine.dispose()

    pool = await asyncpg.create_pool(url.replace("postgresql+asyncpg://", "postgresql://"),
                                     min_size=workers, max_size=workers)

    async def bare(me: int) -> int:
        done = 0
        while True:
            async with pool.acquire() as conn, conn.transaction():
                now = utcnow()
                row = await conn.fetchrow(BARE, me, "A", now + timedelta(hours=1), now)
                if row is None:
                    return done
                await conn.execute(BARE_EVENT, row[0], str(me), row[1], now)
            done += 1

    t0 = time.perf_counter()
    claimed = sum(await asyncio.gather(*(bare(m) for m in staff)))
    bare_rate = claimed / (time.perf_counter() - t0)
    assert claimed == n, claimed
    await pool.close()
    return ours_rate, bare_rate


async def bench_intake(url: str, users: int) -> float:
    settings = Settings(database_url=url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False)
    bot = await build_bot(settings)

    async def one(user: str) -> None:
        for kind, value in INTAKE:
            await bot.engine.handle(Message("web", user, text=value if kind == "t" else None,
                                            button=value if kind == "b" else None))

    t0 = time.perf_counter()
    await asyncio.gather(*(one(f"bench-{i}") for i in range(users)))
    rate = users / (time.perf_counter() - t0)
    await bot.close()
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--intakes", type=int, default=100)
    args = parser.parse_args()
    admin = os.environ.get("JALUR_AMAN_TEST_POSTGRES_URL")
    if not admin:
        sys.exit("set JALUR_AMAN_TEST_POSTGRES_URL (see the module docstring)")
    ours, bare = await bench_claims(await fresh_db(admin), args.complaints, args.workers)
    print(f"claims/s, {args.workers} concurrent handlers, {args.complaints} complaints:")
    print(f"  repository claim_next (session, transaction, claim + event): {ours:8.0f}")
    print(f"  bare asyncpg loop (transaction, claim + event row):          {bare:8.0f}")
    if args.intakes:
        pg = await bench_intake(await fresh_db(admin), args.intakes)
        print(f"intake through the engine, {args.intakes} concurrent users, 13 turns each:")
        print(f"  PostgreSQL: {pg:6.1f} complaints/s")
    print(f"claims ratio ours/bare: {ours / bare:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
