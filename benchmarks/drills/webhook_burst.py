"""Telegram and WhatsApp webhook traffic for drills (a)-(d) and `benchmarks/load.py`: fake
platform servers in the drill process, updates posted as webhooks to `serve` workers, the
inbox and outbox drained, delivery judged from the platform's side (judge.py).

- `fake_platform()` starts one fake (tests/fakes/) per worker, so every send is
  attributed to the worker that made it (a restarted worker keeps its fake), and gives
  each worker's environment: token, webhook secret / app secret, API base, per-IP webhook
  limit off (the platform is one client, not an attacker).
- `WebhookBurst` posts each user's messages one after another (as the platform does),
  alternating between the workers, and remembers what each chat posted (the judge's
  expected replies come from it). A webhook without an answer (a cut connection: its
  worker died) is *in doubt*: the update may have been stored before the answer was lost.
  It is re-posted, same update id / wamid, to the next worker, as the platform redelivers;
  the inbox must deduplicate it. A refused connection (nothing listening) and a non-200
  answer are re-posted too, after a pause; every post's status is counted (0: no answer).
- `delivery_verdict()` waits for the drain, checks the inbox (every update stored once,
  answered, none failed) and judges the fakes' calls against the expected replies.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import asyncpg

from benchmarks.drills.judge import (
    Attempt,
    expected_replies,
    judge,
    judged_ok,
    telegram_attempts,
    whatsapp_attempts,
)
from bot.channels.sender import Limits
from bot.channels.telegram import PATH as TG_PATH
from bot.channels.telegram import SECRET_HEADER
from bot.channels.whatsapp import PATH as WA_PATH
from tests.fakes import whatsapp_api
from tests.fakes.telegram_api import FakeTelegram, text_update
from tests.fakes.whatsapp_api import FakeWhatsApp

QUESTIONS = ["syarat kerja ke malaysia apa", "berapa biaya penempatan", "cara bikin paspor",
             "visa kerja taiwan gimana", "apa itu BPJS ketenagakerjaan", "ciri agen ilegal",
             "program G2G korea", "cara pulang ke indonesia"]  # eight distinct answers
CHAT_BASE = 7_000_000
GRACE = 3.0  # after the drain: time for a late (doubled) send to show up
LEASE = Limits().lease.total_seconds()  # a claimed row is sent again after this (no env)
# The platforms' limits the judge holds the bot to (bot.channels.setup sets the bot's).
LIMITS = {"telegram": (30, 1.0), "whatsapp": (60, 0.2)}  # per second, per-chat interval


@dataclass
class FakePlatform:
    """One platform's fakes (one per worker) and its webhook secret."""

    name: str  # "telegram" or "whatsapp"
    fakes: list[Any]  # FakeTelegram or FakeWhatsApp
    secret: str

    def env(self, worker: int = 0) -> dict[str, str]:
        """The environment of worker `worker` (common.Worker.env)."""
        base = self.fakes[worker].base
        if self.name == "telegram":
            return {"JALUR_AMAN_TELEGRAM_TOKEN": "4242:drill-token",
                    "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET": self.secret,
                    "JALUR_AMAN_TELEGRAM_API_BASE": base,
                    "JALUR_AMAN_RATE_LIMIT_WEBHOOK_PER_S": "0"}
        return {"JALUR_AMAN_WHATSAPP_TOKEN": "drill-wa-token",
                "JALUR_AMAN_WHATSAPP_PHONE_NUMBER_ID": "1055",
                "JALUR_AMAN_WHATSAPP_APP_SECRET": self.secret,
                "JALUR_AMAN_WHATSAPP_VERIFY_TOKEN": "drill-verify",
                "JALUR_AMAN_WHATSAPP_API_BASE": base,
                "JALUR_AMAN_RATE_LIMIT_WEBHOOK_PER_S": "0"}

    @property
    def envs(self) -> list[dict[str, str]]:
        return [self.env(n) for n in range(len(self.fakes))]

    def attempts(self) -> list[Attempt]:
        """Every send call to any of the fakes, in arrival order."""
        return (telegram_attempts(self.fakes) if self.name == "telegram"
                else whatsapp_attempts(self.fakes))

    def accepted(self, worker: int | None = None) -> list[Attempt]:
        """Delivered sends (of one worker's fake, or all), in arrival order."""
        return [a for a in self.attempts() if a.delivered and worker in (None, a.worker)]

    def webhook(self, uid: int, chat: int, text: str
                ) -> tuple[str, bytes, dict[str, str], dict[str, Any]]:
        """(path, body, headers, the input the judge converts) of one text message."""
        if self.name == "telegram":
            update = text_update(uid, chat, text)
            return TG_PATH, json.dumps(update).encode(), {
                SECRET_HEADER: self.secret, "Content-Type": "application/json"}, update
        message = whatsapp_api.text_message(f"wamid.DRILL{uid}", text, str(chat))
        body = whatsapp_api.encode(whatsapp_api.webhook_body(messages=[message],
                                                             wa_id=str(chat)))
        return WA_PATH, body, {"X-Hub-Signature-256": whatsapp_api.sign(body, self.secret),
                               "Content-Type": "application/json"}, message


@asynccontextmanager
async def fake_platform(name: str = "telegram", workers: int = 2
                        ) -> AsyncIterator[FakePlatform]:
    fakes: list[Any] = []
    try:
        for _ in range(workers):
            fakes.append(await (FakeTelegram() if name == "telegram" else FakeWhatsApp())
                         .start())
        yield FakePlatform(name, fakes, uuid.uuid4().hex)
    finally:
        for fake in fakes:
            await fake.close()


@dataclass
class WebhookBurst:
    """`users` chats (CHAT_BASE + n) post `messages` text messages each, in order, with
    `pause` seconds between a user's messages, alternating over `urls`."""

    urls: list[str]
    platform: FakePlatform
    users: int
    messages: int
    pause: float = 0.0
    retry_for: float = 90.0  # give an update up after this long without a 200
    statuses: Counter[int] = field(default_factory=Counter)  # per post; 0 = no answer
    confirmed: set[int] = field(default_factory=set)  # update ids answered 200
    in_doubt: set[int] = field(default_factory=set)  # a post of it got no answer
    given_up: set[int] = field(default_factory=set)
    reposts: int = 0
    duplicate: bool = False  # post every message a second time, to the other worker
    duplicates_200: int = 0
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)

    @property
    def total(self) -> int:
        return self.users * self.messages

    async def post(self, http: aiohttp.ClientSession, uid: int, chat: int, text: str,
                   first: int) -> None:
        """Deliver one message until a worker answers 200 (first worker: urls[first])."""
        path, body, headers, given = self.platform.webhook(uid, chat, text)
        self.posted[str(chat)].append(given)
        deadline = time.monotonic() + self.retry_for
        for attempt in itertools.count():
            if time.monotonic() > deadline:
                self.given_up.add(uid)
                return
            self.reposts += attempt > 0
            url = self.urls[(first + attempt) % len(self.urls)]
            try:
                async with http.post(url + path, data=body, headers=headers) as resp:
                    self.statuses[resp.status] += 1
                    if resp.status == 200:
                        self.confirmed.add(uid)
                        if self.duplicate:  # the platform delivers it again (a retry)
                            again = self.urls[(first + attempt + 1) % len(self.urls)]
                            async with http.post(again + path, data=body,
                                                 headers=headers) as dup:
                                self.duplicates_200 += dup.status == 200
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
            await self.post(http, next(self._ids), CHAT_BASE + n,
                            QUESTIONS[(n + i) % len(QUESTIONS)], n + i)

    async def go(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await asyncio.gather(*(self.user(http, n) for n in range(self.users)))


async def counts(conn: asyncpg.Connection, platform: str = "telegram"
                 ) -> tuple[Counter[str], Counter[str]]:
    """The platform's rows of the inbox and of the outbox by status."""
    inbox = await conn.fetch("SELECT status, count(*) AS n FROM inbox "
                             "WHERE platform = $1 GROUP BY status", platform)
    outbox = await conn.fetch("SELECT status, count(*) AS n FROM outbox "
                              "WHERE channel = $1 GROUP BY status", platform)
    return (Counter({r["status"]: int(r["n"]) for r in inbox}),
            Counter({r["status"]: int(r["n"]) for r in outbox}))


async def wait_drained(conn: asyncpg.Connection, stored: int, timeout: float,
                       platform: str = "telegram") -> float | None:
    """Monotonic time when every update was processed and no outbox row is pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            inbox, outbox = await counts(conn, platform)
        except (OSError, asyncpg.PostgresError):  # the database restarting (drill c)
            await asyncio.sleep(0.5)
            continue
        if (inbox["pending"] == 0 and inbox.total() >= stored and outbox["pending"] == 0
                and outbox.total() > 0):
            return time.monotonic()
        await asyncio.sleep(0.2)
    return None


async def delivery_verdict(conn: asyncpg.Connection, burst: WebhookBurst, started: float,
                           drain_timeout: float, kills: list[tuple[float, int]] | None = None,
                           resend_bound: int = 0) -> tuple[bool, dict[str, Any]]:
    """Wait for the drain, then: every posted update stored once and answered (inbox rows
    done, none failed), and the fakes' calls judged against the replies the posted
    messages should get (judge.py); resends after `kills` must stay within the bound."""
    platform = burst.platform.name
    drained = await wait_drained(conn, len(burst.confirmed), drain_timeout, platform)
    await asyncio.sleep(GRACE)
    inbox, outbox = await counts(conn, platform)
    stored = await conn.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT update_id) AS ids FROM inbox "
        "WHERE platform = $1", platform)
    per_second, interval = LIMITS[platform]
    expected = await expected_replies(platform, dict(burst.posted))
    judged = judge(expected, burst.platform.attempts(), per_second=per_second,
                   chat_interval=interval, kills=kills or [])
    figures: dict[str, Any] = {
        "updates": burst.total, "webhook_posts": burst.statuses.total(),
        "webhook_statuses": {str(k): v for k, v in sorted(burst.statuses.items())},
        "updates_in_doubt": len(burst.in_doubt), "reposts": burst.reposts,
        "updates_given_up": len(burst.given_up), "duplicates_posted_200": burst.duplicates_200,
        "inbox_rows": int(stored["n"]),
        "inbox_distinct_update_ids": int(stored["ids"]), "inbox_done": inbox["done"],
        "inbox_failed": inbox["failed"], "outbox_rows": outbox.total(),
        "outbox_pending": outbox["pending"], "outbox_failed": outbox["failed"], **judged,
        "drained": drained is not None,
        "drained_after_start_s": round(drained - started, 1) if drained else None}
    ok = (drained is not None and not burst.given_up
          and len(burst.confirmed) == burst.total
          and figures["inbox_rows"] == figures["inbox_distinct_update_ids"] == burst.total
          and figures["inbox_done"] == burst.total and figures["outbox_failed"] == 0
          and judged_ok(judged, resend_bound=resend_bound))
    return bool(ok), figures
