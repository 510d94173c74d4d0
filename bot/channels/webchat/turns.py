"""One web chat turn: the engine's answer and the transcript row, in one transaction.

Every message of the page (text, button, uploaded file) goes through `answer`, which
records what the user's bubble showed and the replies (storage.repositories.transcript),
so GET /api/chat/history can show a returning user their conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.engine import Engine
from bot.core.messages import Message, Reply
from storage import db, deferred
from storage.models import User
from storage.repositories import transcript
from storage.repositories.users import get_or_create_user

CHANNEL = "web"
# Runs first in the turn's transaction (e.g. to store an uploaded file) and returns the
# message to answer.
Prepare = Callable[[AsyncSession, User], Awaitable[Message]]


async def record(session: AsyncSession, external_id: str, said: dict[str, Any],
                 replies: list[Reply]) -> None:
    """Record one answered turn of the web chat user `external_id` (inside the turn's
    transaction, e.g. as Engine.handle's `within`). Nothing is recorded for the turn that
    deleted the user's data (their chat identity is gone with it)."""
    if session.info.get(db.ERASED):
        return
    user = await get_or_create_user(session, CHANNEL, external_id)
    await transcript.record(session, user.id, said, [r.to_dict() for r in replies])


async def answer(engine: Engine, user_id: str, said: dict[str, Any],
                 prepare: Prepare) -> list[Reply]:
    """Answer the message `prepare` builds for the web chat user `user_id` and record the
    turn; the user, anything `prepare` stored, the turn and the transcript commit together."""
    async with engine.sessions() as session:
        async with session.begin():
            user = await get_or_create_user(session, CHANNEL, user_id)
            message = await prepare(session, user)
            replies = await engine.turn(session, message, user=user)
            await deferred.apply_all(session)
            if not session.info.get(db.ERASED):
                await transcript.record(session, user.id, said,
                                        [r.to_dict() for r in replies])
        if session.info.pop(db.ERASED, False):  # as Engine.handle: no copy left in SQLite
            await db.compact_after_erasure(session)
    return replies


def said_text(text: str | None, title: str | None) -> dict[str, Any]:
    """What the user's bubble showed for a typed text or a tapped button's title."""
    shown = title if title is not None else text
    return {"text": (shown or "")[:2000]}
