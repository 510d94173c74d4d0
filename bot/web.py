"""The aiohttp application served by `jalur-aman serve`: web chat, health, channel webhooks."""

from __future__ import annotations

from collections.abc import MutableMapping

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot import dashboard
from bot.channels import webchat
from bot.channels.setup import setup_channels
from bot.composition import Bot
from bot.ops.access_log import request_id_middleware
from bot.ops.guards import TokenBucket, failure_guard, rate_limit
from bot.ops.http_metrics import http_metrics, metrics_handler
from bot.ops.server_secret import secret_key
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
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # error pages (404, 405, ...) get the headers too
        _add_security_headers(exc.headers)
        raise
    _add_security_headers(response.headers)
    return response


def _add_security_headers(headers: MutableMapping[str, str]) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
    )


def _middlewares(bot: Bot) -> list[Middleware]:
    """Request id and access log, metrics, security headers, rate limits, failure guard
    (outermost first; see bot.ops.logs, bot.ops.metrics, bot.ops.guards)."""
    s = bot.settings
    chat = TokenBucket(s.rate_limit_chat_per_s, s.rate_limit_chat_burst) \
        if s.rate_limit_chat_per_s > 0 else None
    webhook = TokenBucket(s.rate_limit_webhook_per_s, s.rate_limit_webhook_burst) \
        if s.rate_limit_webhook_per_s > 0 else None
    return [request_id_middleware, http_metrics, security_headers,
            rate_limit(chat, webhook, s.trust_forwarded_for), failure_guard]


def create_app(bot: Bot) -> web.Application:
    app = web.Application(middlewares=_middlewares(bot), client_max_size=1024 * 1024)
    app[BOT_KEY] = bot
    app.router.add_get("/metrics", metrics_handler(bot.sessions))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    webchat.setup(app, bot.engine, secret_key(bot.settings))
    dashboard.setup(app, bot)
    setup_channels(app, bot)  # Telegram/WhatsApp when their tokens are set

    async def close_bot(_app: web.Application) -> None:
        await bot.close()

    app.on_cleanup.append(close_bot)
    return app
