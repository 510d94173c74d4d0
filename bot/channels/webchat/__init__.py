"""Web chat simulator: a phone-sized chat page at / talking to the engine over JSON.

Also: GET /api/chat/history (the conversation of the token's user), POST /api/chat/upload
(a photo or PDF, multipart) and GET /api/chat/updates (staff replies).
The server issues each chat's identity (bot.channels.webchat.identity): a request without
a token starts a new chat and its answer carries the token; the page sends it back as
`Authorization: Bearer <token>`. A forged or outdated token, or the token of a chat whose
data was deleted, gets 401. A message may carry the client's message id ("id", or the
Idempotency-Key header): a retry with the same id is answered with the stored replies of
the first request, never with a second turn. While the database is down an emergency is
still answered (content loaded at start), and everything else gets 503 naming the static
hotline page /darurat (bot.channels.webchat.hotline).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels import json_body
from bot.channels.webchat import history, hotline, updates, upload
from bot.channels.webchat.batch import Turn, TurnBatcher
from bot.channels.webchat.identity import IDENTITY_KEY, ChatIdentity, bearer, unauthorized
from bot.channels.webchat.turns import said_text
from bot.core.engine import Engine
from bot.core.messages import Message
from bot.ops.guards import is_db_outage
from storage.media import MediaStore

log = logging.getLogger(__name__)
CHANNEL = "web"
STATIC = Path(__file__).resolve().parent / "static"
ENGINE_KEY = web.AppKey("engine", Engine)
BATCHER_KEY = web.AppKey("webchat_batcher", TurnBatcher)
MAX_BODY = 64 * 1024
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_REF = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
NO_STORE = {"Cache-Control": "no-store"}


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def _bad(error: str) -> web.Response:
    return web.json_response({"error": error}, status=400)


def _message(user_id: str, data: dict[str, Any]) -> Message | None:
    text, button, ref = data.get("text"), data.get("button"), data.get("ref")
    if any(v is not None and not isinstance(v, str) for v in (text, button, ref)):
        return None
    return Message(
        CHANNEL, user_id,
        text=json_body.clean_text(text, keep_nul=True) if text else text,
        button=json_body.clean_text(button)[:200] if button else None,
        referral=ref if ref and _REF.match(ref) else None)


async def post_message(request: web.Request) -> web.Response:
    """POST /api/chat {"text": T} or {"button": P, "title": shown} (+ optional "ref", "id")
    with the chat's token (none for a new chat) -> {"token": T, "replies": [...]}."""
    if request.content_length and request.content_length > MAX_BODY:
        return web.json_response({"error": "too_large"}, status=413)
    try:
        data = json_body.loads(await request.read())
    except json_body.BadJson as exc:
        return _bad(str(exc))
    if not isinstance(data, dict):
        return _bad("invalid_message")
    client_id = data.get("id", request.headers.get("Idempotency-Key"))
    if client_id is not None and not (isinstance(client_id, str) and _CLIENT_ID.match(client_id)):
        return _bad("invalid_message_id")
    identity = request.app[IDENTITY_KEY]
    token = bearer(request)
    known = token is not None
    if token is None:
        user_id, token = identity.issue()
    elif (verified := identity.verify(token)) is None:
        return unauthorized("invalid_token")
    else:
        user_id = verified
    message = _message(user_id, data)
    if message is None:
        return _bad("invalid_message")
    engine = request.app[ENGINE_KEY]
    try:
        title = data.get("title") if message.button else None
        said = said_text(message.text, title if isinstance(title, str) else None)
        replies = await request.app[BATCHER_KEY].answer(Turn(message, known, client_id, said))
    except Exception as error:
        if not is_db_outage(error):
            raise
        return _without_database(engine, message, token, error)
    if replies is None:
        return unauthorized("invalid_token")
    return web.json_response({"token": token, "replies": replies}, headers=NO_STORE)


def _without_database(engine: Engine, message: Message, token: str,
                      error: BaseException) -> web.Response:
    log.warning("web chat without database: %s", type(error).__name__,
                extra={"reason": type(error).__name__})
    replies = engine.emergency_only(message)
    if replies is not None:
        return web.json_response({"token": token, "replies": [r.to_dict() for r in replies],
                                  "degraded": True}, headers=NO_STORE)
    return web.json_response({"error": "database_unavailable", "hotline": hotline.PATH},
                             status=503, headers={"Retry-After": "5", **NO_STORE})


def setup(app: web.Application, engine: Engine, secret: bytes, media: MediaStore) -> None:
    """Routes of the web chat; `secret` is the server secret (bot.ops.server_secret),
    `media` the store of uploaded files."""
    app[ENGINE_KEY] = engine
    app[BATCHER_KEY] = TurnBatcher(engine)  # concurrent messages answered together
    app[IDENTITY_KEY] = ChatIdentity(secret)
    app.router.add_get("/", index)
    app.router.add_post("/api/chat", post_message)
    updates.setup(app, engine.sessions)  # staff replies
    history.setup(app, engine.sessions)  # a returning user's conversation
    upload.setup(app, engine, media)  # photos and documents
    hotline.setup(app, engine.content)  # /darurat, rendered once at start
    app.router.add_static("/static/", STATIC)
