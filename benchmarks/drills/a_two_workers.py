"""Drill (a): two `serve` workers on one PostgreSQL, a burst of chat turns and complaint
intakes spread over both, and at the same time a burst of Telegram (or WhatsApp) webhooks
alternating between them -> every message answered and stored exactly once, every reply
delivered once, in order, within the platform's rate limits.

    .venv/bin/python -m benchmarks.drills.a_two_workers [--users 60] [--messages 8]
        [--platform telegram|whatsapp] [--tg-users 60] [--tg-messages 5] [--tg-pause 0]
        [--duplicates] [--drain-timeout 120]

Web chat: see traffic.py. Platform: a fake server per worker runs in this process; each
user posts its messages one after another (as the platform does), alternating workers
(webhook_burst.py); with --duplicates every message is delivered twice, the second time
to the other worker (platforms redeliver webhooks). Verdict from the platform's side
(judge.py): the replies the posted messages should get, computed on a separate database,
against what the fakes received: no reply lost, none out of order, none doubled, at most
30 send attempts in any second and one per second to a chat (WhatsApp: 60/s, 0.2 s);
also every update stored once and answered, none failed.

Prints the figures as JSON and exits 1 on any failure. About 30-60 s.
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
from benchmarks.drills.webhook_burst import WebhookBurst, delivery_verdict, fake_platform


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--platform", choices=["telegram", "whatsapp"], default="telegram")
    parser.add_argument("--tg-users", type=int, default=60, help="platform chats")
    parser.add_argument("--tg-messages", type=int, default=5, help="messages per chat")
    parser.add_argument("--tg-pause", type=float, default=0.0,
                        help="seconds between a chat's messages")
    parser.add_argument("--duplicates", action="store_true",
                        help="deliver every webhook twice (to both workers)")
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    args = parser.parse_args()
    async with fake_platform(args.platform) as api, \
            two_workers(args.users, args.messages, envs=api.envs) as cluster:
        url, burst = cluster.url, cluster.burst
        webhooks = WebhookBurst([w.url for w in cluster.workers], api, args.tg_users,
                                args.tg_messages, pause=args.tg_pause,
                                duplicate=args.duplicates)
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            started = time.monotonic()
            await asyncio.gather(burst.go(), webhooks.go())
            elapsed = time.monotonic() - started
            ok, web = await burst.verdict(url)
            figures: dict[str, Any] = dict(web)
            figures["seconds"] = round(elapsed, 1)
            figures["turns_per_s"] = round(burst.out.sent / elapsed, 1)
            push_ok, push = await delivery_verdict(conn, webhooks, started, args.drain_timeout)
            push["seconds"] = round(time.monotonic() - started, 1)
            push_ok = push_ok and not webhooks.in_doubt  # no worker died: every post answered
        finally:
            await conn.close()
        print(json.dumps({"drill": "a_two_workers", "ok": ok and push_ok, "web_ok": ok,
                          **figures,
                          args.platform: {"ok": push_ok, **push}}))
        if not (ok and push_ok):
            print("worker logs: " + " ".join(str(w.log_path) for w in cluster.workers),
                  file=sys.stderr)
        return 0 if ok and push_ok else 1


if __name__ == "__main__":
    run(main())
