"""GET /api/chat/updates?user=ID: replies queued for a web chat user (staff replies).

The page polls every few seconds; rows of the outbox for channel "web" and that user are
returned as {"replies": [{"id", "key", "text", "buttons"}]} and marked sent. The user id is
the random id the page keeps in localStorage (a simulator, not an authenticated channel).
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.outbox import pull_pending

CHANNEL = "web"
SESSIONS_KEY = web.AppKey("webchat_sessions", async_sessionmaker[AsyncSession])


async def get_updates(request: web.Request) -> web.Response:
    user = request.query.get("user", "")
    if not 1 <= len(user) <= 64:
        return web.json_response({"error": "invalid_user"}, status=400)
    replies = await pull_pending(request.app[SESSIONS_KEY], CHANNEL, user)
    return web.json_response({"replies": replies},
                             headers={"Cache-Control": "no-store"})


def setup(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    app[SESSIONS_KEY] = sessions
    app.router.add_get("/api/chat/updates", get_updates)
