"""Load figure: sustained messages/s end to end (HTTP -> engine -> PostgreSQL -> reply)
through POST /api/chat (or Telegram webhooks) with `serve --workers N` for N = 1, 2, 4.

    .venv/bin/python -m benchmarks.load [--seconds 15] [--clients 32] [--workers 1,2,4]
        [--channel web|telegram]
    .venv/bin/python benchmarks/load.py   (the same)

Closed loop: `clients` simulated users each send a message, wait for the answer, send the
next (a mix of FAQ questions and unique out-of-scope text, so the NLU and a database write
run every turn). Each client is one chat: its first message goes without a token, the
token the server issues is kept (from the warm-up on) and sent as `Authorization: Bearer`
on every later message. A non-200 answer (a 401 too) counts as an error. Loopback only,
bounded (warm-up + `seconds` per worker count). The load generator runs on the same cores
as the server, so the figures are a floor. Latency is reported as p50 and p99.

Web chat baseline (in the same run, unless --no-baseline): benchmarks/bare_chat.py, a
bare aiohttp server on one process with the same sklearn model (one `predict_proba` per
turn) and one asyncpg transaction writing a row per turn, driven by the same clients for
the same time. The last line is the ratio of `serve --workers 1` to it (throughput, p99).

`--channel telegram`: each client is one Telegram chat posting a webhook update (same text
mix) to /webhook/telegram, against a fake Bot API in this process, and waiting until the
update is answered before posting the next: answered = its inbox row is done, i.e. the
engine turn committed with its replies in the outbox (the database is polled every 10 ms).
The replies themselves leave through the outbox sender, capped by Telegram's limit of 30
messages/s overall (bot.channels.sender.Limits.global_per_second; no setting or
environment variable lifts it), so the figure is inbox throughput (updates answered per
second, from the database), not replies delivered; the replies the fake accepted per
second are printed next to it and stay at or below 30/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import `benchmarks` from the project root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import itertools
import json
import statistics
import time

import aiohttp
import asyncpg

from benchmarks.drills.common import Postgres, Worker, run
from benchmarks.drills.webhook_burst import CHAT_BASE, FakePlatform, fake_platform
from bot.channels.telegram import PATH, SECRET_HEADER
from tests.fakes.telegram_api import text_update

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
    return summary(latencies, elapsed, errors)


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    latencies.sort()
    return {"messages_per_s": round(len(latencies) / elapsed, 1), "messages": len(latencies),
            "errors": errors, "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
                            * 1000, 1)}


async def measure_webhooks(url: str, database_url: str, api: FakePlatform, seconds: float,
                           clients: int, ids: itertools.count[int]) -> dict[str, float]:
    """Closed loop over webhooks: post an update, wait until its inbox row is done."""
    latencies: list[float] = []
    errors = 0
    waiting: dict[str, asyncio.Future[str]] = {}  # update id -> its answer (inbox status)
    stop = time.monotonic() + seconds
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))

    async def poll() -> None:
        while True:
            if waiting:
                for row in await conn.fetch(
                        "SELECT update_id, status FROM inbox WHERE platform = 'telegram' "
                        "AND update_id = ANY($1::text[]) AND status <> 'pending'",
                        list(waiting)):
                    future = waiting.pop(str(row["update_id"]), None)
                    if future is not None and not future.done():
                        future.set_result(str(row["status"]))
            await asyncio.sleep(0.01)

    async def client(http: aiohttp.ClientSession, c: int) -> None:
        nonlocal errors
        n = 0
        while time.monotonic() < stop:
            uid = next(ids)
            update = text_update(uid, CHAT_BASE + c, TEXTS[n % len(TEXTS)].format(n=n))
            answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            waiting[str(uid)] = answer
            started = time.perf_counter()
            async with http.post(url + PATH, json=update,
                                 headers={SECRET_HEADER: api.secret}) as resp:
                await resp.read()
            if resp.status != 200:
                errors += 1
                waiting.pop(str(uid), None)
            else:
                try:
                    errors += await asyncio.wait_for(answer, 30) != "done"
                except TimeoutError:
                    errors += 1
                    waiting.pop(str(uid), None)
            latencies.append(time.perf_counter() - started)
            n += 1

    poller = asyncio.create_task(poll())
    connector = aiohttp.TCPConnector(limit=clients)
    try:
        async with aiohttp.ClientSession(connector=connector,
                                         timeout=aiohttp.ClientTimeout(total=30)) as http:
            began = time.monotonic()
            sent_before = len(api.accepted())
            await asyncio.gather(*(client(http, c) for c in range(clients)))
            elapsed = time.monotonic() - began
            replies = len(api.accepted()) - sent_before
    finally:
        poller.cancel()
        await conn.close()
    return {**summary(latencies, elapsed, errors),
            "replies_sent_per_s": round(replies / elapsed, 1)}


async def run_telegram(pg: Postgres, workers: int, seconds: float, clients: int
                       ) -> dict[str, float]:
    database_url = await pg.fresh_database()
    async with fake_platform("telegram", 1) as api:
        server = Worker(database_url, workers=workers, env=api.env())
        await asyncio.to_thread(server.start)
        ids = itertools.count(1)
        try:  # warm-up: every worker loads; then the measured window
            await measure_webhooks(server.url, database_url, api, 3.0, clients, ids)
            return await measure_webhooks(server.url, database_url, api, seconds, clients,
                                          ids)
        finally:
            server.stop()


async def run_web(pg: Postgres, workers: int, seconds: float, clients: int,
                  module: str = "bot") -> dict[str, float]:
    server = Worker(await pg.fresh_database(), workers=workers, module=module)
    await asyncio.to_thread(server.start)
    tokens: dict[int, str] = {}  # the clients' chats, kept from the warm-up on
    try:
        await measure(server.url, 3.0, clients, tokens)  # every worker loads
        return await measure(server.url, seconds, clients, tokens)
    finally:
        server.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--channel", choices=["web", "telegram"], default="web")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="web: measure the bare server (benchmarks/bare_chat.py) too")
    args = parser.parse_args()
    measure_one = run_telegram if args.channel == "telegram" else run_web
    pg = Postgres()
    pg.start()
    results: dict[int, dict[str, float]] = {}
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            results[workers] = await measure_one(pg, workers, args.seconds, args.clients)
            print(json.dumps({"channel": args.channel, "workers": workers,
                              **results[workers]}), flush=True)
        bare = None
        if args.channel == "web" and args.baseline:
            bare = await run_web(pg, 1, args.seconds, args.clients, "benchmarks.bare_chat")
            print(json.dumps({"channel": "web", "bare_baseline": "aiohttp + predict_proba + "
                              "asyncpg transaction, 1 process", **bare}), flush=True)
    finally:
        pg.stop()
    base = results[min(results)]["messages_per_s"]
    print(json.dumps({"channel": args.channel, "scaling_vs_1_worker": {
        w: round(r["messages_per_s"] / base, 2) for w, r in results.items()}}))
    if args.channel == "telegram":
        print("telegram: messages_per_s = updates answered per second (inbox rows done with "
              "their replies in the outbox, from the database); replies leave at most 30/s "
              "(Telegram's global limit, no setting lifts it): replies_sent_per_s")
    if bare is not None and min(results) == 1:
        ours = results[1]
        print(json.dumps({"web_1_worker_vs_bare": {
            "throughput_ratio": round(ours["messages_per_s"] / bare["messages_per_s"], 2),
            "p99_ms": ours["p99_ms"], "bare_p99_ms": bare["p99_ms"]}}))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    run(main())
