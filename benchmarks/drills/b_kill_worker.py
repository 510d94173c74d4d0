"""Drill (b): kill -9 one of two workers while it sends, restart it -> nothing confirmed is
lost, nothing confirmed is doubled, no complaint is filed twice, no platform update is
answered twice, no reply is lost, and replies are sent twice only within the bound.

    .venv/bin/python -m benchmarks.drills.b_kill_worker [--users 60] [--messages 10]
        [--platform telegram|whatsapp] [--kill-after 2] [--kill-after-sends 1]
        [--tg-users 60] [--tg-messages 8] [--tg-pause 1] [--resend-bound 1]
        [--drain-timeout 180]

Web chat requests cut by the kill are retried on the other worker (as a platform retries);
they are reported as "in doubt" (stored at least once). The kill is aimed at a send in
flight: --kill-after seconds into the burst, once the fakes delivered --kill-after-sends
replies, the next reply a fake delivers gets its worker killed (SIGKILL from the fake's
handler, before its answer goes out, so that worker never learns it was delivered; the
kill time is taken before the kill, and nothing blocks the event loop that runs the
fakes). Platform webhooks (webhook_burst.py: each chat's messages in order, alternating
workers) cut by the kill are in doubt too and re-posted, same update id, to the other
worker, as the platform redelivers: the inbox must answer each update once. Sending is
at-least-once: a reply delivered but not yet recorded by the killed worker is sent again
once its claim lease runs out (bot.channels.sender.Limits.lease, 60 s; the drill waits it
out). Such resends are counted apart (judge.py) and must not exceed --resend-bound; any
other double, a loss, a reordering or a rate-limit violation fails the drill. Prints JSON;
exits 1 on failure. About 90-150 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import asyncpg

from benchmarks.drills.common import Worker, run
from benchmarks.drills.judge import Attempt
from benchmarks.drills.traffic import two_workers
from benchmarks.drills.webhook_burst import (
    LEASE,
    FakePlatform,
    WebhookBurst,
    delivery_verdict,
    fake_platform,
)


def arm_kill(api: FakePlatform, workers: list[Worker]) -> tuple[asyncio.Event, list[float]]:
    """Kill the worker of the next reply a fake delivers, before the fake answers it;
    returns an event set after the kill and [kill time, victim index]."""
    killed = asyncio.Event()
    record: list[float] = []

    def on_delivered(n: int) -> Any:
        def callback(_call: Any) -> None:
            if record:
                return
            record.extend([workers[n].kill9(), n])
            for fake in api.fakes:
                fake.on_delivered.clear()
            killed.set()
        return callback

    for n, fake in enumerate(api.fakes):
        fake.on_delivered.append(on_delivered(n))
    return killed, record


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--platform", choices=["telegram", "whatsapp"], default="telegram")
    parser.add_argument("--kill-after", type=float, default=2.0,
                        help="at most this many seconds into the burst (sooner once a "
                             "quarter of the web chat messages are answered)")
    parser.add_argument("--tg-users", type=int, default=60, help="platform chats")
    parser.add_argument("--tg-messages", type=int, default=8, help="messages per chat")
    parser.add_argument("--kill-after-sends", type=int, default=1,
                        help="and not before the fakes delivered this many replies")
    parser.add_argument("--tg-pause", type=float, default=1.0,
                        help="seconds between a chat's messages (the kill hits mid-burst)")
    parser.add_argument("--resend-bound", type=int, default=1,
                        help="replies the killed worker may have sent without recording")
    parser.add_argument("--drain-timeout", type=float, default=LEASE + 120)
    args = parser.parse_args()
    async with fake_platform(args.platform) as api, \
            two_workers(args.users, args.messages, envs=api.envs) as cluster:
        url, workers, burst = cluster.url, cluster.workers, cluster.burst
        webhooks = WebhookBurst([w.url for w in workers], api, args.tg_users,
                                args.tg_messages, pause=args.tg_pause)
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            started = time.monotonic()
            task = asyncio.gather(burst.go(), webhooks.go())
            # kill while the web chat burst is under way (batched turns finish a burst in
            # about two seconds now) and once the platform has accepted a send
            while (burst.out.sent < args.users * args.messages // 4
                   and time.monotonic() - started < args.kill_after):
                await asyncio.sleep(0.01)
            while (len(api.accepted()) < args.kill_after_sends
                   and time.monotonic() - started < args.kill_after + 30):
                await asyncio.sleep(0.01)
            killed, record = arm_kill(api, workers)
            await asyncio.wait_for(killed.wait(), timeout=60)
            kill_at, victim = record[0], int(record[1])
            sent_at_kill = burst.out.sent
            updates_at_kill = len(webhooks.confirmed)
            await workers[victim].reaped()
            victim_sends: list[Attempt] = [a for a in api.accepted(victim) if a.at <= kill_at]
            await asyncio.sleep(1.0)
            await asyncio.to_thread(workers[victim].start)  # restart on the same port
            restarted_after = time.monotonic() - started
            await task
            ok, web = await burst.verdict(url)
            figures: dict[str, Any] = dict(web)
            ok = ok and 0 < sent_at_kill < figures["messages"]  # the kill hit mid-burst
            figures.update(sent_at_kill=sent_at_kill, restarted_at_s=round(restarted_after, 1),
                           seconds=round(time.monotonic() - started, 1))
            push_ok, push = await delivery_verdict(
                conn, webhooks, started, args.drain_timeout, kills=[(kill_at, victim)],
                resend_bound=args.resend_bound)
            push_ok = push_ok and 0 < updates_at_kill < webhooks.total
            push.update(updates_answered_200_at_kill=updates_at_kill, killed_worker=victim,
                        killed_worker_deliveries_before_kill=len(victim_sends),
                        killed_worker_last_deliveries_s_before_kill=[
                            round(kill_at - a.at, 3) for a in victim_sends[-5:]],
                        killed_at_s=round(kill_at - started, 2),
                        resend_bound=args.resend_bound,
                        seconds=round(time.monotonic() - started, 1))
        finally:
            await conn.close()
        print(json.dumps({"drill": "b_kill_worker", "ok": ok and push_ok, "web_ok": ok,
                          **figures,
                          args.platform: {"ok": push_ok, **push}}))
        if not (ok and push_ok):
            print("worker logs: " + " ".join(str(w.log_path) for w in workers),
                  file=sys.stderr)
        return 0 if ok and push_ok else 1


if __name__ == "__main__":
    run(main())
