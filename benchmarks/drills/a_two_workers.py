"""Drill (a): two `serve` workers on one PostgreSQL, a burst of chat turns and complaint
intakes spread over both, and at the same time a burst of Telegram webhooks alternating
between them -> every message answered and stored exactly once, every reply delivered once.

    .venv/bin/python -m benchmarks.drills.a_two_workers [--users 60] [--messages 8]
        [--tg-users 60] [--tg-messages 5] [--tg-pause 0] [--drain-timeout 120]

Web chat: see traffic.py. Telegram: a fake Bot API runs in this process; each Telegram user
posts its updates one after another (as the platform does), alternating workers
(webhook_burst.py). Verdict: every update stored once and answered (inbox rows done, none
failed, each with a reply), every outbox row sent, and per chat the sends the fake
accepted equal the chat's outbox rows in order.

Prints the figures as JSON and exits 1 on any loss, doubling or HTTP 500. Bounded: the
bursts are fixed-size, every request has a deadline, the drain is bounded; about 30-60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import asyncpg

from benchmarks.drills.common import run
from benchmarks.drills.traffic import two_workers
from benchmarks.drills.webhook_burst import WebhookBurst, delivery_verdict, fake_bot_api


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--tg-users", type=int, default=60, help="Telegram chats")
    parser.add_argument("--tg-messages", type=int, default=5, help="updates per chat")
    parser.add_argument("--tg-pause", type=float, default=0.0,
                        help="seconds between a chat's updates")
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    args = parser.parse_args()
    async with fake_bot_api() as api, \
            two_workers(args.users, args.messages, envs=api.envs) as cluster:
        url, burst = cluster.url, cluster.burst
        webhooks = WebhookBurst([w.url for w in cluster.workers], api.secret, args.tg_users,
                                args.tg_messages, pause=args.tg_pause)
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            started = time.monotonic()
            await asyncio.gather(burst.go(), webhooks.go())
            elapsed = time.monotonic() - started
            ok, web = await burst.verdict(url)
            figures: dict[str, Any] = dict(web)
            figures["seconds"] = round(elapsed, 1)
            figures["turns_per_s"] = round(burst.out.sent / elapsed, 1)
            tg_ok, telegram = await delivery_verdict(conn, webhooks, api, started,
                                                     args.drain_timeout)
            telegram["seconds"] = round(time.monotonic() - started, 1)
            tg_ok = tg_ok and not webhooks.in_doubt  # no worker died: every post answered
        finally:
            await conn.close()
        print(json.dumps({"drill": "a_two_workers", "ok": ok and tg_ok, **figures,
                          "telegram": {"ok": tg_ok, **telegram}}))
        if not (ok and tg_ok):
            print("worker logs: " + " ".join(str(w.log_path) for w in cluster.workers),
                  file=sys.stderr)
        return 0 if ok and tg_ok else 1


if __name__ == "__main__":
    run(main())
