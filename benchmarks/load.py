"""Load figure: sustained messages/s end to end (HTTP -> engine -> PostgreSQL -> reply)
through POST /api/chat with `serve --workers N` for N = 1, 2, 4 on this machine.

    .venv/bin/python -m benchmarks.load [--seconds 15] [--clients 32] [--workers 1,2,4]

Closed loop: `clients` simulated users each send a message, wait for the answer, send the
next (a mix of FAQ questions and unique out-of-scope text, so the NLU and a database write
run every turn). Loopback only, bounded (warm-up + `seconds` per worker count). The load
generator runs on the same cores as the server, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import aiohttp

from benchmarks.drills.common import Postgres, Worker, run

TEXTS = ["syarat jd tkw apa aja", "berapa biaya ke taiwan", "cara cek pt resmi",
         "paspor hilang gimana", "gaji di hongkong berapa", "kucing saya lucu {n}"]


async def measure(url: str, seconds: float, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(http: aiohttp.ClientSession, c: int) -> None:
        nonlocal errors
        n = 0
        while time.monotonic() < stop:
            text = TEXTS[n % len(TEXTS)].format(n=n)
            started = time.perf_counter()
            async with http.post(url + "/api/chat", json={"user": f"load-{c}", "text": text}
                                 ) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - started)
            n += 1

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        began = time.monotonic()
        await asyncio.gather(*(client(http, c) for c in range(clients)))
        elapsed = time.monotonic() - began
    latencies.sort()
    return {"messages_per_s": round(len(latencies) / elapsed, 1), "messages": len(latencies),
            "errors": errors, "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1)}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    pg = Postgres()
    pg.start()
    results: dict[int, dict[str, float]] = {}
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            server = Worker(await pg.fresh_database(), workers=workers)
            await asyncio.to_thread(server.start)
            try:
                await measure(server.url, 3.0, args.clients)  # warm-up: every worker loads
                results[workers] = await measure(server.url, args.seconds, args.clients)
            finally:
                server.stop()
            print(json.dumps({"workers": workers, **results[workers]}), flush=True)
    finally:
        pg.stop()
    base = results[min(results)]["messages_per_s"]
    print(json.dumps({"scaling_vs_1_worker": {w: round(r["messages_per_s"] / base, 2)
                                              for w, r in results.items()}}))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    run(main())
