"""Web chat simulator: a phone-sized chat page at / talking to the engine over JSON."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.channels.webchat import updates
from bot.core.engine import Engine
from bot.core.messages import Message

CHANNEL = "web"
STATIC = Path(__file__).resolve().parent / "static"
ENGINE_KEY = web.AppKey("engine", Engine)
MAX_BODY = 64 * 1024


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def post_message(request: web.Request) -> web.Response:
    """POST /api/chat {"user": ID, "text": T} or {"user": ID, "button": P} -> {"replies": [...]}."""
    if request.content_length and request.content_length > MAX_BODY:
        return web.json_response({"error": "too_large"}, status=413)
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "invalid_json"}, status=400)
    if not isinstance(data, dict) or not isinstance(data.get("user"), str) \
            or not 1 <= len(data["user"]) <= 64:
        return web.json_response({"error": "invalid_message"}, status=400)
    text, button = data.get("text"), data.get("button")
    message = Message(
        CHANNEL,
        data["user"],
        text=text if isinstance(text, str) else None,
        button=button if isinstance(button, str) else None,
        referral=data.get("ref") if isinstance(data.get("ref"), str) else None,
    )
    replies = await request.app[ENGINE_KEY].handle(message)
    return web.json_response({"replies": [r.to_dict() for r in replies]})


def setup(app: web.Application, engine: Engine) -> None:
    app[ENGINE_KEY] = engine
    app.router.add_get("/", index)
    app.router.add_post("/api/chat", post_message)
    updates.setup(app, engine.sessions)  # staff replies from the outbox (issue 5)
    app.router.add_static("/static/", STATIC)
