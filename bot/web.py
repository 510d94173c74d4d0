"""The aiohttp application served by `jalur-aman serve`: web chat, health, channel webhooks."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import MutableMapping

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot import dashboard
from bot.channels import webchat
from bot.channels.setup import setup_channels
from bot.composition import Bot
from bot.core.complaints.overdue import OverdueCheck
from bot.core.complaints.rules import Offices
from bot.ops.access_log import request_id_middleware
from bot.ops.guards import TokenBucket, failure_guard, metrics_guard, rate_limit, refuse_nul
from bot.ops.http_metrics import http_metrics, metrics_handler
from bot.ops.server_secret import secret_key
from storage import db

BOT_KEY = web.AppKey("bot", Bot)
SERVER = "jalur-aman"


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


def security_headers(hsts: bool) -> Middleware:
    """nosniff, referrer policy, CSP on every answer; HSTS when PUBLIC_URL is https."""

    @web.middleware
    async def middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # error pages (404, 405, ...) get the headers too
            _add_security_headers(exc.headers, hsts)
            raise
        _add_security_headers(response.headers, hsts)
        return response

    return middleware


async def _no_version(_request: web.Request, response: web.StreamResponse) -> None:
    """The Server header names the product only (aiohttp would add Python's version)."""
    response.headers["Server"] = SERVER


def _add_security_headers(headers: MutableMapping[str, str], hsts: bool) -> None:
    if hsts:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
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
    hsts = (s.public_url or "").lower().startswith("https://")
    return [request_id_middleware, http_metrics, security_headers(hsts),
            rate_limit(chat, webhook, s.trust_forwarded_for), refuse_nul, failure_guard]


def _watch_overdue(app: web.Application, bot: Bot) -> None:
    """Each worker runs the periodic overdue check (safe with several workers)."""
    interval = bot.settings.overdue_check_seconds
    if interval <= 0:
        return
    offices = bot.offices or Offices.load(bot.settings.content_dir / "offices.yml")
    # Staff alerts go out through the Telegram outbox: only when that channel is on.
    staff_chat = bot.settings.staff_telegram_chat_id if bot.settings.telegram_token else None
    check = OverdueCheck(bot.content, offices, staff_chat=staff_chat)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start(_app: web.Application) -> None:
        tasks.append(asyncio.create_task(check.watch(bot.sessions, interval, stop)))

    async def halt(_app: web.Application) -> None:
        stop.set()
        for task in tasks:
            await task

    app.on_startup.append(start)
    app.on_shutdown.append(halt)


def _freeze_startup_heap(app: web.Application) -> None:
    """Once started, move what start-up built (the NLU model, content, the register index:
    some 300,000 objects that live as long as the process) out of the garbage collector's
    full passes: each pass over them took about 0.2 s in the middle of a burst of webhooks.
    Added last, so it runs after the channels have started; cleanup gives them back."""

    async def freeze(_app: web.Application) -> None:
        gc.freeze()

    async def thaw(_app: web.Application) -> None:
        gc.unfreeze()

    app.on_startup.append(freeze)
    app.on_cleanup.append(thaw)


def create_app(bot: Bot) -> web.Application:
    app = web.Application(middlewares=_middlewares(bot), client_max_size=1024 * 1024)
    app[BOT_KEY] = bot
    app.on_response_prepare.append(_no_version)
    app.router.add_get("/metrics", metrics_guard(bot.settings, metrics_handler(bot.sessions)))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    webchat.setup(app, bot.engine, secret_key(bot.settings), bot.media)
    dashboard.setup(app, bot)
    setup_channels(app, bot)  # Telegram/WhatsApp when their tokens are set
    _watch_overdue(app, bot)

    async def close_bot(_app: web.Application) -> None:
        await bot.close()

    app.on_cleanup.append(close_bot)
    _freeze_startup_heap(app)
    return app
