"""Drill (d): the Telegram Bot API is down for minutes while users keep writing -> once it
is back the outbox drains: every reply delivered exactly once, in order per chat, within
Telegram's rate limits (about 1 message/s to a chat, 30/s overall).

    .venv/bin/python -m benchmarks.drills.d_platform_outage [--outage 120] [--users 60]
        [--messages 3] [--drain-timeout 240]

A fake Bot API (tests/fakes/telegram_api.py) per worker runs in this process on loopback
(webhook_burst.py); two `serve` workers on one fresh PostgreSQL send through them.
During the outage every call fails: a 502 from the proxy (HTML, half of the time), then
cut connections (a quarter), then 429 with retry_after (the last quarter). Meanwhile
each user posts its webhook updates one after another, alternating between the workers as
the platform does; every webhook must get 200. After the outage the drill waits (bounded
by --drain-timeout) until no update of the inbox and no Telegram row of the outbox is
pending, then compares, per chat, the texts the fakes accepted with the texts of the
chat's sent outbox rows in id order.

Prints JSON; exits 1 on a lost, doubled or reordered reply, a failed row or update, a
non-200 webhook, a send closer than 0.9 s to the previous one in its chat, more than 31
accepted sends in a 1-second window, or no drain in time. About outage + 30-60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import asyncpg

from benchmarks.drills.common import Worker, run
from benchmarks.drills.traffic import two_workers
from benchmarks.drills.webhook_burst import (
    GLOBAL_PER_S,
    GRACE,
    FakeBotApi,
    WebhookBurst,
    compare,
    counts,
    fake_bot_api,
    outbox_rows,
    wait_drained,
)
from tests.fakes.telegram_api import FakeTelegram

PHASES: list[tuple[str, Any, float]] = [("502", None, 0.5), ("drop", None, 0.25),
                                        ("429", 3, 0.25)]  # kind, argument, share of outage


async def outage(fakes: list[FakeTelegram], seconds: float) -> None:
    for kind, arg, share in PHASES:
        for fake in fakes:
            fake.go_down(kind, arg)
        await asyncio.sleep(seconds * share)
    for fake in fakes:
        fake.go_up()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=120.0, help="seconds the API is down")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=3, help="updates per user")
    parser.add_argument("--drain-timeout", type=float, default=240.0,
                        help="seconds after the outage to wait for an empty outbox")
    args = parser.parse_args()
    async with fake_bot_api() as api, two_workers(0, 0, envs=api.envs) as cluster:
        conn = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
        try:
            return await drill(args, api, cluster.workers, conn)
        finally:
            await conn.close()


async def drill(args: argparse.Namespace, api: FakeBotApi, workers: list[Worker],
                conn: asyncpg.Connection) -> int:
    started = time.monotonic()
    burst = WebhookBurst([w.url for w in workers], api.secret, args.users, args.messages)
    posting = asyncio.create_task(burst.go())
    await outage(api.fakes, args.outage)
    up = time.monotonic()
    await posting
    statuses = burst.statuses
    _inbox, outbox_at_up = await counts(conn)
    drained = await wait_drained(conn, statuses[200], args.drain_timeout)
    await asyncio.sleep(GRACE)
    inbox, _outbox = await counts(conn)
    rows = await outbox_rows(conn)
    sends = api.calls()
    accepted = api.accepted()
    delivery = compare(rows, accepted, up)
    delivery["busiest_1s_after_outage_s"] = delivery.pop("busiest_1s_after_start_s")
    after = sorted(c.at - up for c in accepted)
    status = Counter(str(r["status"]) for r in rows)
    figures: dict[str, Any] = {
        "users": args.users, "messages": args.messages, "outage_s": args.outage,
        "webhooks": sum(statuses.values()), "webhooks_not_200": statuses.total() - statuses[200],
        "updates_failed": inbox["failed"], "outbox_rows": len(rows),
        "rows_pending_at_outage_end": outbox_at_up["pending"], "rows_sent": status["sent"],
        "rows_failed": status["failed"], "rows_pending": status["pending"],
        "failed_attempts": sum(c.failed is not None for c in sends),
        "failed_by_kind": dict(Counter(str(c.failed) for c in sends if c.failed)),
        "max_attempts_per_row": max((int(r["attempts"]) for r in rows), default=0),
        "accepted_sends": len(accepted),
        **delivery,
        "drained": drained is not None,
        "drained_after_outage_s": round(drained - up, 1) if drained else None,
        "first_send_after_outage_s": round(after[0], 2) if after else None,
        "last_send_after_outage_s": round(after[-1], 2) if after else None,
        "seconds": round(time.monotonic() - started, 1),
    }
    ok = (figures["drained"] and figures["webhooks_not_200"] == 0
          and figures["updates_failed"] == 0 and figures["rows_failed"] == 0
          and figures["rows_pending"] == 0 and figures["replies_lost"] == 0
          and figures["replies_doubled"] == 0 and figures["chats_mismatched"] == 0
          and figures["chats_answered"] == args.users
          and figures["per_chat_gap_violations"] == 0
          and figures["max_sends_in_1s"] <= GLOBAL_PER_S
          and not any(c.at < up for c in accepted))  # nothing got through the outage
    print(json.dumps({"drill": "d_platform_outage", "ok": ok, **figures}))
    if not ok:
        print("worker logs: " + " ".join(str(w.log_path) for w in workers), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    run(main())
