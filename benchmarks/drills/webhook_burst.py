"""Telegram webhook traffic for drills (a), (b), (d) and `benchmarks/load.py`: a fake Bot
API in the drill process, updates posted as webhooks to `serve` workers, the outbox
drained, and per-chat delivery checked against the outbox.

- `fake_bot_api()` starts the fake (tests/fakes/telegram_api.py) and gives the workers'
  environment: token, webhook secret, API base, per-IP webhook limit off (the platform is
  one client, not an attacker).
- `WebhookBurst` posts each user's updates one after another (as the platform does),
  alternating between the workers. A webhook without an answer (a cut connection: its
  worker died) is *in doubt*: the update may have been stored before the answer was lost.
  It is re-posted, same update id, to the next worker, as the platform redelivers; the
  inbox must deduplicate it. A refused connection (nothing listening) and a non-200 answer
  are re-posted too, after a pause; every post's status is counted (0: no answer).
- `compare()` matches, per chat, the texts the fake accepted with the texts of the chat's
  sent outbox rows in id order. With a kill time, a row accepted before the kill and sent
  again, right after itself, at least a claim lease later, is counted apart: the killed
  worker sent it but never recorded it, so its claim ran out and another worker sent it
  again (the sender is at-least-once). Any other extra send is a double.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import asyncpg

from bot.channels.sender import Limits
from bot.channels.telegram import MAX_TEXT, PATH, SECRET_HEADER
from tests.fakes.telegram_api import Call, FakeTelegram, text_update

QUESTIONS = ["syarat kerja ke malaysia apa", "berapa biaya penempatan", "cara bikin paspor",
             "visa kerja taiwan gimana", "apa itu BPJS ketenagakerjaan", "ciri agen ilegal",
             "program G2G korea", "cara pulang ke indonesia"]  # eight distinct answers
CHAT_GAP = 0.9  # Telegram: one message per second to a chat, with 10 % tolerance
GLOBAL_PER_S = 31  # Telegram: 30 messages per second overall, with a tolerance of one
CHAT_BASE = 7_000_000
GRACE = 3.0  # after the drain: time for a late (doubled) send to show up
LEASE = Limits().lease.total_seconds()  # a claimed row is sent again after this (no env)


@dataclass
class FakeBotApi:
    """One fake Bot API per worker (so every send is attributed to the worker that made
    it; a restarted worker keeps its fake), one webhook secret."""

    fakes: list[FakeTelegram]
    secret: str

    def env(self, worker: int = 0) -> dict[str, str]:
        """The environment of worker `worker` (common.Worker.env)."""
        return {"JALUR_AMAN_TELEGRAM_TOKEN": "4242:drill-token",
                "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET": self.secret,
                "JALUR_AMAN_TELEGRAM_API_BASE": self.fakes[worker].base,
                "JALUR_AMAN_RATE_LIMIT_WEBHOOK_PER_S": "0"}  # the platform, not an attacker

    @property
    def envs(self) -> list[dict[str, str]]:
        return [self.env(n) for n in range(len(self.fakes))]

    def calls(self, method: str = "sendmessage") -> list[Call]:
        """Calls of `method` to any fake, in arrival order."""
        return sorted((c for f in self.fakes for c in f.calls if c.method == method),
                      key=lambda c: c.at)

    def accepted(self, worker: int | None = None) -> list[Call]:
        """sendMessage calls accepted (of one worker's fake, or all), in arrival order."""
        fakes = self.fakes if worker is None else [self.fakes[worker]]
        return sorted((c for f in fakes for c in f.calls
                       if c.method == "sendmessage" and c.failed is None), key=lambda c: c.at)


@asynccontextmanager
async def fake_bot_api(workers: int = 2) -> AsyncIterator[FakeBotApi]:
    fakes: list[FakeTelegram] = []
    try:
        for _ in range(workers):
            fakes.append(await FakeTelegram().start())
        yield FakeBotApi(fakes, uuid.uuid4().hex)
    finally:
        for fake in fakes:
            await fake.close()


@dataclass
class WebhookBurst:
    """`users` chats (CHAT_BASE + n) post `messages` text updates each, in order, with
    `pause` seconds between a user's updates, alternating over `urls`."""

    urls: list[str]
    secret: str
    users: int
    messages: int
    pause: float = 0.0
    retry_for: float = 90.0  # give an update up after this long without a 200
    statuses: Counter[int] = field(default_factory=Counter)  # per post; 0 = no answer
    confirmed: set[int] = field(default_factory=set)  # update ids answered 200
    in_doubt: set[int] = field(default_factory=set)  # a post of it got no answer
    given_up: set[int] = field(default_factory=set)
    reposts: int = 0

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._turn = 0

    @property
    def total(self) -> int:
        return self.users * self.messages

    async def post(self, http: aiohttp.ClientSession, update: dict[str, Any], first: int
                   ) -> None:
        """Deliver one update until a worker answers 200 (first worker: urls[first])."""
        uid = int(update["update_id"])
        deadline = time.monotonic() + self.retry_for
        for attempt in itertools.count():
            if time.monotonic() > deadline:
                self.given_up.add(uid)
                return
            self.reposts += attempt > 0
            url = self.urls[(first + attempt) % len(self.urls)]
            try:
                async with http.post(url + PATH, json=update,
                                     headers={SECRET_HEADER: self.secret}) as resp:
                    self.statuses[resp.status] += 1
                    if resp.status == 200:
                        self.confirmed.add(uid)
                        return
                await asyncio.sleep(0.3)  # e.g. 503 while the database restarts
            except aiohttp.ClientConnectorError:  # refused: never reached a worker
                self.statuses[-1] += 1
                await asyncio.sleep(0.1)
            except (TimeoutError, aiohttp.ClientError):  # cut mid-request: in doubt
                self.statuses[0] += 1
                self.in_doubt.add(uid)

    async def user(self, http: aiohttp.ClientSession, n: int) -> None:
        for i in range(self.messages):
            if i and self.pause:
                await asyncio.sleep(self.pause)
            update = text_update(next(self._ids), CHAT_BASE + n,
                                 QUESTIONS[(n + i) % len(QUESTIONS)])
            await self.post(http, update, n + i)

    async def go(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await asyncio.gather(*(self.user(http, n) for n in range(self.users)))


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


async def outbox_rows(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT id, external_user_id, payload::text AS payload, status, attempts "
        "FROM outbox WHERE channel = 'telegram' ORDER BY id"))


def row_text(row: asyncpg.Record) -> str:
    """The text the transport sends for an outbox row (bot.channels.telegram.send)."""
    return str(json.loads(row["payload"]).get("text") or "…")[:MAX_TEXT]


async def unrecorded_sends(conn: asyncpg.Connection, accepted: list[Call],
                           chats: set[str]) -> int:
    """Sends accepted (`accepted`: by every fake) that no outbox row records as sent yet,
    summed over `chats`. Right after a kill, with the chats the killed worker had sent
    to: an upper bound of its sends in flight (accepted, not recorded)."""
    sent = Counter({str(r["external_user_id"]): int(r["n"]) for r in await conn.fetch(
        "SELECT external_user_id, count(*) AS n FROM outbox WHERE channel = 'telegram' "
        "AND status = 'sent' GROUP BY external_user_id")})
    return (Counter(c.chat for c in accepted if c.chat in chats) - sent).total()


def max_in_window(times: list[float], width: float = 1.0) -> tuple[int, float | None]:
    """The most events in any half-open window [t, t + width), and that window's start."""
    best, at, start = 0, None, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        if end - start + 1 > best:
            best, at = end - start + 1, times[start]
    return best, at


def resent_after_kill(want: list[str], have: list[Call], kill_at: float) -> set[int]:
    """Indexes in `have` of at-least-once resends: the copy of the row matched just
    before, that copy accepted before the kill and this one at least a lease minus 10 s
    later (the claim ran out; a row stays its chat's head until recorded as sent)."""
    resent: set[int] = set()
    ptr, prev = 0, None
    for i, call in enumerate(have):
        text = str(call.data.get("text"))
        if ptr < len(want) and text == want[ptr]:
            ptr, prev = ptr + 1, call
        elif (prev is not None and text == want[ptr - 1] and prev.at < kill_at <= call.at
              and call.at - prev.at >= LEASE - 10):
            resent.add(i)
            prev = None  # a row is resent at most once per kill
    return resent


def compare(rows: list[asyncpg.Record], accepted: list[Call], up: float,
            kill_at: float | None = None) -> dict[str, Any]:
    """Per chat: accepted texts against the texts of the sent outbox rows in id order.
    `up`: the time sending could start (first/busiest figures are relative to it)."""
    expected: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["status"] == "sent":
            expected[row["external_user_id"]].append(row_text(row))
    calls: dict[str, list[Call]] = defaultdict(list)
    for call in accepted:
        calls[call.chat].append(call)
    lost = doubled = reordered = mismatched = resent = 0
    for chat in expected.keys() | calls.keys():
        want, chat_calls = expected.get(chat, []), calls.get(chat, [])
        skip = resent_after_kill(want, chat_calls, kill_at) if kill_at is not None else set()
        resent += len(skip)
        kept = [c for i, c in enumerate(chat_calls) if i not in skip]
        have = [str(c.data.get("text")) for c in kept]
        missing, extra = Counter(want) - Counter(have), Counter(have) - Counter(want)
        lost += missing.total()
        doubled += extra.total()
        mismatched += want != have
        reordered += not missing and not extra and want != have
        if want != have and mismatched <= 3:  # evidence for the report, on stderr
            print(f"chat {chat}: outbox {[t[:24] for t in want]} accepted "
                  f"{[t[:24] for t in have]} at {[round(c.at, 2) for c in kept]}",
                  file=sys.stderr)
    gaps = [b.at - a.at for cs in calls.values() for a, b in itertools.pairwise(cs)]
    busiest, busiest_at = max_in_window(sorted(c.at for c in accepted))
    figures: dict[str, Any] = {
        "replies_lost": lost, "replies_doubled": doubled, "chats_reordered": reordered,
        "chats_mismatched": mismatched, "chats_answered": len(expected),
        "per_chat_min_gap_s": round(min(gaps), 3) if gaps else None,
        "per_chat_gap_violations": sum(g < CHAT_GAP for g in gaps),
        "max_sends_in_1s": busiest,
        "busiest_1s_after_start_s": round(busiest_at - up, 2) if busiest_at else None}
    if kill_at is not None:
        figures["sent_twice_worker_died_between_send_and_record"] = resent
    return figures


async def delivery_verdict(conn: asyncpg.Connection, burst: WebhookBurst, api: FakeBotApi,
                           started: float, drain_timeout: float, kill_at: float | None = None,
                           in_flight_at_kill: int | None = None
                           ) -> tuple[bool, dict[str, Any]]:
    """Wait for the outbox to drain, then: every posted update stored once and answered
    (inbox rows done, none failed, each with a reply in the outbox), every outbox row
    sent, and per chat the accepted sends equal the outbox rows in order. With `kill_at`,
    at-least-once resends are reported apart and must not exceed `in_flight_at_kill`."""
    drained = await wait_drained(conn, len(burst.confirmed), drain_timeout)
    await asyncio.sleep(GRACE)
    inbox, _outbox = await counts(conn)
    stored = await conn.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT update_id) AS ids, count(*) FILTER (WHERE "
        "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = 'in' || i.id || '-0'))"
        " AS no_reply FROM inbox i WHERE platform = 'telegram'")
    rows = await outbox_rows(conn)
    status = Counter(str(r["status"]) for r in rows)
    figures: dict[str, Any] = {
        "updates": burst.total, "webhook_posts": burst.statuses.total(),
        "webhook_statuses": {str(k): v for k, v in sorted(burst.statuses.items())},
        "updates_in_doubt": len(burst.in_doubt), "reposts": burst.reposts,
        "updates_given_up": len(burst.given_up), "inbox_rows": int(stored["n"]),
        "inbox_distinct_update_ids": int(stored["ids"]), "inbox_done": inbox["done"],
        "inbox_failed": inbox["failed"], "inbox_pending": inbox["pending"],
        "updates_without_reply": int(stored["no_reply"]), "outbox_rows": len(rows),
        "rows_sent": status["sent"], "rows_failed": status["failed"],
        "rows_pending": status["pending"], "accepted_sends": len(api.accepted()),
        **compare(rows, api.accepted(), started, kill_at),
        "drained": drained is not None,
        "drained_after_start_s": round(drained - started, 1) if drained else None}
    resent = figures.get("sent_twice_worker_died_between_send_and_record", 0)
    if in_flight_at_kill is not None:
        figures["sends_in_flight_at_kill"] = in_flight_at_kill
    ok = (figures["drained"] and not burst.given_up
          and len(burst.confirmed) == burst.total
          and figures["inbox_rows"] == figures["inbox_distinct_update_ids"] == burst.total
          and figures["inbox_done"] == burst.total and figures["inbox_failed"] == 0
          and figures["updates_without_reply"] == 0
          and figures["rows_sent"] == len(rows) > 0
          and figures["replies_lost"] == 0 and figures["replies_doubled"] == 0
          and figures["chats_mismatched"] == 0 and figures["chats_answered"] == burst.users
          and resent <= (in_flight_at_kill or 0))
    return bool(ok), figures
