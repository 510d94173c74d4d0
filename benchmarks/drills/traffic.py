"""The burst used by drills (a)-(c): chat users on the web chat API, checked in the database.

Each simulated user sends its messages one after another (as a person does), spread over
all given worker URLs in turn (so consecutive turns of one user hit different workers).
A 200 with replies is *confirmed*. A 503 is retried after a pause (the database is down).
A broken connection (a killed worker) makes the message *in doubt* (it may have committed
before the answer was lost) and it is retried on the next worker, as a platform would.

Verdict against the database afterwards: every confirmed message stored exactly once; an
in-doubt message at least once (at-least-once; the web chat API has no idempotency key,
so a retry of a committed turn may repeat it: counted and reported, not hidden); one
complaint for every user whose intake was confirmed throughout, never two.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp

from benchmarks.drills.common import (
    COMPLAINT_STEPS,
    Postgres,
    Worker,
    complaints_per_user,
    marker,
    unanswered_counts,
)


@dataclass
class Outcome:
    in_doubt: set[str] = field(default_factory=set)
    intake_clean: set[str] = field(default_factory=set)
    intake_doubt: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    first_ok_after: dict[str, float] = field(default_factory=dict)
    sent: int = 0


class Burst:
    def __init__(self, urls: list[str], run: str, users: int, messages: int,
                 complaint_every: int = 4, retry_for: float = 90.0) -> None:
        self.urls, self.run, self.users, self.messages = urls, run, users, messages
        self.complaint_every, self.retry_for = complaint_every, retry_for
        self.out = Outcome()
        self.turn = 0

    async def send(self, http: aiohttp.ClientSession, user: str, body: dict[str, str],
                   key: str | None) -> bool:
        """Deliver one message; True when confirmed, False when it was ever in doubt."""
        deadline = time.monotonic() + self.retry_for
        clean = True
        while time.monotonic() < deadline:
            self.turn += 1
            url = self.urls[self.turn % len(self.urls)]
            try:
                async with http.post(url + "/api/chat", json={"user": user, **body}) as resp:
                    self.out.statuses[resp.status] += 1
                    if resp.status == 200 and (await resp.json())["replies"]:
                        self.out.sent += 1
                        return clean
                    await asyncio.sleep(0.3)  # 503 while the database restarts
            except aiohttp.ClientConnectorError:  # refused: never reached a worker
                await asyncio.sleep(0.1)
            except (TimeoutError, aiohttp.ClientError):  # cut mid-request
                clean = False
                if key:
                    self.out.in_doubt.add(key)
                await asyncio.sleep(0.1)
        raise RuntimeError(f"message of {user} never answered within {self.retry_for}s")

    async def user(self, http: aiohttp.ClientSession, n: int) -> None:
        name = f"drill{self.run}-{n}"
        for i in range(self.messages):
            word = marker(self.run, n, i)
            await self.send(http, name, {"text": f"{word} bagaimana kabar kucing"}, word)
        if self.complaint_every and n % self.complaint_every == 0:
            clean = True
            for step in COMPLAINT_STEPS:
                clean = await self.send(http, name, step, None) and clean
            (self.out.intake_clean if clean else self.out.intake_doubt).add(name)

    async def go(self) -> Outcome:
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for url in self.urls:  # warm up: the first turn of a worker loads the model
                async with http.post(url + "/api/chat", json={"user": "warm", "text": "halo"}):
                    pass
            await asyncio.gather(*(self.user(http, n) for n in range(self.users)))
        return self.out

    async def verdict(self, database_url: str) -> tuple[bool, dict[str, int]]:
        stored = await unanswered_counts(database_url, self.run)
        filed = await complaints_per_user(database_url, f"drill{self.run}-")
        expected = {marker(self.run, n, i) for n in range(self.users)
                    for i in range(self.messages)}
        clean = expected - self.out.in_doubt
        figures = {
            "messages": len(expected),
            "confirmed_stored_once": sum(stored.get(k, 0) == 1 for k in clean),
            "confirmed_lost": sum(stored.get(k, 0) == 0 for k in clean),
            "confirmed_doubled": sum(stored.get(k, 0) > 1 for k in clean),
            "in_doubt": len(self.out.in_doubt),
            "in_doubt_lost": sum(stored.get(k, 0) == 0 for k in self.out.in_doubt),
            "in_doubt_repeated": sum(stored.get(k, 0) > 1 for k in self.out.in_doubt),
            "intakes_confirmed": len(self.out.intake_clean),
            "intakes_filed_once": sum(filed.get(u, 0) == 1 for u in self.out.intake_clean),
            "complaints_doubled": sum(n > 1 for n in filed.values()),
            "http_500": self.out.statuses.get(500, 0),
            "http_503": self.out.statuses.get(503, 0),
        }
        ok = (figures["confirmed_lost"] == 0 and figures["confirmed_doubled"] == 0
              and figures["in_doubt_lost"] == 0 and figures["complaints_doubled"] == 0
              and figures["intakes_filed_once"] == figures["intakes_confirmed"]
              and figures["http_500"] == 0)
        return ok, figures


@dataclass
class Cluster:
    """Two `serve` workers on one fresh PostgreSQL database, and a burst aimed at both."""

    pg: Postgres
    url: str
    workers: list[Worker]
    burst: Burst


@asynccontextmanager
async def two_workers(users: int, messages: int,
                      env: dict[str, str] | None = None) -> AsyncIterator[Cluster]:
    """Start PostgreSQL and two workers (with `env` added to their environment); stop them
    all afterwards, whatever happened."""
    pg = Postgres()
    pg.start()
    workers: list[Worker] = []
    try:
        url = await pg.fresh_database()
        workers = [Worker(url, env=env or {}), Worker(url, env=env or {})]
        for worker in workers:
            await asyncio.to_thread(worker.start)
        burst = Burst([w.url for w in workers], uuid.uuid4().hex[:6], users, messages)
        yield Cluster(pg, url, workers, burst)
    finally:
        for worker in workers:
            worker.stop()
        pg.stop()
