"""Whether a claimed outbox row may be sent now: the platform's pause after a 429 (one for
the whole bot) and a slot under the global rate limit, stamped in the database right
before the call (bot.channels.sender)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing
from bot.channels.transport import Limits, OutboxItem
from storage.models import utcnow
from storage.repositories import push_outbox

log = logging.getLogger(__name__)
# Pauses as known in this process, shared by the senders on the same sessions (they learn
# one at once; other processes learn it through the database).
_PAUSES: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], dict[str, datetime]] = (
    weakref.WeakKeyDictionary())


class SendGate:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str,
                 limits: Limits) -> None:
        self.sessions = sessions
        self.channel = channel
        self.limits = limits
        self.stopping = False
        self._pauses = _PAUSES.setdefault(sessions, {})

    def pause(self, until: datetime) -> None:
        if self.channel not in self._pauses or until > self._pauses[self.channel]:
            self._pauses[self.channel] = until

    def _paused(self, now: datetime) -> datetime | None:
        until = self._pauses.get(self.channel)
        return until if until is not None and until > now else None

    async def cleared(self, item: OutboxItem) -> bool:
        """Wait until the row may be sent: no pause of the platform (this worker's, or
        another's in the database) and a slot under the global limit, stamped in the
        database. False when it must not be sent now: its claim ran out, or a pause
        outlasts the claim (the row is then given back until the pause ends)."""
        margin = timedelta(seconds=5)
        while not self.stopping:
            now = utcnow()
            until = self._paused(now)
            if until is None:
                try:
                    async with writing(self.sessions), self.sessions() as session, \
                            session.begin():
                        start = await push_outbox.start_attempt(
                            session, self.channel, item, margin=margin,
                            per_second=self.limits.global_per_second)
                except Exception:  # database unreachable: an unrecordable send must wait
                    log.warning("outbox %s: cannot start row %s", self.channel, item.id)
                    await asyncio.sleep(0.5)
                    continue
                if start.claim_lost:
                    return False
                if start.go:  # unless a pause was learnt while waiting for the database
                    until = self._paused(utcnow())
                    if until is None:
                        return True
                elif start.paused_until is None:
                    await asyncio.sleep(start.wait)
                    continue
                else:
                    until = start.paused_until
                    self.pause(until)
            if item.claimed_until is None or until + margin >= item.claimed_until:
                async with writing(self.sessions), self.sessions() as session, \
                        session.begin():
                    await push_outbox.mark_retry(session, item.id, at=until, error="paused")
                return False
            await asyncio.sleep((until - now).total_seconds())
        return False
