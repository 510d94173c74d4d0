"""Pushed updates to the complainant, and the marks they leave on the case.

Whenever something changes that the complainant should know (claimed, a question from the
handler, a reply, resolved, reopened, transferred to another office, overdue), one reply
is written to the durable outbox in the same transaction as the change, on the channel
the complainant came from: the web chat pulls it, the Telegram/WhatsApp senders push it
(WhatsApp's 24-hour window and its template are the transport's business). Each update
has an idempotency key per case and event, so a retried transaction never sends twice.

The first message a handler sends (reply, question or "resolved") is the case's first
response, kept for the service targets and the supervisor figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints.rules import Offices
from bot.core.content import Content
from bot.core.messages import Button
from storage.models import User, utcnow
from storage.models.complaints import Complaint
from storage.repositories import outbox

SATISFACTION = "satisfaction"  # button payloads "satisfaction:<answer>:<complaint id>"
ANSWERS = ("puas", "tidak_puas")


async def notify(session: AsyncSession, content: Content, complaint: Complaint, key: str,
                 suffix: str, *, buttons: Iterable[Button] | None = None,
                 **params: object) -> bool:
    """Queue reply `key` to the complainant on their channel; False when there is nobody
    to tell (the user deleted their data)."""
    user = await session.get(User, complaint.user_id) if complaint.user_id else None
    if user is None:
        return False
    reply = content.render(key, {"ticket": complaint.ticket, **params}, buttons=buttons)
    await outbox.enqueue(session, channel=user.channel, external_user_id=user.external_id,
                         payload=reply.to_dict(), complaint_id=complaint.id,
                         idempotency_key=f"c{complaint.id}-{suffix}"[:64])
    return True


def satisfaction_buttons(content: Content, complaint_id: int) -> list[Button]:
    """The one question after "resolved": puas / tidak puas."""
    return [Button(content.title(f"satisfaction.{answer}"),
                   f"{SATISFACTION}:{answer}:{complaint_id}") for answer in ANSWERS]


async def mark_first_response(session: AsyncSession, complaint_id: int,
                              at: datetime | None = None) -> None:
    """Record the first response once (a conditional UPDATE: later ones change nothing)."""
    await session.execute(
        update(Complaint).where(Complaint.id == complaint_id,
                                Complaint.first_response_at.is_(None))
        .values(first_response_at=at or utcnow()).execution_options(synchronize_session=False))


def restart_targets(offices: Offices, complaint: Complaint, now: datetime | None = None
                    ) -> dict[str, Any]:
    """Column values for a reopened case: a new resolution target from now, the overdue
    mark cleared, the satisfaction answer kept until it is asked again."""
    now = now or utcnow()
    _first, resolution = offices.targets.dues(complaint.office_code, now,
                                              urgent=complaint.urgent)
    return {"resolution_due": resolution, "overdue_at": None, "flagged_overdue": False}
