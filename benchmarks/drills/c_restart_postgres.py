"""Drill (c): PostgreSQL stops mid-burst for --down seconds (pg_ctl stop -m fast, then
start) -> the workers recover without manual steps; web chat requests during the outage
get a clean 503 (never a 500), Telegram (or WhatsApp) webhooks a 503 and are
redelivered, so the outage hits the platform's inbox and the outbox sender too; nothing
confirmed is lost or doubled, and every platform reply is delivered in order, judged from
the platform's side (judge.py), within the rate limits.

    .venv/bin/python -m benchmarks.drills.c_restart_postgres [--users 40] [--messages 10]
        [--platform telegram|whatsapp] [--tg-users 40] [--tg-messages 6]
        [--restart-after 2] [--before 20] [--down 10]

The outage starts --restart-after seconds into the burst, once --before web chat turns
were answered and some webhooks stored; each chat's webhooks come 2 s apart, so they go
on through the outage (all three are hit mid-stream: web chat, the platform's inbox,
the sender with rows queued). While the database is down the outbox
sender sends nothing (it takes each send slot in the database, so a send it could not
record is never made): a send reaching a fake from 1 s after the stop until the start
fails the drill, as does no webhook answered 503. Prints JSON with the outage and the
recovery time; exits 1 on loss, a 500, or no recovery.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import asyncpg

from benchmarks.drills.common import run
from benchmarks.drills.traffic import two_workers
from benchmarks.drills.webhook_burst import WebhookBurst, delivery_verdict, fake_platform


async def queued_replies(url: str, platform: str) -> int:
    """Outbox rows of `platform` waiting to be sent (the sender's work at the outage)."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE channel = $1 "
                                       "AND status = 'pending'", platform))
    finally:
        await conn.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--platform", choices=["telegram", "whatsapp"], default="telegram")
    parser.add_argument("--tg-users", type=int, default=40, help="platform chats")
    parser.add_argument("--tg-messages", type=int, default=6, help="updates per chat")
    parser.add_argument("--restart-after", type=float, default=2.0,
                        help="extra seconds allowed for traffic to start flowing")
    parser.add_argument("--before", type=int, default=20,
                        help="and not before this many web chat turns were answered")
    parser.add_argument("--down", type=float, default=10.0, help="seconds PostgreSQL is down")
    args = parser.parse_args()
    async with fake_platform(args.platform) as api, \
            two_workers(args.users, args.messages, envs=api.envs) as cluster:
        pg, url, workers, burst = cluster.pg, cluster.url, cluster.workers, cluster.burst
        webhooks = WebhookBurst([w.url for w in workers], api, args.tg_users,
                                args.tg_messages, pause=2.0, retry_for=120.0)
        started = time.monotonic()
        task = asyncio.gather(burst.go(), webhooks.go())
        # the outage starts as soon as web chat turns and platform replies flow: batched
        # web turns finish the whole burst within a couple of seconds
        while ((burst.out.sent < args.before or not webhooks.confirmed)
               and time.monotonic() - started < args.restart_after + 60):
            await asyncio.sleep(0.02)
        sent_before, replies_before = burst.out.sent, len(api.accepted())
        queued = await queued_replies(url, args.platform)
        down = time.monotonic()
        await asyncio.to_thread(pg.restart, args.down)
        back = time.monotonic()
        sent_while_down = sum(down + 1.0 <= a.at < back for a in api.attempts())
        sent_at_back = burst.out.sent
        while burst.out.sent <= sent_at_back and time.monotonic() - back < 60:
            await asyncio.sleep(0.02)
        recovered = time.monotonic()
        await task
        ok, figures = await burst.verdict(url)
        logged = sum(w.log_lines("database unavailable") for w in workers)
        figures.update(
            sent_before_restart=sent_before, postgres_down_s=round(back - down, 2),
            first_answer_after_restart_s=round(recovered - back, 2),
            logged_503_reasons=logged, seconds=round(time.monotonic() - started, 1))
        ok = ok and 0 < sent_before < figures["messages"] and recovered - back < 60
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            tg_ok, telegram = await delivery_verdict(conn, webhooks, started, 180.0)
        finally:
            await conn.close()
        telegram.update(replies_delivered_before_outage=replies_before,
                        outbox_queued_at_outage=queued, attempts_while_down=sent_while_down)
        tg_ok = (tg_ok and sent_while_down == 0 and replies_before + queued > 0
                 and webhooks.statuses[503] > 0)
        print(json.dumps({"drill": "c_restart_postgres", "ok": ok and tg_ok, "web_ok": ok,
                          **figures, args.platform: {"ok": tg_ok, **telegram}}))
        return 0 if ok and tg_ok else 1


if __name__ == "__main__":
    run(main())
