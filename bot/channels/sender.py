"""The outbox sender: drains pending outbox rows of one push channel (Telegram, WhatsApp).

- Per-chat order: only the oldest pending row of a chat is eligible (storage query), and a
  chat has at most one send in flight; a row waiting for its retry holds back later rows.
- Rate limits: at most one send per `per_chat_interval` to a chat and `global_per_second`
  overall (evenly spaced in a worker; counted in the database across all workers).
- Retries: transient failures (network, timeouts, 5xx, 429 / retry_after, WhatsApp 130429)
  are retried with exponential backoff honouring the platform's retry_after; permanent
  ones (blocked bot, chat not found, outside the 24-hour window, invalid number) mark the
  row failed with the platform code, which staff see. Rows older than `max_age` give up.
- Several workers: a sender claims the rows it sends (a lease in the database), so no
  two workers send the same row, and the per-chat interval is checked in the database.
- Recovery: while sends fail, one waiting row is retried every `probe_interval`; the
  first accepted send makes every row waiting for its backoff due at once, so the outbox
  drains within seconds of the platform coming back (backoffs are jittered ±20%).
- At-least-once: a row is marked sent after the platform accepted it (outcomes are
  recorded in batches); a crash in between re-sends it once its claim runs out. The
  row's idempotency key is passed to the transport (WhatsApp echoes it in status
  webhooks as biz_opaque_callback_data).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.ops.metrics import record_send_error
from storage.models import utcnow
from storage.repositories import push_outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    platform_message_id: str | None
    sent_as: str | None = None  # e.g. "invite" when WhatsApp's window had closed
    # Not delivered yet: the row waits until the user writes again (WhatsApp outside the
    # 24-hour window; `sent_as` says whether an invitation went out).
    hold: bool = False


class TransientSendError(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    def __init__(self, code: str, reason: str, sent_as: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.sent_as = sent_as


# One claimed outbox row as a transport sends it (id, chat, payload, idempotency key...).
OutboxItem = push_outbox.Claimed


class Transport(Protocol):
    channel: str

    async def send(self, item: OutboxItem) -> Delivery: ...


@dataclass(frozen=True, slots=True)
class Limits:
    per_chat_interval: float = 1.0
    global_per_second: float = 30.0
    base_backoff: float = 1.0
    max_backoff: float = 300.0
    max_age: timedelta = timedelta(hours=24)
    concurrency: int = 32
    poll_interval: float = 1.0
    lease: timedelta = timedelta(seconds=60)  # a claimed row is sent again after this
    probe_interval: float = 5.0  # while sends fail, one waiting row is retried this often


class OutboxSender:
    """Sends one channel's outbox rows; `run()` until `stop()`; `notify()` after enqueuing."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], transport: Transport,
                 limits: Limits | None = None) -> None:
        self.sessions = sessions
        self.transport = transport
        self.limits = limits or Limits()
        self._wake = asyncio.Event()
        self._stopping = False
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._last_sent: dict[str, float] = {}
        self._next_global = 0.0
        self._finished: list[tuple[OutboxItem, Delivery | Exception, datetime]] = []
        # A send failed for a transient reason since the last success. True at start: rows
        # may be waiting out a backoff from before a restart, so probe at once.
        self._failing = True
        self._last_probe = -1e9
        self._task: asyncio.Task[None] | None = None
        self._finished_any = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-{self.transport.channel}")
        self._recorder = asyncio.create_task(self._record_soon(),
                                             name=f"outbox-record-{self.transport.channel}")

    async def _record_soon(self) -> None:
        """Record finished sends within ~20 ms, not at the next dispatch (which may pace
        sends for up to a second): a crash between send and record re-sends the row, so
        the shorter that window, the fewer replies a dying worker sends twice."""
        while not self._stopping:
            await self._finished_any.wait()
            await asyncio.sleep(0.02)  # gather the sends finishing together
            self._finished_any.clear()
            try:
                await self.record()
            except Exception:  # the database may be briefly unreachable: kept for later
                log.exception("outbox %s: record failed", self.transport.channel)
                await asyncio.sleep(self.limits.poll_interval)

    async def run(self) -> None:
        while not self._stopping:
            try:
                wait = await self.dispatch()
            except Exception:  # the database may be briefly unreachable: keep the loop
                log.exception("outbox %s: dispatch failed", self.transport.channel)
                wait = self.limits.poll_interval
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
            await asyncio.sleep(0.01)  # batch wake-ups: one query serves many completions
            self._wake.clear()

    async def dispatch(self) -> float:
        """Record finished sends, then claim and start sends for every chat whose head row
        is due; returns how long to wait before looking again."""
        await self.record()
        lim = self.limits
        free = lim.concurrency - len(self._in_flight)
        if self._stopping or free <= 0:
            return lim.poll_interval  # a finishing send wakes the loop
        async with writing(self.sessions), self.sessions() as session, session.begin():
            if self._failing and time.monotonic() - self._last_probe >= lim.probe_interval:
                self._last_probe = time.monotonic()  # is the platform back? try one row
                await push_outbox.retry_oldest_now(session, self.transport.channel)
            claimed = await push_outbox.claim_heads(
                session, self.transport.channel, lease=lim.lease,
                interval=timedelta(seconds=lim.per_chat_interval), limit=free,
                per_second=lim.global_per_second)
        for item in claimed:
            await self._global_slot()
            self._in_flight[item.chat] = asyncio.create_task(self._deliver(item))
        self._prune()
        return 0.0 if len(claimed) == free else self._next_ready()

    def _next_ready(self) -> float:
        """Until the earliest chat comes out of its per-chat interval (or the poll)."""
        now, interval = time.monotonic(), self.limits.per_chat_interval
        waits = [t + interval - now for t in self._last_sent.values() if t + interval > now]
        return min([self.limits.poll_interval, *(w + 0.005 for w in waits)])

    async def _global_slot(self) -> None:
        spacing = 1.0 / self.limits.global_per_second
        now = time.monotonic()
        slot = max(now, self._next_global)
        self._next_global = slot + spacing
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _deliver(self, item: OutboxItem) -> None:
        outcome: Delivery | Exception
        try:
            outcome = await self.transport.send(item)
        except Exception as exc:  # recorded (retry or give up) by the next record()
            outcome = exc
        self._finished.append((item, outcome, utcnow()))
        self._finished_any.set()
        self._last_sent[item.chat] = time.monotonic()
        self._in_flight.pop(item.chat, None)
        self._wake.set()

    async def record(self) -> None:
        """Write the outcomes of finished sends in one transaction (accepted ones in one
        statement). Kept for the next call if the database is unreachable."""
        if not self._finished:
            return
        finished, self._finished = self._finished, []
        try:
            async with writing(self.sessions), self.sessions() as session, session.begin():
                await self._record(session, finished)
        except Exception:
            self._finished[:0] = finished
            raise

    async def _record(self, session: AsyncSession,
                      finished: list[tuple[OutboxItem, Delivery | Exception, datetime]]) -> None:
        channel = self.transport.channel
        sent: list[push_outbox.Sent] = []
        for item, outcome, at in finished:
            if isinstance(outcome, Delivery) and outcome.hold:
                await push_outbox.mark_waiting(session, item.id,
                                               platform_message_id=outcome.platform_message_id,
                                               sent_as=outcome.sent_as)
            elif isinstance(outcome, Delivery):
                sent.append(push_outbox.Sent(item.id, at, outcome.platform_message_id,
                                             outcome.sent_as))
            elif isinstance(outcome, PermanentSendError):
                record_send_error(channel, outcome.code)
                log.warning("outbox %s row %s failed for good: %s %s", channel, item.id,
                            outcome.code, outcome)
                await push_outbox.mark_failed(session, item.id, code=outcome.code,
                                              error=str(outcome), sent_as=outcome.sent_as)
            else:
                await self._retry_later(session, item, outcome)
        await push_outbox.mark_sent_many(session, sent)
        if sent and self._failing:  # the platform accepts again: no need to wait out backoffs
            self._failing = False
            if moved := await push_outbox.retry_now(session, channel):
                log.info("outbox %s: platform back, %d waiting rows due now", channel, moved)

    async def _retry_later(self, session: AsyncSession, item: OutboxItem,
                           exc: Exception) -> None:
        lim = self.limits
        retry_after = exc.retry_after if isinstance(exc, TransientSendError) else None
        record_send_error(self.transport.channel,
                          "rate_limited" if retry_after is not None else "transient")
        self._failing = self._failing or retry_after is None
        error = repr(exc) if retry_after is None else str(exc)
        now = utcnow()
        created = item.created_at if item.created_at.tzinfo else item.created_at.replace(
            tzinfo=now.tzinfo)
        if now - created > lim.max_age:
            await push_outbox.mark_failed(session, item.id, code="expired", error=error)
            return
        delay = min(lim.max_backoff, lim.base_backoff * 2 ** min(item.attempts, 20))
        delay = max(delay * random.uniform(0.8, 1.2), retry_after or 0.0)  # spread retries
        log.info("outbox %s row %s: retry in %.2fs (%s)", self.transport.channel, item.id,
                 delay, error[:200])
        await push_outbox.mark_retry(session, item.id, at=now + timedelta(seconds=delay),
                                     error=error)

    def _prune(self) -> None:
        """Forget per-chat send times older than the interval (bounded memory)."""
        if len(self._last_sent) < 1024:
            return
        horizon = time.monotonic() - self.limits.per_chat_interval
        self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop dispatching, let in-flight sends finish and record (up to `timeout`)."""
        self._stopping = True
        self._wake.set()
        self._finished_any.set()
        if self._recorder is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._recorder
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        pending = list(self._in_flight.values())
        if pending:
            _done, still = await asyncio.wait(pending, timeout=timeout)
            for task in still:  # their rows stay pending: re-sent after the lease
                task.cancel()
        try:
            await self.record()
        except Exception:
            log.exception("outbox %s: could not record the last sends", self.transport.channel)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)
