"""Drill (c): restart PostgreSQL (pg_ctl restart -m fast) mid-burst -> the workers recover
without manual steps; requests during the outage get a clean 503 (never a 500); nothing
confirmed is lost or doubled.

    .venv/bin/python -m benchmarks.drills.c_restart_postgres [--users 40] [--messages 10]

Prints JSON with the outage and the recovery time; exits 1 on loss, a 500, or no recovery.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from benchmarks.drills.common import run
from benchmarks.drills.traffic import two_workers


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--restart-after", type=float, default=2.0)
    args = parser.parse_args()
    async with two_workers(args.users, args.messages) as cluster:
        pg, url, workers, burst = cluster.pg, cluster.url, cluster.workers, cluster.burst
        started = time.monotonic()
        task = asyncio.create_task(burst.go())
        await asyncio.sleep(args.restart_after)
        sent_before = burst.out.sent
        down = time.monotonic()
        await asyncio.to_thread(pg.restart)
        back = time.monotonic()
        sent_at_back = burst.out.sent
        while burst.out.sent <= sent_at_back and time.monotonic() - back < 60:
            await asyncio.sleep(0.02)
        recovered = time.monotonic()
        await task
        ok, figures = await burst.verdict(url)
        logged = sum(w.log_lines("database unavailable") for w in workers)
        figures.update(
            sent_before_restart=sent_before, postgres_down_s=round(back - down, 2),
            first_answer_after_restart_s=round(recovered - back, 2),
            logged_503_reasons=logged, seconds=round(time.monotonic() - started, 1))
        ok = ok and 0 < sent_before < figures["messages"] and recovered - back < 60
        print(json.dumps({"drill": "c_restart_postgres", "ok": ok, **figures}))
        return 0 if ok else 1


if __name__ == "__main__":
    run(main())
