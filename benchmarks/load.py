"""Load figure: sustained messages/s end to end (HTTP -> engine -> PostgreSQL -> reply)
through POST /api/chat with `serve --workers N` for N = 1, 2, 4 on this machine.

    .venv/bin/python -m benchmarks.load [--seconds 15] [--clients 32] [--workers 1,2,4]
    .venv/bin/python benchmarks/load.py   (the same)

Closed loop: `clients` simulated users each send a message, wait for the answer, send the
next (a mix of FAQ questions and unique out-of-scope text, so the NLU and a database write
run every turn). Each client is one chat: its first message goes without a token, the
token the server issues is kept (from the warm-up on) and sent as `Authorization: Bearer`
on every later message. A non-200 answer (a 401 too) counts as an error. Loopback only,
bounded (warm-up + `seconds` per worker count). The load generator runs on the same cores
as the server, so the figures are a floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import `benchmarks` from the project root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import statistics
import time

import aiohttp

from benchmarks.drills.common import Postgres, Worker, run

TEXTS = ["syarat jd tkw apa aja", "berapa biaya ke taiwan", "cara cek pt resmi",
         "paspor hilang gimana", "gaji di hongkong berapa", "kucing saya lucu {n}"]


async def measure(url: str, seconds: float, clients: int,
                  tokens: dict[int, str]) -> dict[str, float]:
    """Closed-loop figures; `tokens` (client -> its chat token) is read and filled."""
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(http: aiohttp.ClientSession, c: int) -> None:
        nonlocal errors
        n = 0
        while time.monotonic() < stop:
            text = TEXTS[n % len(TEXTS)].format(n=n)
            started = time.perf_counter()
            headers = {"Authorization": f"Bearer {tokens[c]}"} if c in tokens else {}
            async with http.post(url + "/api/chat", json={"text": text}, headers=headers
                                 ) as resp:
                body = await resp.read()
                if resp.status != 200:
                    errors += 1
                elif c not in tokens:
                    tokens[c] = str(json.loads(body)["token"])
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
            tokens: dict[int, str] = {}  # the clients' chats, kept from the warm-up on
            try:
                await measure(server.url, 3.0, args.clients, tokens)  # every worker loads
                results[workers] = await measure(server.url, args.seconds, args.clients,
                                                 tokens)
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
