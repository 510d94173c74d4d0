"""What the outbox sender and a channel's transport exchange: the claimed row, the
platform's acceptance or its transient / permanent refusal, and the sender's limits.
(bot.channels.sender re-exports these names.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from storage.repositories import push_outbox


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
    # Sends in flight or not yet recorded, per worker: what a worker killed meanwhile sends
    # twice (the platforms take no idempotency key). 0: as many as the global limit allows
    # in `record_budget` seconds, at least one (one at Telegram's 30/s and WhatsApp's 60/s).
    unrecorded: int = 0
    record_budget: float = 0.02

    @property
    def window(self) -> int:
        """Sends one worker may have between its slot and their record."""
        if self.unrecorded > 0:
            return self.unrecorded
        return max(1, min(self.concurrency, int(self.global_per_second * self.record_budget)))
