"""The durable inbox of platform updates, channel contacts and delivery statuses.

`store` inserts an update unless (platform, update_id) is already there (a redelivery),
so webhooks are idempotent. `claim_done_many` is the conditional update that the turns'
transaction runs: only one processing of an update can commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_for, is_postgres
from storage.models import utcnow
from storage.models.channels import ChannelContact, DeliveryStatus, InboxUpdate
from storage.models.complaints import OutboxMessage

_STORE: dict[str, Any] = {}  # dialect -> the insert below, built once (a hot path)


def _store_statement(session: AsyncSession) -> Any:
    dialect = "postgresql" if is_postgres(session) else "sqlite"
    if dialect not in _STORE:
        _STORE[dialect] = insert_for(session, InboxUpdate).values(
            platform=bindparam("platform"), update_id=bindparam("update_id"),
            user_id=bindparam("user_id"), payload=bindparam("payload", type_=JSON),
            status="pending", attempts=0, created_at=bindparam("created_at"),
            media_state=bindparam("media_state"),
        ).on_conflict_do_nothing(index_elements=["platform", "update_id"])
    return _STORE[dialect]


async def store(session: AsyncSession, platform: str, update_id: str, user_id: str,
                payload: dict[str, Any], *, media: bool = False) -> bool:
    """Insert one update, whole (the webhook's body limit bounds it); False when it was
    already stored (a duplicate delivery). `media`: it carries files to fetch first."""
    conn = await session.connection()  # Core execution: an ORM insert with parameters
    result = await conn.execute(_store_statement(session), {  # is a bulk insert, no rowcount
        "platform": platform, "update_id": update_id[:128], "user_id": user_id[:128],
        "payload": payload, "created_at": utcnow(),
        "media_state": "pending" if media else None})
    return bool(getattr(result, "rowcount", 0))


async def store_unanswerable(session: AsyncSession, platform: str, update_id: str,
                             payload: dict[str, Any], error: str) -> bool:
    """Keep an update that cannot be answered (no sender id) as `failed`, with the reason,
    so it is counted and can be looked at; False when it was already stored."""
    stored = await store(session, platform, update_id, "unknown", payload)
    if stored:
        await session.execute(update(InboxUpdate).where(
            InboxUpdate.platform == platform, InboxUpdate.update_id == update_id[:128],
        ).values(status="failed", last_error=error[:500]).execution_options(
            synchronize_session=False))
    return stored


async def media_pending(session: AsyncSession, platform: str, *, limit: int = 16
                        ) -> list[InboxUpdate]:
    """Pending updates whose files are still to be fetched, oldest first."""
    stmt = (select(InboxUpdate)
            .where(InboxUpdate.platform == platform, InboxUpdate.media_state == "pending",
                   InboxUpdate.status == "pending")
            .order_by(InboxUpdate.id).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def set_media(session: AsyncSession, row_id: int, fetched: dict[str, Any], *,
                    state: str) -> bool:
    """Record the fetched files of an update (payload["_media"]: platform reference ->
    store reference or error); False when another worker recorded them first."""
    row = await session.get(InboxUpdate, row_id, with_for_update=is_postgres(session))
    if row is None or row.media_state != "pending":
        return False
    row.payload = {**row.payload, "_media": fetched}
    row.media_state = state
    return True


async def pending(session: AsyncSession, platform: str, *, user_id: str | None = None,
                  limit: int = 200) -> list[InboxUpdate]:
    stmt = select(InboxUpdate).where(InboxUpdate.platform == platform,
                                     InboxUpdate.status == "pending")
    if user_id is not None:
        stmt = stmt.where(InboxUpdate.user_id == user_id)
    return list((await session.execute(stmt.order_by(InboxUpdate.id).limit(limit))).scalars())


async def pending_users(session: AsyncSession, platform: str, *, limit: int = 1000
                        ) -> list[str]:
    """Users with pending updates, the one waiting longest first."""
    stmt = (select(InboxUpdate.user_id, func.min(InboxUpdate.id).label("first"))
            .where(InboxUpdate.platform == platform, InboxUpdate.status == "pending")
            .group_by(InboxUpdate.user_id).order_by("first").limit(limit))
    return [str(user) for user, _ in (await session.execute(stmt)).all()]


async def lock_heads(session: AsyncSession, platform: str, *, limit: int = 64
                     ) -> list[InboxUpdate]:
    """The oldest pending update of up to `limit` users, oldest first, for one batch of turns.

    On PostgreSQL the rows are locked (FOR UPDATE SKIP LOCKED) until the caller's transaction
    ends, so workers take disjoint batches; a user whose older update another worker holds
    is left out, so each user's updates are still answered in arrival order.
    """
    stmt = (select(InboxUpdate)
            .where(InboxUpdate.platform == platform, InboxUpdate.status == "pending")
            .order_by(InboxUpdate.id).limit(limit * 2))
    postgres = is_postgres(session)
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True)
    heads: dict[str, InboxUpdate] = {}
    for row in (await session.execute(stmt)).scalars():
        heads.setdefault(row.user_id, row)
    # A user whose oldest update still waits for its files waits with it (arrival order).
    heads = {user: row for user, row in heads.items() if row.media_state != "pending"}
    if postgres and heads:
        first = (select(InboxUpdate.user_id, func.min(InboxUpdate.id))
                 .where(InboxUpdate.platform == platform, InboxUpdate.status == "pending",
                        InboxUpdate.user_id.in_(list(heads)))
                 .group_by(InboxUpdate.user_id))
        for user, first_id in (await session.execute(first)).all():
            if first_id < heads[user].id:  # an older update is in another worker's batch
                del heads[user]
    return sorted(heads.values(), key=lambda row: row.id)[:limit]


async def claim_done_many(session: AsyncSession, row_ids: Sequence[int]) -> bool:
    """Mark updates processed (payloads dropped: personal data is kept only as long as
    needed); False unless every row was still pending, i.e. another worker already
    answered one (the caller rolls back)."""
    if not row_ids:
        return True
    stmt = update(InboxUpdate).where(InboxUpdate.id.in_(list(row_ids)),
                                     InboxUpdate.status == "pending").values(
        status="done", processed_at=utcnow(), payload={}, attempts=InboxUpdate.attempts + 1)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == len(set(row_ids)))


async def record_error(session: AsyncSession, row_id: int, error: str, *,
                       max_attempts: int) -> None:
    row = await session.get(InboxUpdate, row_id)
    if row is None or row.status != "pending":
        return
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= max_attempts:
        row.status = "failed"


async def counts(session: AsyncSession, platform: str) -> dict[str, int]:
    stmt = select(InboxUpdate.status, func.count()).where(
        InboxUpdate.platform == platform).group_by(InboxUpdate.status)
    return {status: int(n) for status, n in (await session.execute(stmt)).all()}


async def touch_contact(session: AsyncSession, platform: str, user_id: str, *,
                        phone: str | None = None, at: datetime | None = None) -> None:
    """Remember the user's last inbound time (and phone number when the platform gives it);
    a user who writes has not blocked us."""
    values: dict[str, Any] = {"last_inbound_at": at or utcnow(), "blocked_at": None}
    if phone:
        values["phone"] = phone[:32]
    stmt = insert_for(session, ChannelContact).values(platform=platform, user_id=user_id[:128],
                                                   **values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["platform", "user_id"], set_=values))


async def contact(session: AsyncSession, platform: str, user_id: str) -> ChannelContact | None:
    return await session.get(ChannelContact, (platform, user_id[:128]))


REENGAGE = "131047"  # WhatsApp: the 24-hour window had closed


async def record_statuses(session: AsyncSession, platform: str,
                          statuses: Sequence[dict[str, Any]]) -> None:
    """Store status reports, matched to our outbox row by the key we sent along
    (biz_opaque_callback_data, so even a report that arrives before the send is recorded
    finds its row), else by the platform's message id. A `failed` report marks the row
    failed with the platform's code, so staff see the message did not arrive; a 131047
    (window closed) makes the row due again with the window marked closed, so it goes
    out through the invitation path."""
    for item in statuses:
        message_id = str(item.get("platform_message_id") or "")[:128]
        row = await _status_row(session, platform, item.get("callback"), message_id)
        if not message_id and row is None:
            continue
        code = item.get("error_code")
        code = str(code)[:32] if code is not None else None
        session.add(DeliveryStatus(
            platform=platform, platform_message_id=message_id or "-",
            recipient=(str(item.get("recipient") or "")[:128] or None),
            status=str(item.get("status") or "unknown")[:16], error_code=code,
            error_title=(str(item.get("error_title") or "")[:200] or None),
            outbox_id=row.id if row else None, reported_at=item.get("reported_at"),
        ))
        if row is None or item.get("status") != "failed" or row.status == "failed":
            continue
        if code == REENGAGE:
            row.status, row.sent_as, row.next_attempt_at = "pending", None, None
            row.claimed_until, row.last_error = None, "131047: window closed, inviting"
            await session.execute(update(ChannelContact).where(
                ChannelContact.platform == platform,
                ChannelContact.user_id == row.external_user_id).values(last_inbound_at=None))
            continue
        row.status = "failed"
        row.error_code = code or "failed"
        row.last_error = str(item.get("error_title") or "delivery failed")[:500]


async def _status_row(session: AsyncSession, platform: str, callback: Any,
                      message_id: str) -> OutboxMessage | None:
    if isinstance(callback, str) and callback:
        row = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.channel == platform,
            OutboxMessage.idempotency_key == callback[:64]))).scalar_one_or_none()
        if row is not None:
            return row
    if not message_id:
        return None
    return (await session.execute(select(OutboxMessage).where(
        OutboxMessage.channel == platform,
        OutboxMessage.platform_message_id == message_id))).scalars().first()


async def set_blocked(session: AsyncSession, platform: str, user_id: str, blocked: bool
                      ) -> None:
    """Remember that the user blocked the bot (or unblocked it)."""
    values: dict[str, Any] = {"blocked_at": utcnow() if blocked else None}
    stmt = insert_for(session, ChannelContact).values(platform=platform,
                                                      user_id=user_id[:128], **values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["platform", "user_id"], set_=values))


async def forget_user(session: AsyncSession, platform: str, user_id: str) -> None:
    """"hapus data saya" on a platform: the phone number, delivery receipts and stored
    updates of the user go; the update being answered right now stays pending so its
    turn can still commit (its payload is cleared when it is marked done), and the time
    of the last message stays so the confirmation can still be sent in WhatsApp's window."""
    await session.execute(update(ChannelContact).where(
        ChannelContact.platform == platform, ChannelContact.user_id == user_id,
    ).values(phone=None))
    await session.execute(delete(DeliveryStatus).where(
        DeliveryStatus.platform == platform, DeliveryStatus.recipient == user_id))
    await session.execute(delete(InboxUpdate).where(
        InboxUpdate.platform == platform, InboxUpdate.user_id == user_id,
        InboxUpdate.status != "pending"))
