"""Drill (b): kill -9 one of two workers mid-burst, restart it -> nothing confirmed is lost,
nothing confirmed is doubled, no complaint is filed twice, no Telegram update is answered
twice and no reply is lost.

    .venv/bin/python -m benchmarks.drills.b_kill_worker [--users 60] [--messages 10]
        [--kill-after 2] [--kill-after-sends 20] [--tg-users 60] [--tg-messages 8]
        [--tg-pause 1] [--drain-timeout 180]

Web chat requests cut by the kill are retried on the other worker (as a platform retries);
they are reported as "in doubt" (stored at least once). The kill comes --kill-after
seconds into the burst, and not before the fake accepted --kill-after-sends replies (at
most 30 s more), so it also hits the outbox sender mid-flight. Telegram webhooks (webhook_burst.py:
each chat's updates in order, alternating workers, against a fake Bot API in this process)
cut by the kill are in doubt too and re-posted, same update id, to the other worker, as
the platform redelivers: the inbox must answer each update once. Sending is at-least-once:
a reply the platform accepted but the killed worker had not yet recorded as sent is sent
again once its claim lease runs out (bot.channels.sender.Limits.lease, 60 s; no setting
shortens it, so the drill waits it out). Such resends are reported apart and must not
exceed the sends in flight at the kill (accepted, not yet recorded, in the chats the killed
worker had sent to; each worker has its own fake, so sends are attributed); any other
double or loss fails the drill. The worker killed is the one that sent the most replies
in the second before the kill. Prints JSON; exits 1 on loss/doubling. About 90-120 s.
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
from benchmarks.drills.webhook_burst import (
    LEASE,
    WebhookBurst,
    delivery_verdict,
    fake_bot_api,
    unrecorded_sends,
)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds into the burst")
    parser.add_argument("--tg-users", type=int, default=60, help="Telegram chats")
    parser.add_argument("--tg-messages", type=int, default=8, help="updates per chat")
    parser.add_argument("--kill-after-sends", type=int, default=20,
                        help="and not before the fake accepted this many Telegram replies")
    parser.add_argument("--tg-pause", type=float, default=1.0,
                        help="seconds between a chat's updates (the kill hits mid-burst)")
    parser.add_argument("--drain-timeout", type=float, default=LEASE + 120)
    args = parser.parse_args()
    async with fake_bot_api() as api, \
            two_workers(args.users, args.messages, envs=api.envs) as cluster:
        url, workers, burst = cluster.url, cluster.workers, cluster.burst
        webhooks = WebhookBurst([w.url for w in workers], api.secret, args.tg_users,
                                args.tg_messages, pause=args.tg_pause)
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            started = time.monotonic()
            task = asyncio.gather(burst.go(), webhooks.go())
            await asyncio.sleep(args.kill_after)
            while (len(api.accepted()) < args.kill_after_sends
                   and time.monotonic() - started < args.kill_after + 30):
                await asyncio.sleep(0.01)
            # the victim: the worker that sent the most in the last second (if either did)
            recent = [sum(c.at > time.monotonic() - 1 for c in api.accepted(n))
                      for n in range(len(workers))]
            victim = recent.index(max(recent))
            sent_at_kill = burst.out.sent
            workers[victim].kill9()
            kill_at = time.monotonic()
            updates_at_kill = len(webhooks.confirmed)
            victim_chats = {c.chat for c in api.accepted(victim) if c.at < kill_at}
            in_flight = await unrecorded_sends(
                conn, [c for c in api.accepted() if c.at < kill_at], victim_chats)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(workers[victim].start)  # restart on the same port
            restarted_after = time.monotonic() - started
            await task
            ok, web = await burst.verdict(url)
            figures: dict[str, Any] = dict(web)
            ok = ok and 0 < sent_at_kill < figures["messages"]  # the kill hit mid-burst
            figures.update(sent_at_kill=sent_at_kill, restarted_at_s=round(restarted_after, 1),
                           seconds=round(time.monotonic() - started, 1))
            tg_ok, telegram = await delivery_verdict(
                conn, webhooks, api, started, args.drain_timeout, kill_at=kill_at,
                in_flight_at_kill=in_flight)
            tg_ok = tg_ok and 0 < updates_at_kill < webhooks.total
            telegram.update(updates_answered_200_at_kill=updates_at_kill,
                            sends_in_last_1s_before_kill_per_worker=recent,
                            killed_worker=victim,
                            killed_at_s=round(kill_at - started, 1),
                            seconds=round(time.monotonic() - started, 1))
        finally:
            await conn.close()
        print(json.dumps({"drill": "b_kill_worker", "ok": ok and tg_ok, **figures,
                          "telegram": {"ok": tg_ok, **telegram}}))
        if not (ok and tg_ok):
            print("worker logs: " + " ".join(str(w.log_path) for w in workers),
                  file=sys.stderr)
        return 0 if ok and tg_ok else 1


if __name__ == "__main__":
    run(main())
