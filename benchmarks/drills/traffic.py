"""The burst used by drills (a)-(c): chat users on the web chat API, checked in the database.

Each simulated user sends its messages one after another (as a person does), spread over
all given worker URLs in turn (so consecutive turns of one user hit different workers).
The server issues the chat's identity: the user's first message goes without a token, the
token of the answer is kept per simulated user and sent as `Authorization: Bearer` to
whichever worker gets the next message (all workers share SECRET_KEY, see common.py).
Every message carries a client message id ("id", kept across its retries), as the page
sends it. A 200 with replies is *confirmed*. A 503 is retried after a pause (the database
is down). A broken connection (a killed worker) makes the message *in doubt* (it may have
committed before the answer was lost) and it is retried, same id, on the next worker.
A 401 (a worker refusing another worker's token) ends the drill with an error.

Verdict against the database afterwards: every confirmed message stored exactly once, in
the chat (server-issued user id) its answer's token names, and all confirmed messages of a
simulated user in one chat; an in-doubt message at least once (at-least-once; the web chat
API has no idempotency key, so a retry of a committed turn may repeat it: counted and
reported, not hidden); one complaint for every user whose intake was confirmed throughout,
never two. An in-doubt message is stored once when its chat already had a token (the
server answers a retried id from the stored replies); only a chat's first message (no
token yet, so the retry starts another chat) may be stored twice: counted apart.
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
    unanswered_chats,
    user_of,
)


@dataclass
class Outcome:
    in_doubt: set[str] = field(default_factory=set)
    in_doubt_first: set[str] = field(default_factory=set)  # cut before the chat had a token
    intake_clean: set[int] = field(default_factory=set)
    intake_doubt: set[int] = field(default_factory=set)
    tokens: dict[int, str] = field(default_factory=dict)  # simulated user -> its chat token
    answered_as: dict[str, str] = field(default_factory=dict)  # marker -> user id answered
    tokens_changed: int = 0  # answers carrying another token than the one sent
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

    async def send(self, http: aiohttp.ClientSession, user: int, body: dict[str, str],
                   key: str | None) -> bool:
        """Deliver one message of simulated user `user` (with its token once it has one);
        True when confirmed, False when it was ever in doubt."""
        deadline = time.monotonic() + self.retry_for
        clean = True
        body = {**body, "id": f"m-{uuid.uuid4().hex}"}  # one id for all its retries
        while time.monotonic() < deadline:
            self.turn += 1
            url = self.urls[self.turn % len(self.urls)]
            token = self.out.tokens.get(user)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                async with http.post(url + "/api/chat", json=body, headers=headers) as resp:
                    self.out.statuses[resp.status] += 1
                    if resp.status == 401:
                        raise RuntimeError(f"{url} refused the token of user {user}: "
                                           f"{await resp.text()} (workers' secrets differ?)")
                    data = await resp.json() if resp.status == 200 else {}
                    if data.get("replies"):
                        issued = str(data["token"])
                        if token and issued != token:
                            self.out.tokens_changed += 1
                        self.out.tokens[user] = issued
                        if key:
                            self.out.answered_as[key] = user_of(issued)
                        self.out.sent += 1
                        return clean
                    await asyncio.sleep(0.3)  # 503 while the database restarts
            except aiohttp.ClientConnectorError:  # refused: never reached a worker
                await asyncio.sleep(0.1)
            except (TimeoutError, aiohttp.ClientError):  # cut mid-request
                clean = False
                if key:
                    self.out.in_doubt.add(key)
                    if token is None:
                        self.out.in_doubt_first.add(key)
                await asyncio.sleep(0.1)
        raise RuntimeError(f"message of user {user} never answered within {self.retry_for}s")

    async def user(self, http: aiohttp.ClientSession, n: int) -> None:
        for i in range(self.messages):
            word = marker(self.run, n, i)
            await self.send(http, n, {"text": f"{word} bagaimana kabar kucing"}, word)
        if self.complaint_every and n % self.complaint_every == 0:
            clean = True
            for step in COMPLAINT_STEPS:
                clean = await self.send(http, n, step, None) and clean
            (self.out.intake_clean if clean else self.out.intake_doubt).add(n)

    async def go(self) -> Outcome:
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for url in self.urls:  # warm up: the first turn of a worker loads the model
                async with http.post(url + "/api/chat", json={"text": "halo"}):
                    pass
            await asyncio.gather(*(self.user(http, n) for n in range(self.users)))
        return self.out

    async def verdict(self, database_url: str) -> tuple[bool, dict[str, int]]:
        chats = await unanswered_chats(database_url, self.run)
        filed = await complaints_per_user(database_url)
        expected = {marker(self.run, n, i) for n in range(self.users)
                    for i in range(self.messages)}
        clean = expected - self.out.in_doubt
        stored = {k: len(chats.get(k, [])) for k in expected}
        # Stored once, but in another chat than the answer's token named, or one simulated
        # user's confirmed messages spread over several chats (a token not carried over).
        other_chat = sum(stored[k] == 1 and chats[k][0] != self.out.answered_as.get(k)
                         for k in clean)
        split = sum(len({chats[marker(self.run, n, i)][0] for i in range(self.messages)
                         if marker(self.run, n, i) in clean
                         and stored[marker(self.run, n, i)] == 1}) > 1
                    for n in range(self.users))
        intake_chats = {user_of(self.out.tokens[n]) for n in self.out.intake_clean}
        figures = {
            "messages": len(expected),
            "confirmed_stored_once": sum(stored[k] == 1 for k in clean),
            "confirmed_lost": sum(stored[k] == 0 for k in clean),
            "confirmed_doubled": sum(stored[k] > 1 for k in clean),
            "confirmed_in_other_chat": other_chat,
            "users_split_over_chats": split,
            "tokens_changed": self.out.tokens_changed,
            "in_doubt": len(self.out.in_doubt),
            "in_doubt_lost": sum(stored[k] == 0 for k in self.out.in_doubt),
            "in_doubt_repeated": sum(stored[k] > 1 for k in self.out.in_doubt),
            "in_doubt_repeated_with_token": sum(stored[k] > 1 for k in self.out.in_doubt
                                                - self.out.in_doubt_first),
            "intakes_confirmed": len(self.out.intake_clean),
            "intakes_filed_once": sum(filed.get(u, 0) == 1 for u in intake_chats),
            "complaints_doubled": sum(n > 1 for n in filed.values()),
            "http_401": self.out.statuses.get(401, 0),
            "http_500": self.out.statuses.get(500, 0),
            "http_503": self.out.statuses.get(503, 0),
        }
        ok = (figures["confirmed_lost"] == 0 and figures["confirmed_doubled"] == 0
              and figures["confirmed_in_other_chat"] == 0
              and figures["users_split_over_chats"] == 0 and figures["tokens_changed"] == 0
              and figures["in_doubt_lost"] == 0 and figures["complaints_doubled"] == 0
              and figures["in_doubt_repeated_with_token"] == 0
              and figures["intakes_filed_once"] == figures["intakes_confirmed"]
              and len(intake_chats) == figures["intakes_confirmed"]
              and figures["http_401"] == 0 and figures["http_500"] == 0)
        return ok, figures


@dataclass
class Cluster:
    """Two `serve` workers on one fresh PostgreSQL database, and a burst aimed at both."""

    pg: Postgres
    url: str
    workers: list[Worker]
    burst: Burst


@asynccontextmanager
async def two_workers(users: int, messages: int, env: dict[str, str] | None = None,
                      envs: list[dict[str, str]] | None = None) -> AsyncIterator[Cluster]:
    """Start PostgreSQL and two workers (with `env`, then their own entry of `envs`, added
    to their environment); stop them all afterwards, whatever happened."""
    pg = Postgres()
    pg.start()
    workers: list[Worker] = []
    try:
        url = await pg.fresh_database()
        workers = [Worker(url, env={**(env or {}), **(envs[n] if envs else {})})
                   for n in range(2)]
        for worker in workers:
            await asyncio.to_thread(worker.start)
        burst = Burst([w.url for w in workers], uuid.uuid4().hex[:6], users, messages)
        yield Cluster(pg, url, workers, burst)
    finally:
        for worker in workers:
            worker.stop()
        pg.stop()
