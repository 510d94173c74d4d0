"""Drill (b): kill -9 one of two workers mid-burst, restart it -> nothing confirmed is lost,
nothing confirmed is doubled, no complaint is filed twice.

    .venv/bin/python -m benchmarks.drills.b_kill_worker [--users 60] [--messages 10]

Requests cut by the kill are retried on the other worker (as a platform retries); they
are reported as "in doubt" (stored at least once). Prints JSON; exits 1 on loss/doubling.
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
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds into the burst")
    args = parser.parse_args()
    async with two_workers(args.users, args.messages) as cluster:
        url, workers, burst = cluster.url, cluster.workers, cluster.burst
        started = time.monotonic()
        task = asyncio.create_task(burst.go())
        await asyncio.sleep(args.kill_after)
        sent_at_kill = burst.out.sent
        workers[0].kill9()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(workers[0].start)  # restart on the same port
        restarted_after = time.monotonic() - started
        await task
        ok, figures = await burst.verdict(url)
        ok = ok and 0 < sent_at_kill < figures["messages"]  # the kill really hit mid-burst
        figures.update(sent_at_kill=sent_at_kill, restarted_at_s=round(restarted_after, 1),
                       seconds=round(time.monotonic() - started, 1))
        print(json.dumps({"drill": "b_kill_worker", "ok": ok, **figures}))
        return 0 if ok else 1


if __name__ == "__main__":
    run(main())
