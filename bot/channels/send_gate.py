"""Whether a claimed outbox row may be sent now: the platform's pause after a 429 (one for
the whole bot) and the next send slot under the global rate limit, taken in the database
with the row's claim (bot.channels.sender), or again right before the call when the
sender woke up too late for it or the platform paused meanwhile. Slots are spaced 10 %
more than the limit asks (`SLOT_MARGIN`; Telegram's 30/s becomes 27/s): a call reaches
the platform a moment after its slot, and one delayed up to ~0.1 s more than the next
keeps within the limit.
Another process's pause is looked up at most `CHECK_AHEAD` before the call: read with the
slot when that is due at once, else again just before it (one read serves every send of
the process due within `CHECK_AHEAD` of it).
With a slot taken again the sender renews its claim on the row for a whole lease from the slot, if
the claim is still the one it took: a row that waited out its claim in this worker (a
busy machine) may have been claimed and sent by another worker, and is then dropped
here; and a slow call or record cannot outlast the claim and let another worker send
the row again."""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.channels.transport import Limits, OutboxItem
from storage.models import utcnow
from storage.repositories import push_outbox

log = logging.getLogger(__name__)
SLOT_MARGIN = 1.1
LATE = timedelta(seconds=0.03)  # a call this late after its slot takes a new one
CHECK_AHEAD = timedelta(seconds=0.03)  # look for another process's pause this long before
CLAIM_MARGIN = timedelta(seconds=5)
# Pauses as known in this process, shared by the senders on the same sessions (they learn
# one at once; other processes learn it through the database), and when the stored pause
# was last read: a read serves every send whose call comes within CHECK_AHEAD of it.
_PAUSES: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], dict[str, datetime]] = (
    weakref.WeakKeyDictionary())
_READS: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], dict[str, datetime]] = (
    weakref.WeakKeyDictionary())


class SendGate:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str,
                 limits: Limits) -> None:
        self.sessions = sessions
        self.channel = channel
        self.limits = limits
        self.stopping = False
        self._pauses = _PAUSES.setdefault(sessions, {})
        self._reads = _READS.setdefault(sessions, {})
        self._reading: asyncio.Task[datetime | None] | None = None  # a read under way
        self._reading_since = datetime.min.replace(tzinfo=UTC)

    def pause(self, until: datetime) -> None:
        if self.channel not in self._pauses or until > self._pauses[self.channel]:
            self._pauses[self.channel] = until

    def _paused(self, now: datetime) -> datetime | None:
        until = self._pauses.get(self.channel)
        return until if until is not None and until > now else None

    @property
    def spacing(self) -> timedelta:
        return timedelta(seconds=SLOT_MARGIN / self.limits.global_per_second)

    async def cleared(self, item: OutboxItem, slot: datetime | None = None,
                      read: datetime | None = None) -> bool:
        """Wait for the row's send slot (`slot`, taken with its claim when the stored pause
        was `read`, or a new one) and for the end of any pause of the platform (this
        worker's, or another's in the database). False when it must not be sent now: the
        wait would outlast its claim (the row is then given back until then)."""
        while not self.stopping:
            now = utcnow()
            until = self._paused(now)
            if until is None:
                try:
                    if slot is None:
                        read = utcnow()
                        slot, until, held = await self._slot(item)
                        if held is None:  # the claim ran out: maybe another worker's now
                            log.info("outbox %s: claim on row %s ran out, left to others",
                                     self.channel, item.id)
                            return False
                        item = held
                except Exception:  # database unreachable: an unrecordable send must wait
                    log.warning("outbox %s: no send slot for row %s", self.channel, item.id)
                    await asyncio.sleep(0.5)
                    continue
                if until is None:
                    if not await self._wait(item, slot - CHECK_AHEAD):
                        return False
                    until = self._paused(utcnow())
                    if until is None and not self._read_since(read, utcnow() - CHECK_AHEAD):
                        until = await self._stored_pause()  # not read with the slot just now
                    if until is None:
                        await asyncio.sleep(max(0.0, (slot - utcnow()).total_seconds()))
                        if utcnow() - slot < LATE or self.spacing < LATE:
                            return True
                        slot = read = None  # woke up late (a busy worker): calls bunch
                        continue
                slot = read = None  # paused: after the pause, a new slot
                self.pause(until)
            if not await self._wait(item, until):
                return False
        return False

    async def _wait(self, item: OutboxItem, until: datetime) -> bool:
        """Sleep until `until`, or give the row back (to be claimed again then) when that
        is too close to the end of its claim."""
        margin = min(CLAIM_MARGIN, self.limits.lease / 4)
        if item.claimed_until is None or until + margin >= item.claimed_until:
            async with writing(self.sessions), self.sessions() as session, session.begin():
                await push_outbox.mark_retry(session, item.id, at=until, error="paused",
                                             held=item.claimed_until)
            return False
        await asyncio.sleep(max(0.0, (until - utcnow()).total_seconds()))
        return True

    async def _slot(self, item: OutboxItem
                    ) -> tuple[datetime, datetime | None, OutboxItem | None]:
        """The next send slot, the platform's pause, and the row with its claim renewed
        until a lease after the slot (None: the claim is no longer this sender's)."""
        async with writing(self.sessions), self.sessions() as session, session.begin():
            slot, until = await push_outbox.take_slot(session, self.channel, self.spacing)
        renewed = slot + self.limits.lease  # apart: the slot's row stays locked till commit
        async with writing(self.sessions), self.sessions() as session, session.begin():
            if not await push_outbox.renew_claim(session, item.id, item.claimed_until,
                                                 renewed):
                return slot, until, None
        return slot, until, replace(item, claimed_until=renewed)

    def _read_since(self, read: datetime | None, since: datetime) -> bool:
        """The stored pause was read (with this row's slot, or by any sender of this
        process) at `since` or later."""
        last = self._reads.get(self.channel)
        return any(t is not None and t >= since for t in (read, last))

    async def _stored_pause(self) -> datetime | None:
        """Just before the slot: a pause another process stored meanwhile. Sends due
        together share one read (the one under way, if it started within CHECK_AHEAD)."""
        now, task = utcnow(), self._reading
        if task is None or task.done() or self._reading_since < now - CHECK_AHEAD:
            self._reading_since = now
            task = self._reading = asyncio.create_task(self._read_pause(now))
        return await asyncio.shield(task)

    async def _read_pause(self, started: datetime) -> datetime | None:
        async with self.sessions() as session, session.begin():
            until = await push_outbox.paused_until(session, self.channel)
        self._reads[self.channel] = max(started, self._reads.get(self.channel, started))
        return until
