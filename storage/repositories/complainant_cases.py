"""A complainant's side of the complaints: their cases by ticket or by user, the case a
handler is talking to them in, and deleting their personal data from all of it.

Ownership (may this user see this ticket?) is checked by the caller in bot.core.complaints.rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    Evidence,
    OutboxMessage,
)
from storage.repositories.complaint_queue import HANDOFF, compare_and_set
from storage.repositories.complaint_records import Actor, add_event


async def get_by_ticket(session: AsyncSession, ticket: str) -> Complaint | None:
    """Complainant-side lookup by ticket (ownership is checked by the caller)."""
    stmt = select(Complaint).where(Complaint.ticket == ticket)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_user(session: AsyncSession, user_id: int) -> list[Complaint]:
    """The user's complaints, newest first."""
    stmt = select(Complaint).where(Complaint.user_id == user_id).order_by(
        Complaint.created_at.desc(), Complaint.id.desc())
    return list((await session.execute(stmt)).scalars())


async def last_public_event(session: AsyncSession, complaint_id: int, kinds: Iterable[str]
                            ) -> ComplaintEvent | None:
    """The newest event of the case among `kinds` (those a complainant may be told of)."""
    stmt = (select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id,
                                         ComplaintEvent.kind.in_(list(kinds)))
            .order_by(ComplaintEvent.id.desc()).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


_OPEN_HANDOFF = "open_handoff_cases"  # session.info: user id -> case, from prefetch
# Events whose body is written by the system, never typed by a person: kept on erasure.
STRUCTURED_EVENTS = ("reassigned_office", "agency_checked")


async def open_handoff_case(session: AsyncSession, user_id: int) -> Complaint | None:
    """The user's newest case a handler is working on (assigned / waiting on them) and
    has not released back to the bot: while it exists, the user talks to staff."""
    known: dict[int, Complaint | None] = session.info.get(_OPEN_HANDOFF, {})
    if user_id in known:
        return known[user_id]
    stmt = select(Complaint).where(
        Complaint.user_id == user_id, Complaint.status.in_(HANDOFF),
        Complaint.bot_released.is_(False),
    ).order_by(Complaint.updated_at.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def prefetch_open_handoff_cases(session: AsyncSession, user_ids: Sequence[int]) -> None:
    """`open_handoff_case` of many users in one query (a batch of turns); later calls in
    this session answer from it, "none" included."""
    stmt = select(Complaint).where(
        Complaint.user_id.in_(list(user_ids)), Complaint.status.in_(HANDOFF),
        Complaint.bot_released.is_(False),
    ).order_by(Complaint.updated_at)
    newest = {c.user_id: c for c in (await session.execute(stmt)).scalars()}
    known = session.info.setdefault(_OPEN_HANDOFF, {})
    known.update({user_id: newest.get(user_id) for user_id in user_ids})


async def anonymise_user(session: AsyncSession, user_id: int, channel: str,
                         external_id: str) -> Sequence[int]:
    """Delete a user's personal data from complaints: PII fields nulled, message texts,
    the free text of events (staff notes, escalation and closing reasons, which may quote
    the complainant) and evidence references removed, the user's outbox rows dropped,
    open cases closed. Category, country, province, office, status, dates and who acted
    stay for anonymous counts and the audit trail."""
    session.info.get(_OPEN_HANDOFF, {}).pop(user_id, None)
    ids = [c.id for c in await for_user(session, user_id)]
    actor = Actor("complainant", str(user_id), channel)
    for complaint_id in ids:
        await compare_and_set(session, complaint_id, expected=("new", "reopened", *HANDOFF),
                              new_status="closed", kind="data_deleted", actor=actor)
        await add_event(session, complaint_id, "anonymised", actor)
    if ids:
        await session.execute(update(Complaint).where(Complaint.id.in_(ids)).values(
            description=None, contact=None, city=None, origin_district=None,
            secret_hash=None, user_id=None, anonymised=True, updated_at=utcnow(),
        ).execution_options(synchronize_session=False))
        await session.execute(update(ComplaintMessage).where(
            ComplaintMessage.complaint_id.in_(ids)).values(body="", redacted=True)
            .execution_options(synchronize_session=False))
        # A Core UPDATE: the audit rows stay (append-only for the ORM), their text goes.
        await session.execute(update(ComplaintEvent).where(
            ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.body.is_not(None),
            ComplaintEvent.kind.not_in(STRUCTURED_EVENTS)).values(body=None)
            .execution_options(synchronize_session=False))
        await session.execute(delete(Evidence).where(Evidence.complaint_id.in_(ids)))
        await session.execute(delete(OutboxMessage).where(OutboxMessage.complaint_id.in_(ids)))
    await session.execute(delete(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.external_user_id == external_id))
    return ids
