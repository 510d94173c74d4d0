"""Drill (a): two `serve` workers on one PostgreSQL, a burst of chat turns and complaint
intakes spread over both -> every message answered and stored exactly once.

    .venv/bin/python -m benchmarks.drills.a_two_workers [--users 60] [--messages 8]

Prints the figures as JSON and exits 1 on any loss, doubling or HTTP 500. Bounded: the
burst is fixed-size and every request has a deadline; about 30-60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.drills.common import run
from benchmarks.drills.traffic import two_workers


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=8)
    args = parser.parse_args()
    async with two_workers(args.users, args.messages) as cluster:
        url, burst = cluster.url, cluster.burst
        started = time.monotonic()
        await burst.go()
        elapsed = time.monotonic() - started
        ok, figures = await burst.verdict(url)
        figures["seconds"] = round(elapsed, 1)
        figures["turns_per_s"] = round(burst.out.sent / elapsed, 1)
        print(json.dumps({"drill": "a_two_workers", "ok": ok, **figures}))
        return 0 if ok else 1


if __name__ == "__main__":
    run(main())
