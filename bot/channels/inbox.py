"""The inbox worker: turns stored platform updates into engine turns, per user in order.

Webhooks only store updates (storage.repositories.inbox) and answer 200; this worker
processes them. Each user's updates run one after another in arrival order; different
users run concurrently. The turn's transaction (Engine.handle(within=...)) writes the
replies to the outbox and marks the inbox row done, so a crash re-runs the whole turn and
a second worker racing on the same row rolls back instead of answering twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.core.engine import Engine
from bot.core.messages import Message, Reply
from storage.repositories import inbox, outbox

log = logging.getLogger(__name__)

# payload of an inbox row -> the Message to answer, or None to acknowledge and ignore it
Convert = Callable[[dict[str, Any]], Awaitable[Message | None]]


class AlreadyProcessed(Exception):
    """Another worker committed this inbox row first; this turn is rolled back."""


class InboxWorker:
    def __init__(self, platform: str, sessions: async_sessionmaker[AsyncSession],
                 engine: Engine, convert: Convert, *, on_replies: Callable[[], None] | None = None,
                 concurrency: int = 32, max_attempts: int = 5, poll_interval: float = 2.0) -> None:
        self.platform = platform
        self.sessions = sessions
        self.engine = engine
        self.convert = convert
        self.on_replies = on_replies
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"inbox-{self.platform}")

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.dispatch()
            except Exception:
                log.exception("inbox %s: dispatch failed", self.platform)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            await asyncio.sleep(0.005)  # let a burst of webhooks land: one query for all
            self._wake.clear()

    async def dispatch(self) -> int:
        """Start a task for every user with pending updates who has none running."""
        async with self.sessions() as session:
            waiting = await inbox.pending_users(session, self.platform, limit=1000)
        users = [u for u in waiting if u not in self._busy]
        for user in users:
            if self._stopping:
                break
            self._busy[user] = asyncio.create_task(self._user_loop(user))
        return len(users)

    async def _user_loop(self, user: str) -> None:
        try:
            while not self._stopping:
                async with self.sessions() as session:
                    rows = [(r.id, dict(r.payload)) for r in
                            await inbox.pending(session, self.platform, user_id=user, limit=20)]
                if not rows:
                    return
                for row_id, payload in rows:
                    if self._stopping or not await self._process(row_id, payload):
                        return  # keep order: a failed update is retried before the next
        finally:
            self._busy.pop(user, None)

    async def _process(self, row_id: int, payload: dict[str, Any]) -> bool:
        async with self._slots:
            try:
                message = await self.convert(payload)
                async with writing(self.sessions):
                    if message is None:
                        async with self.sessions() as session, session.begin():
                            await inbox.claim_done(session, row_id)
                        return True
                    await self.engine.handle(message, within=self._hook(row_id, message))
            except AlreadyProcessed:
                return True
            except Exception as exc:
                log.exception("inbox %s row %s failed", self.platform, row_id)
                async with writing(self.sessions), self.sessions() as session, session.begin():
                    await inbox.record_error(session, row_id, repr(exc),
                                             max_attempts=self.max_attempts)
                return False
        if self.on_replies is not None:
            self.on_replies()
        return True

    def _hook(self, row_id: int, message: Message
              ) -> Callable[[AsyncSession, list[Reply]], Awaitable[None]]:
        async def within(session: AsyncSession, replies: list[Reply]) -> None:
            if not await inbox.claim_done(session, row_id):
                raise AlreadyProcessed(row_id)
            for n, reply in enumerate(replies):
                await outbox.enqueue(session, channel=message.channel,
                                     external_user_id=message.external_id,
                                     payload=reply.to_dict(),
                                     idempotency_key=f"in{row_id}-{n}")
        return within

    async def drain(self, timeout: float = 30.0) -> None:
        """Process until no update is pending and no user task runs (tests, polling)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            started = await self.dispatch()
            if self._busy:
                await asyncio.wait(list(self._busy.values()), timeout=deadline - loop.time())
            elif not started:
                return
        raise TimeoutError("inbox not drained")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the turns in progress (up to `timeout`); unprocessed rows stay pending."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        tasks = list(self._busy.values())
        if tasks:
            _done, still = await asyncio.wait(tasks, timeout=timeout)
            for task in still:
                task.cancel()
