"""GET /api/chat/history: the conversation of the web chat user holding the token.

A returning user's page shows their last turns again, staff replies included:
{"entries": [{"at": ISO, "said": {"text"} | {"file", "text"}, "replies": [...]} |
{"at": ISO, "id": N, "pushed": reply}]}, oldest first (storage.repositories.transcript).
Only the token's own user is ever read; without a valid token the answer is 401.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.webchat.identity import token_user, unauthorized
from storage.models import User
from storage.repositories import transcript
from storage.repositories.users import is_erased

CHANNEL = "web"
SESSIONS_KEY = web.AppKey("webchat_history_sessions", async_sessionmaker[AsyncSession])


async def get_history(request: web.Request) -> web.Response:
    external_id = token_user(request)
    async with request.app[SESSIONS_KEY]() as session:
        if await is_erased(session, CHANNEL, external_id):  # the chat's data was deleted
            return unauthorized("invalid_token")
        user_id = await session.scalar(select(User.id).where(
            User.channel == CHANNEL, User.external_id == external_id))
        entries = await transcript.history(session, user_id, CHANNEL, external_id)
    return web.json_response({"entries": [_json(e) for e in entries]},
                             headers={"Cache-Control": "no-store"})


def _json(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "at": entry["at"].isoformat()}


def setup(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Route of the history; the identity is set by bot.channels.webchat.setup."""
    app[SESSIONS_KEY] = sessions
    app.router.add_get("/api/chat/history", get_history)
