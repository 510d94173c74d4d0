"""The periodic overdue check: cases past their first-response or resolution target are
marked overdue, move up their office's queue and get the supervisor's badge; the
complainant is told honestly that the case is late and went to a supervisor; staff may
get a Telegram message (JALUR_AMAN_STAFF_TELEGRAM_CHAT_ID) through the same outbox.

Usage (the serve process runs `watch` in each worker; the marking is one conditional
UPDATE, so several workers never announce a case twice):

    check = OverdueCheck(content, offices, staff_chat="-100123", clock=utcnow)
    async with sessions() as session, session.begin():
        marked = await check.run(session)       # [(complaint id, kind), ...]

The clock is injected, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.complaints.rules import Offices
from bot.core.complaints.updates import notify
from bot.core.content import Content
from storage.models import utcnow
from storage.models.complaints import Complaint
from storage.repositories import complaint_queue, outbox

log = logging.getLogger(__name__)
STAFF_CHANNEL = "telegram"
Clock = Callable[[], datetime]


class OverdueCheck:
    def __init__(self, content: Content, offices: Offices, *, staff_chat: str | None = None,
                 clock: Clock = utcnow) -> None:
        self.content = content
        self.offices = offices
        self.staff_chat = staff_chat
        self.clock = clock

    async def run(self, session: AsyncSession) -> list[tuple[int, str]]:
        """Mark what is overdue now and queue the messages, in the caller's transaction."""
        now = self.clock()
        marked = await complaint_queue.mark_overdue(session, now=now)
        stamp = f"{now:%Y%m%d%H%M%S}"
        for complaint_id, kind in marked:
            complaint = await session.get(Complaint, complaint_id)
            if complaint is None:
                continue
            office = self.offices.name(complaint.office_code)
            await notify(session, self.content, complaint, "complaint.update.overdue",
                         f"overdue-{stamp}", office=office,
                         buttons=[self.content.button("emergency")])
            if self.staff_chat:
                alert = self.content.render("staff.overdue_alert", {
                    "ticket": complaint.ticket, "office": office,
                    "target": self.content.title(f"staff.overdue_alert.{kind}")})
                await outbox.enqueue(session, channel=STAFF_CHANNEL,
                                     external_user_id=self.staff_chat,
                                     payload=alert.to_dict(), complaint_id=complaint.id,
                                     idempotency_key=f"c{complaint.id}-staff-overdue-{stamp}")
        return marked

    async def watch(self, sessions: async_sessionmaker[AsyncSession], interval: float,
                    stop: asyncio.Event) -> None:
        """Run the check every `interval` seconds until `stop` is set (first run after
        one interval, so a starting worker does not compete with its migrations)."""
        while True:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
                return
            except TimeoutError:
                pass
            try:
                async with sessions() as session, session.begin():
                    marked = await self.run(session)
                if marked:
                    log.info("overdue check: %d case(s) marked overdue", len(marked))
            except Exception:  # a failed round must not end the watch; the next one retries
                log.exception("overdue check failed")
