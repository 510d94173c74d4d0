"""Drill (d): the Telegram Bot API is down for minutes while users keep writing -> once it
is back the outbox drains: every reply delivered exactly once, in order per chat, within
Telegram's rate limits (about 1 message/s to a chat, 30/s overall).

    .venv/bin/python -m benchmarks.drills.d_platform_outage [--outage 120] [--users 60]
        [--messages 3] [--drain-timeout 240]

A fake Bot API (tests/fakes/telegram_api.py) runs in this process on loopback; two `serve`
workers on one fresh PostgreSQL send through it. During the outage every call fails: a
502 from the proxy (HTML, half of the time), then cut connections (a quarter), then 429
with retry_after (the last quarter). Meanwhile each user posts its webhook updates one
after another, alternating between the workers as the platform does; every webhook must
get 200. After the outage the drill waits (bounded by --drain-timeout) until no update of
the inbox and no Telegram row of the outbox is pending, then compares, per chat, the texts
the fake accepted with the texts of the chat's sent outbox rows in id order.

Prints JSON; exits 1 on a lost, doubled or reordered reply, a failed row or update, a
non-200 webhook, a send closer than 0.9 s to the previous one in its chat, more than 31
accepted sends in a 1-second window, or no drain in time. About outage + 30-60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

import aiohttp
import asyncpg

from benchmarks.drills.common import Worker, run
from benchmarks.drills.traffic import two_workers
from bot.channels.telegram import MAX_TEXT, PATH, SECRET_HEADER
from tests.fakes.telegram_api import Call, FakeTelegram, text_update

QUESTIONS = ["syarat kerja ke malaysia apa", "berapa biaya penempatan", "cara bikin paspor",
             "visa kerja taiwan gimana", "apa itu BPJS ketenagakerjaan", "ciri agen ilegal",
             "program G2G korea", "cara pulang ke indonesia"]  # eight distinct answers
PHASES: list[tuple[str, Any, float]] = [("502", None, 0.5), ("drop", None, 0.25),
                                        ("429", 3, 0.25)]  # kind, argument, share of outage
CHAT_GAP = 0.9  # Telegram: one message per second to a chat, with 10 % tolerance
GLOBAL_PER_S = 31  # Telegram: 30 messages per second overall, with a tolerance of one
CHAT_BASE = 7_000_000
GRACE = 3.0  # after the drain: time for a late (doubled) send to show up


async def post_burst(urls: list[str], secret: str, users: int, messages: int) -> Counter[int]:
    """Each user's updates one after another, alternating workers; HTTP status counts."""
    statuses: Counter[int] = Counter()
    update_ids = itertools.count(1)

    async def user(http: aiohttp.ClientSession, n: int) -> None:
        for i in range(messages):
            update = text_update(next(update_ids), CHAT_BASE + n,
                                 QUESTIONS[(n + i) % len(QUESTIONS)])
            try:
                async with http.post(urls[(n + i) % len(urls)] + PATH, json=update,
                                     headers={SECRET_HEADER: secret}) as resp:
                    statuses[resp.status] += 1
            except (TimeoutError, aiohttp.ClientError):
                statuses[0] += 1  # no answer at all

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        await asyncio.gather(*(user(http, n) for n in range(users)))
    return statuses


async def outage(fake: FakeTelegram, seconds: float) -> None:
    for kind, arg, share in PHASES:
        fake.go_down(kind, arg)
        await asyncio.sleep(seconds * share)
    fake.go_up()


async def counts(conn: asyncpg.Connection) -> tuple[Counter[str], Counter[str]]:
    """Telegram rows of the inbox and of the outbox by status."""
    inbox = await conn.fetch("SELECT status, count(*) AS n FROM inbox "
                             "WHERE platform = 'telegram' GROUP BY status")
    outbox = await conn.fetch("SELECT status, count(*) AS n FROM outbox "
                              "WHERE channel = 'telegram' GROUP BY status")
    return (Counter({r["status"]: int(r["n"]) for r in inbox}),
            Counter({r["status"]: int(r["n"]) for r in outbox}))


async def wait_drained(conn: asyncpg.Connection, stored: int, timeout: float) -> float | None:
    """Monotonic time when every update was processed and no outbox row is pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inbox, outbox = await counts(conn)
        if (inbox["pending"] == 0 and inbox.total() >= stored and outbox["pending"] == 0
                and outbox.total() > 0):
            return time.monotonic()
        await asyncio.sleep(0.2)
    return None


def max_in_window(times: list[float], width: float = 1.0) -> tuple[int, float | None]:
    """The most events in any half-open window [t, t + width), and that window's start."""
    best, at, start = 0, None, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        if end - start + 1 > best:
            best, at = end - start + 1, times[start]
    return best, at


def compare(rows: list[asyncpg.Record], accepted: list[Call], up: float) -> dict[str, Any]:
    """Per chat: accepted texts against the texts of the sent outbox rows in id order."""
    expected: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["status"] == "sent":
            payload = json.loads(row["payload"])
            expected[row["external_user_id"]].append(
                str(payload.get("text") or "…")[:MAX_TEXT])
    got: dict[str, list[str]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    for call in accepted:
        got[call.chat].append(str(call.data.get("text")))
        times[call.chat].append(call.at)
    lost = doubled = reordered = mismatched = 0
    for chat in expected.keys() | got.keys():
        want, have = expected.get(chat, []), got.get(chat, [])
        missing, extra = Counter(want) - Counter(have), Counter(have) - Counter(want)
        lost += missing.total()
        doubled += extra.total()
        mismatched += want != have
        reordered += not missing and not extra and want != have
        if want != have and mismatched <= 3:  # evidence for the report, on stderr
            print(f"chat {chat}: outbox {[t[:24] for t in want]} accepted "
                  f"{[t[:24] for t in have]} at {[round(t, 2) for t in times[chat]]}",
                  file=sys.stderr)
    gaps = [b - a for ts in times.values() for a, b in itertools.pairwise(ts)]
    busiest, busiest_at = max_in_window(sorted(c.at for c in accepted))
    return {"replies_lost": lost, "replies_doubled": doubled, "chats_reordered": reordered,
            "chats_mismatched": mismatched, "chats_answered": len(expected),
            "per_chat_min_gap_s": round(min(gaps), 3) if gaps else None,
            "per_chat_gap_violations": sum(g < CHAT_GAP for g in gaps),
            "max_sends_in_1s": busiest,
            "busiest_1s_after_outage_s": round(busiest_at - up, 2) if busiest_at else None}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=120.0, help="seconds the API is down")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=3, help="updates per user")
    parser.add_argument("--drain-timeout", type=float, default=240.0,
                        help="seconds after the outage to wait for an empty outbox")
    args = parser.parse_args()
    fake = await FakeTelegram().start()
    secret = uuid.uuid4().hex
    env = {"JALUR_AMAN_TELEGRAM_TOKEN": "4242:drill-token",
           "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET": secret,
           "JALUR_AMAN_TELEGRAM_API_BASE": fake.base,
           "JALUR_AMAN_RATE_LIMIT_WEBHOOK_PER_S": "0"}  # the platform, not an attacker
    try:
        async with two_workers(0, 0, env=env) as cluster:
            conn = await asyncpg.connect(cluster.url.replace("+asyncpg", ""))
            try:
                return await drill(args, fake, secret, cluster.workers, conn)
            finally:
                await conn.close()
    finally:
        await fake.close()


async def drill(args: argparse.Namespace, fake: FakeTelegram, secret: str,
                workers: list[Worker], conn: asyncpg.Connection) -> int:
    started = time.monotonic()
    burst = asyncio.create_task(post_burst([w.url for w in workers], secret, args.users,
                                           args.messages))
    await outage(fake, args.outage)
    up = time.monotonic()
    statuses = await burst
    _inbox, outbox_at_up = await counts(conn)
    drained = await wait_drained(conn, statuses[200], args.drain_timeout)
    await asyncio.sleep(GRACE)
    inbox, _outbox = await counts(conn)
    rows = await conn.fetch("SELECT id, external_user_id, payload::text AS payload, status, "
                            "attempts FROM outbox WHERE channel = 'telegram' ORDER BY id")
    sends = [c for c in fake.calls if c.method == "sendmessage"]
    accepted = [c for c in sends if c.failed is None]
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
        **compare(list(rows), accepted, up),
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
