"""GET /api/chat/updates: replies queued for the web chat user holding the token.

The page polls every few seconds with `Authorization: Bearer <token>` (the token the
server issued, bot.channels.webchat.identity); rows of the outbox for channel "web" and the
token's user are returned as {"replies": [{"id", "key", "text", "buttons"}]} and marked
sent. Without a valid token (or with the token of a chat whose data was deleted) the answer
is 401, so nobody reads another user's replies.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.outbox import pull_pending
from bot.channels.webchat.identity import token_user, unauthorized
from storage.repositories.users import is_erased

CHANNEL = "web"
SESSIONS_KEY = web.AppKey("webchat_sessions", async_sessionmaker[AsyncSession])


async def get_updates(request: web.Request) -> web.Response:
    user = token_user(request)
    sessions = request.app[SESSIONS_KEY]
    async with sessions() as session:
        if await is_erased(session, CHANNEL, user):  # the chat's data was deleted
            return unauthorized("invalid_token")
    replies = await pull_pending(sessions, CHANNEL, user)
    return web.json_response({"replies": replies},
                             headers={"Cache-Control": "no-store"})


def setup(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Route of the updates; the identity is set by bot.channels.webchat.setup."""
    app[SESSIONS_KEY] = sessions
    app.router.add_get("/api/chat/updates", get_updates)
