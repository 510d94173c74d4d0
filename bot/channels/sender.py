"""The outbox sender: drains pending outbox rows of one push channel (Telegram, WhatsApp).

- Per-chat order: only the oldest pending row of a chat is eligible (storage query), one
  send in flight per chat; a row waiting for its retry holds back later rows.
- Rate limits count attempts, accepted or not, in the database across all workers: one
  per `per_chat_interval` to a chat, `global_per_second` overall.
- One retry_after for the whole bot: after a 429 the platform is paused in the database
  until the time it gave; no worker claims rows meanwhile, and right before each call a
  sender checks the pause (and that its claim still holds), so rows it claimed earlier
  wait too. A pause longer than a claim gives the row back until the pause ends.
- Retries: transient failures (network, timeouts, 5xx, 429 / retry_after, WhatsApp 130429)
  are retried with exponential backoff honouring the platform's retry_after; permanent
  ones (blocked bot, chat not found, outside the 24-hour window, invalid number) mark the
  row failed with the platform code, which staff see. Rows older than `max_age` give up.
- Several workers: a sender claims the rows it sends (a lease in the database), so no
  two workers send the same row.
- Recovery: while sends fail, one waiting row is retried every `probe_interval`; the
  first accepted send makes every row waiting for its (jittered) backoff due at once.
- At-least-once: a row is marked sent as soon as the platform's answer arrives, in a short
  transaction shared with the sends that finished at the same moment (group commit; when
  the database is unreachable, outcomes wait in memory and are recorded in one batch
  later); a crash in between re-sends it once its claim runs out. At most
  `Limits.window` sends of a worker are between their slot and their record, so a killed
  worker repeats at most that many (one at the platforms' own limits). Neither platform
  takes an idempotency key for sends: the row's key only travels with the message
  (WhatsApp echoes it in status webhooks as biz_opaque_callback_data).
- Slots: rows are claimed with their send slots under the global limit in one
  transaction, so a send costs that shared claim, the call and its share of a record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.channels.send_gate import SendGate
from bot.channels.transport import (
    Delivery,
    Limits,
    OutboxItem,
    PermanentSendError,
    TransientSendError,
    Transport,
)
from bot.ops.metrics import record_send_error
from storage.models import utcnow
from storage.repositories import push_outbox

__all__ = ["Delivery", "Limits", "OutboxItem", "OutboxSender", "PermanentSendError",
           "TransientSendError", "Transport"]
log = logging.getLogger(__name__)
Finished = tuple[OutboxItem, Delivery | Exception, datetime]  # a send's outcome and time


class OutboxSender:
    """Sends one channel's outbox rows; `run()` until `stop()`; `notify()` after enqueuing."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], transport: Transport,
                 limits: Limits | None = None) -> None:
        self.sessions = sessions
        self.transport = transport
        self.gate = SendGate(sessions, transport.channel, limits or Limits())
        self._wake = asyncio.Event()
        self._stopping = False
        # Sends between their claim and their record (at most `Limits.window`).
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._last_sent: dict[str, float] = {}
        self._finished: list[Finished] = []  # not recorded: the database was unreachable
        self._group: list[Finished] = []  # finished sends waiting for the next record
        self._group_done: asyncio.Future[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None  # recording groups until none left
        # A send failed for a transient reason since the last success. True at start: rows
        # may be waiting out a backoff from before a restart, so probe at once.
        self._failing = True
        self._last_probe = -1e9
        self._task: asyncio.Task[None] | None = None
        self._finished_any = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None

    @property
    def limits(self) -> Limits:
        return self.gate.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self.gate.limits = limits

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-{self.transport.channel}")
        self._recorder = asyncio.create_task(self._record_soon(),
                                             name=f"outbox-record-{self.transport.channel}")

    async def _record_soon(self) -> None:
        """Record the outcomes that could not be recorded when they happened (the database
        was unreachable), as soon as it answers again."""
        while not self._stopping:
            await self._finished_any.wait()
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
            if self.limits.window > 1:  # batch wake-ups: one claim serves many completions
                await asyncio.sleep(0.01)
            self._wake.clear()

    async def dispatch(self) -> float:
        """Record finished sends, then claim and start sends for every chat whose head row
        is due; returns how long to wait before looking again."""
        await self.record()
        lim = self.limits
        free = min(lim.concurrency, lim.window) - len(self._in_flight)
        if self._stopping or free <= 0:
            return lim.poll_interval  # a finishing send wakes the loop
        async with writing(self.sessions), self.sessions() as session, session.begin():
            read = utcnow()
            if until := await push_outbox.paused_until(session, self.transport.channel):
                self.gate.pause(until)
                return max(0.0, (until - utcnow()).total_seconds())
            if self._failing and time.monotonic() - self._last_probe >= lim.probe_interval:
                self._last_probe = time.monotonic()  # is the platform back? try one row
                await push_outbox.retry_oldest_now(session, self.transport.channel)
            claimed = await push_outbox.claim_heads(
                session, self.transport.channel, lease=lim.lease,
                interval=timedelta(seconds=lim.per_chat_interval),
                limit=min(free, max(1, int(lim.global_per_second))))
            first = read
            if claimed:  # their slots, in the same transaction
                first, _ = await push_outbox.take_slot(session, self.transport.channel,
                                                       self.gate.spacing, len(claimed))
        for n, item in enumerate(claimed):
            slot = first + n * self.gate.spacing
            self._in_flight[item.chat] = asyncio.create_task(self._deliver(item, slot, read))
        self._prune()
        return 0.0 if len(claimed) == free else self._next_ready()

    def _next_ready(self) -> float:
        """Until the earliest chat comes out of its per-chat interval (or the poll)."""
        now, interval = time.monotonic(), self.limits.per_chat_interval
        waits = [t + interval - now for t in self._last_sent.values() if t + interval > now]
        return min([self.limits.poll_interval, *(w + 0.005 for w in waits)])

    async def _deliver(self, item: OutboxItem, slot: datetime, read: datetime) -> None:
        outcome: Delivery | Exception
        try:
            if not await self.gate.cleared(item, slot, read):
                return
            try:
                outcome = await self.transport.send(item)
            except Exception as exc:  # recorded as a retry or a failure
                outcome = exc
            ended = utcnow()
            if isinstance(outcome, TransientSendError) and outcome.retry_after is not None:
                self.gate.pause(ended + timedelta(seconds=outcome.retry_after))
            self._last_sent[item.chat] = time.monotonic()
            await self._record_at_once((item, outcome, ended))
        except Exception:
            log.exception("outbox %s: delivering row %s failed", self.transport.channel,
                          item.id)
        finally:
            self._in_flight.pop(item.chat, None)
            self._wake.set()

    async def _record_at_once(self, done: Finished) -> None:
        """Record a finished send now: the sends finishing meanwhile share the transaction
        (group commit), so the window in which a crash re-sends stays short."""
        if self._group_done is None:
            self._group_done = asyncio.get_running_loop().create_future()
        self._group.append(done)
        batch_done = self._group_done
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.create_task(self._flush_groups())
        await asyncio.shield(batch_done)  # shared: one cancelled send must not cancel it

    async def _flush_groups(self) -> None:
        while self._group_done is not None:
            group, done = self._group, self._group_done
            self._group, self._group_done = [], None
            try:
                async with writing(self.sessions), self.sessions() as session, \
                        session.begin():
                    await self._record(session, group)
            except Exception:  # kept and recorded when the database answers again
                log.warning("outbox %s: %d sends not recorded yet",
                            self.transport.channel, len(group))
                self._finished.extend(group)
                self._finished_any.set()
            done.set_result(None)

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

    async def _record(self, session: AsyncSession, finished: list[Finished]) -> None:
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
                                              error=str(outcome), sent_as=outcome.sent_as,
                                              attempted=at)
            else:
                await self._retry_later(session, item, outcome, at)
        await push_outbox.mark_sent_many(session, sent)
        if sent and self._failing:  # the platform accepts again: no need to wait out backoffs
            self._failing = False
            if moved := await push_outbox.retry_now(session, channel):
                log.info("outbox %s: platform back, %d waiting rows due now", channel, moved)

    async def _retry_later(self, session: AsyncSession, item: OutboxItem,
                           exc: Exception, now: datetime) -> None:
        lim = self.limits
        retry_after = exc.retry_after if isinstance(exc, TransientSendError) else None
        record_send_error(self.transport.channel,
                          "rate_limited" if retry_after is not None else "transient")
        self._failing = self._failing or retry_after is None
        error = repr(exc) if retry_after is None else str(exc)
        created = item.created_at if item.created_at.tzinfo else item.created_at.replace(
            tzinfo=now.tzinfo)
        if now - created > lim.max_age:
            await push_outbox.mark_failed(session, item.id, code="expired", error=error,
                                          attempted=now)
            return
        delay = min(lim.max_backoff, lim.base_backoff * 2 ** min(item.attempts, 20))
        delay = max(delay * random.uniform(0.8, 1.2), retry_after or 0.0)  # spread retries
        log.info("outbox %s row %s: retry in %.2fs (%s)", self.transport.channel, item.id,
                 delay, error[:200])
        await push_outbox.mark_retry(session, item.id, at=now + timedelta(seconds=delay),
                                     error=error, attempted=now)
        if retry_after is not None:  # the whole bot waits, not only this row
            await push_outbox.pause(session, self.transport.channel,
                                    now + timedelta(seconds=retry_after))

    def _prune(self) -> None:
        """Forget per-chat send times older than the interval (bounded memory)."""
        if len(self._last_sent) < 1024:
            return
        horizon = time.monotonic() - self.limits.per_chat_interval
        self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop dispatching, let in-flight sends finish and record (up to `timeout`)."""
        self._stopping = self.gate.stopping = True
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
