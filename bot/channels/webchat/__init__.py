"""Web chat simulator: a phone-sized chat page at / talking to the engine over JSON.

The server issues each chat's identity (bot.channels.webchat.identity): a request without
a token starts a new chat and its answer carries the token; the page sends it back as
`Authorization: Bearer <token>`. A forged or outdated token gets 401.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.channels.webchat import updates
from bot.channels.webchat.identity import IDENTITY_KEY, ChatIdentity, bearer, unauthorized
from bot.core.engine import Engine
from bot.core.messages import Message

CHANNEL = "web"
STATIC = Path(__file__).resolve().parent / "static"
ENGINE_KEY = web.AppKey("engine", Engine)
MAX_BODY = 64 * 1024


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def post_message(request: web.Request) -> web.Response:
    """POST /api/chat {"text": T} or {"button": P} (+ optional "ref") with the chat's token
    (none for a new chat) -> {"token": T, "replies": [...]}."""
    if request.content_length and request.content_length > MAX_BODY:
        return web.json_response({"error": "too_large"}, status=413)
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "invalid_json"}, status=400)
    if not isinstance(data, dict):
        return web.json_response({"error": "invalid_message"}, status=400)
    identity = request.app[IDENTITY_KEY]
    token = bearer(request)
    if token is None:
        user_id, token = identity.issue()
    elif (verified := identity.verify(token)) is None:
        return unauthorized("invalid_token")
    else:
        user_id = verified
    text, button, ref = data.get("text"), data.get("button"), data.get("ref")
    message = Message(
        CHANNEL,
        user_id,
        text=text if isinstance(text, str) else None,
        button=button if isinstance(button, str) else None,
        referral=ref if isinstance(ref, str) else None,
    )
    replies = await request.app[ENGINE_KEY].handle(message)
    return web.json_response({"token": token, "replies": [r.to_dict() for r in replies]},
                             headers={"Cache-Control": "no-store"})


def setup(app: web.Application, engine: Engine, secret: bytes) -> None:
    """Routes of the web chat; `secret` is the server secret (bot.ops.server_secret)."""
    app[ENGINE_KEY] = engine
    app[IDENTITY_KEY] = ChatIdentity(secret)
    app.router.add_get("/", index)
    app.router.add_post("/api/chat", post_message)
    updates.setup(app, engine.sessions)  # staff replies
    app.router.add_static("/static/", STATIC)
