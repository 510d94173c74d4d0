"""Drill (d): the platform (Telegram Bot API, or WhatsApp's Graph API) is down while users
keep writing -> once it is back the outbox drains: every reply delivered, in order per
chat, within the platform's rate limits, and no call inside a 429's retry_after.

    .venv/bin/python -m benchmarks.drills.d_platform_outage [--outage 120] [--users 60]
        [--messages 3] [--platform telegram|whatsapp] [--drain-timeout 240]

A fake platform server per worker runs in this process on loopback (webhook_burst.py);
two `serve` workers on one fresh PostgreSQL send through them. During the outage every
call fails, in phases: a proxy's 502 (HTML), cut connections before any answer, messages
delivered whose answer is then lost (connection cut, or a 5xx after accepting), and 429
with a retry_after of 3 s. Meanwhile each user posts its messages one after another,
alternating between the workers as the platform does; every webhook must get 200. The
verdict comes from the platform's side (judge.py): the replies the posted messages should
get against what the fakes received. A message delivered whose answer was lost is sent
again (neither platform takes an idempotency key): such doubles are counted apart and
must not exceed the answers lost; any other double, a loss, a reordering, more attempts
than the limit in any second (counting failed ones), two attempts to a chat within the
per-chat interval, or a call inside a retry_after fails the drill. Prints JSON; exits 1
on failure. About outage + 30-60 s.
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

# kind, argument, share of the outage (Telegram's kinds; WhatsApp's 429 is "130429")
PHASES: list[tuple[str, Any, float]] = [("502", None, 0.3), ("drop", None, 0.2),
                                        ("accept_drop", None, 0.1), ("accept_500", None, 0.1),
                                        ("429", 3, 0.3)]


async def outage(fakes: list[Any], seconds: float, platform: str) -> None:
    for kind, arg, share in PHASES:
        for fake in fakes:
            fake.go_down("130429" if kind == "429" and platform == "whatsapp" else kind, arg)
        await asyncio.sleep(seconds * share)
    for fake in fakes:
        fake.go_up()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=120.0, help="seconds the API is down")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=3, help="messages per user")
    parser.add_argument("--platform", choices=["telegram", "whatsapp"], default="telegram")
    parser.add_argument("--drain-timeout", type=float, default=240.0,
                        help="seconds after the outage to wait for an empty outbox")
    args = parser.parse_args()
    async with fake_platform(args.platform) as api, \
            two_workers(0, 0, envs=api.envs) as cluster:
        conn = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
        try:
            started = time.monotonic()
            burst = WebhookBurst([w.url for w in cluster.workers], api, args.users,
                                 args.messages)
            posting = asyncio.create_task(burst.go())
            await outage(api.fakes, args.outage, args.platform)
            up = time.monotonic()
            await posting
            ok, figures = await delivery_verdict(conn, burst, started, args.drain_timeout)
            answers_lost = figures["answers_lost_after_delivery"]
            ok = (ok and figures["doubles_answer_lost"] <= answers_lost
                  and figures["webhook_statuses"].keys() == {"200"})
            after = [a.at - up for a in api.accepted() if a.at >= up]
            figures.update(outage_s=args.outage, first_send_after_outage_s=round(
                min(after), 2) if after else None, drained_after_outage_s=round(
                started + figures["drained_after_start_s"] - up, 1)
                if figures["drained_after_start_s"] else None)
        finally:
            await conn.close()
        print(json.dumps({"drill": "d_platform_outage", "platform": args.platform, "ok": ok,
                          **figures}))
        if not ok:
            print("worker logs: " + " ".join(str(w.log_path) for w in cluster.workers),
                  file=sys.stderr)
        return 0 if ok else 1


if __name__ == "__main__":
    run(main())
