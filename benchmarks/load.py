"""Load figure: sustained messages/s end to end (HTTP -> engine -> PostgreSQL -> reply)
through POST /api/chat (or Telegram webhooks) with `serve --workers N` for N = 1, 2, 4.

    .venv/bin/python -m benchmarks.load [--seconds 15] [--clients 32] [--workers 1,2,4]
        [--channel web|telegram] [--runs N]
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
the same time. Every server is started once, up front; `--runs N` then measures each of
them N times, interleaved (run by run the order is reversed, so neither side always goes
first on a machine whose load drifts), and prints per run every server's figures and the
ratio of `serve --workers 1` to the bare server (throughput, p99). The last line gives
the p99s of all runs and the min/median/max throughput ratio.

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
import contextlib
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

BARE = "bare aiohttp + predict_proba + asyncpg transaction, 1 process"
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


class Target:
    """One server measured again and again (in every run): its chats and update ids carry
    over from run to run, so only the first window needs a warm-up."""

    def __init__(self, name: str, server: Worker, database_url: str,
                 api: FakePlatform | None = None) -> None:
        self.name, self.server, self.database_url, self.api = name, server, database_url, api
        self.tokens: dict[int, str] = {}  # web: the clients' chats, kept from the warm-up on
        self.ids = itertools.count(1)  # telegram: update ids
        self.warm = False

    async def window(self, seconds: float, clients: int) -> dict[str, float]:
        if self.api is not None:
            async def once(s: float) -> dict[str, float]:
                assert self.api is not None
                return await measure_webhooks(self.server.url, self.database_url, self.api,
                                              s, clients, self.ids)
        else:
            async def once(s: float) -> dict[str, float]:
                return await measure(self.server.url, s, clients, self.tokens)
        if not self.warm:  # every worker loads, the clients' chats exist
            await once(3.0)
            self.warm = True
        return await once(seconds)


async def start_targets(pg: Postgres, stack: contextlib.AsyncExitStack, channel: str,
                        workers: list[int], baseline: bool) -> list[Target]:
    """The servers of a run set, all started up front (idle while another is measured)."""
    targets: list[Target] = []
    for count in workers:
        database_url = await pg.fresh_database()
        api = None
        env: dict[str, str] = {}
        if channel == "telegram":
            api = await stack.enter_async_context(fake_platform("telegram", 1))
            env = api.env()
        server = Worker(database_url, workers=count, env=env)
        await asyncio.to_thread(server.start)
        stack.callback(server.stop)
        targets.append(Target(f"serve --workers {count}", server, database_url, api))
    if channel == "web" and baseline:
        database_url = await pg.fresh_database()
        server = Worker(database_url, module="benchmarks.bare_chat")
        await asyncio.to_thread(server.start)
        stack.callback(server.stop)
        targets.append(Target(BARE, server, database_url))
    return targets


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--runs", type=int, default=1,
                        help="measure every server this many times, interleaved")
    parser.add_argument("--channel", choices=["web", "telegram"], default="web")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="web: measure the bare server (benchmarks/bare_chat.py) too")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    pg = Postgres()
    pg.start()
    errors = 0
    ratios: list[dict[str, float]] = []  # per run: serve --workers 1 vs the bare server
    try:
        async with contextlib.AsyncExitStack() as stack:
            targets = await start_targets(pg, stack, args.channel, workers, args.baseline)
            for run_no in range(1, args.runs + 1):
                # Alternate the order run by run: neither side always goes first.
                order = targets if run_no % 2 else targets[::-1]
                results: dict[str, dict[str, float]] = {}
                for target in order:
                    results[target.name] = await target.window(args.seconds, args.clients)
                for target in targets:  # printed in a fixed order
                    if target.name != BARE:
                        errors += int(results[target.name]["errors"])
                    print(json.dumps({"run": run_no, "channel": args.channel,
                                      "server": target.name, **results[target.name]}),
                          flush=True)
                base = results[targets[0].name]["messages_per_s"]
                print(json.dumps({"run": run_no, "scaling_vs_first": {
                    t.name: round(results[t.name]["messages_per_s"] / base, 2)
                    for t in targets if t.name != BARE}}), flush=True)
                ours = results.get("serve --workers 1")
                if BARE in results and ours is not None:
                    bare = results[BARE]
                    ratios.append({"ratio": ours["messages_per_s"] / bare["messages_per_s"],
                                   "p99_ms": ours["p99_ms"], "bare_p99_ms": bare["p99_ms"]})
                    print(json.dumps({"run": run_no, "web_1_worker_vs_bare": {
                        "throughput_ratio": round(ratios[-1]["ratio"], 2),
                        "p99_ms": ours["p99_ms"], "bare_p99_ms": bare["p99_ms"]}}),
                          flush=True)
    finally:
        pg.stop()
    if args.channel == "telegram":
        print("telegram: messages_per_s = updates answered per second (inbox rows done with "
              "their replies in the outbox, from the database); replies leave at most 30/s "
              "(Telegram's global limit, no setting lifts it): replies_sent_per_s")
    if ratios:
        print(json.dumps({"web_1_worker_vs_bare": {
            "runs": len(ratios), "p99_ms": [r["p99_ms"] for r in ratios],
            "bare_p99_ms": [r["bare_p99_ms"] for r in ratios],
            "throughput_ratio": spread([r["ratio"] for r in ratios])}}))
    return 1 if errors else 0


def spread(values: list[float]) -> dict[str, float]:
    """min / median / max, rounded (the figures reported for several runs)."""
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2),
            "max": round(max(values), 2)}


if __name__ == "__main__":
    run(main())
