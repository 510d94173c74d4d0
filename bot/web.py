"""The aiohttp application served by `jalur-aman serve`: web chat, health, channel webhooks."""

from __future__ import annotations

from aiohttp import web

from bot import dashboard
from bot.channels import webchat
from bot.channels.setup import setup_channels
from bot.composition import Bot
from storage import db

BOT_KEY = web.AppKey("bot", Bot)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    try:
        current = await db.is_current(bot.db_engine)
    except Exception:
        return web.json_response({"status": "database_unreachable"}, status=503)
    if not current:
        return web.json_response({"status": "migrations_pending"}, status=503)
    return web.json_response({"status": "ready"})


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
    )
    return response


def create_app(bot: Bot) -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=1024 * 1024)
    app[BOT_KEY] = bot
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    webchat.setup(app, bot.engine)
    dashboard.setup(app, bot)
    setup_channels(app, bot)  # Telegram/WhatsApp when their tokens are set (issue 6)

    async def close_bot(_app: web.Application) -> None:
        await bot.close()

    app.on_cleanup.append(close_bot)
    return app
