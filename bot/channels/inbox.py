"""The inbox worker: turns stored platform updates into engine turns, per user in order.

Webhooks only store updates (storage.repositories.inbox) and answer 200; this worker
answers them in batches: the oldest pending update of up to `batch_size` users, classified
together (one NLU call) and answered in one transaction that also writes the replies to
the outbox and marks the updates done. A user has at most one update in a batch and
batches run one after another, so each user's updates are answered in arrival order; on
PostgreSQL the batch's rows are locked, so several workers take disjoint batches.

If any turn of a batch fails, the batch is rolled back and its updates are answered one
by one, each in its own transaction, so one bad update cannot hold back the others; its
error and attempts are recorded, and after `max_attempts` it is given up ("failed").
A crash re-runs the whole uncommitted batch; nothing is answered twice, because marking
an update done is part of the transaction that answers it.

Files users send are fetched into the media store, and pictures read by OCR, before the
batch (bot.channels.media_fetch, outside the batch's transaction): the turn sees
"media:<id>" references and the text read from each picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import is_sqlite, writing
from bot.channels.media_fetch import MediaFetcher, apply
from bot.core.engine import Engine
from bot.core.messages import Message, Reply
from storage.repositories import inbox, outbox

log = logging.getLogger(__name__)

# payload of an inbox row -> the Message to answer, or None to acknowledge and ignore it
Convert = Callable[[dict[str, Any]], Awaitable[Message | None]]
Row = tuple[int, dict[str, Any]]


class AlreadyProcessed(Exception):
    """Another worker committed this inbox row first; this turn is rolled back."""


class InboxWorker:
    def __init__(self, platform: str, sessions: async_sessionmaker[AsyncSession],
                 engine: Engine, convert: Convert, *, on_replies: Callable[[], None] | None = None,
                 batch_size: int = 64, max_attempts: int = 5, poll_interval: float = 2.0,
                 runners: int | None = None, media: MediaFetcher | None = None) -> None:
        self.platform = platform
        self.media = media
        self._fetching = asyncio.Lock()  # one runner fetches files at a time
        self.sessions = sessions
        self.engine = engine
        self.convert = convert
        self.on_replies = on_replies
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        # Batches in flight at once: on PostgreSQL a second batch works while the first
        # waits for the database (their rows are disjoint); SQLite has a single writer.
        self.runners = runners if runners is not None else 1 if is_sqlite(sessions) else 2
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self.run(), name=f"inbox-{self.platform}-{n}")
                       for n in range(self.runners)]

    async def run(self) -> None:
        while not self._stopping:
            try:
                answered = await self.process_batch()
            except Exception:  # the database may be briefly unreachable: keep the loop
                log.exception("inbox %s: batch failed", self.platform)
                answered = 0
            if answered:
                await asyncio.sleep(0)  # let webhooks in between batches
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            await asyncio.sleep(0.005)  # let a burst of webhooks land: one batch for all
            self._wake.clear()

    async def process_batch(self) -> int:
        """Answer one batch; returns how many updates were answered (or ignored)."""
        if self.media is not None and not self._fetching.locked():
            async with self._fetching:  # downloads: outside the batch's transaction
                await self.media.fetch_pending()
        rows: list[Row] = []
        try:
            async with writing(self.sessions), self.sessions() as session, session.begin():
                rows = [(r.id, dict(r.payload)) for r in
                        await inbox.lock_heads(session, self.platform, limit=self.batch_size)]
                if rows:
                    await self._answer_batch(session, rows)
        except Exception as exc:
            if not rows:
                raise  # the query itself failed (database down): the loop retries later
            log.warning("inbox %s: batch of %d rolled back (%r), answering one by one",
                        self.platform, len(rows), exc)
            answered = 0
            for row_id, payload in rows:
                answered += await self._process(row_id, payload)
            self._replied()
            return answered
        self._replied()
        return len(rows)

    async def _answer_batch(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        converted = [(row_id, payload, await self.convert(payload)) for row_id, payload in rows]
        answerable = [(row_id, apply(m, payload)) for row_id, payload, m in converted
                      if m is not None]
        answered = await self.engine.turns(session, [m for _row_id, m in answerable])
        await outbox.enqueue_many(session, [
            row for (row_id, message), replies in zip(answerable, answered, strict=True)
            for row in _outbox_rows(row_id, message, replies)])
        if not await inbox.claim_done_many(session, [row_id for row_id, _ in rows]):
            raise AlreadyProcessed([row_id for row_id, _ in rows])

    async def _process(self, row_id: int, payload: dict[str, Any]) -> bool:
        """Answer one update in its own transaction; False when it failed (recorded)."""
        try:
            async with writing(self.sessions), self.sessions() as session, session.begin():
                await self._answer_batch(session, [(row_id, payload)])
        except AlreadyProcessed:
            return True
        except Exception as exc:
            log.exception("inbox %s row %s failed", self.platform, row_id)
            async with writing(self.sessions), self.sessions() as session, session.begin():
                await inbox.record_error(session, row_id, repr(exc),
                                         max_attempts=self.max_attempts)
            return False
        return True

    def _replied(self) -> None:
        if self.on_replies is not None:
            self.on_replies()

    async def drain(self, timeout: float = 30.0) -> None:
        """Answer batches until one finds nothing more to do (tests, polling)."""
        async with asyncio.timeout(timeout):
            while await self.process_batch():
                pass

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in progress (up to `timeout`); unanswered rows stay pending."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            _done, still = await asyncio.wait(self._tasks, timeout=timeout)
            for task in still:  # rolled back: its updates are answered after a restart
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def _outbox_rows(row_id: int, message: Message, replies: Sequence[Reply]
                 ) -> list[outbox.NewRow]:
    """The turn's replies as outbox rows; the key ties each to its update (no doubles)."""
    return [(message.channel, message.external_id, reply.to_dict(), f"in{row_id}-{n}")
            for n, reply in enumerate(replies)]
