"""HTTP guards: per-IP rate limits on public endpoints, and clean errors when things fail.

`metrics_guard` keeps /metrics to loopback or a bearer token.
`rate_limit` is a token bucket per client IP for `/api/chat` and `/webhook/*` (separate
rates: platforms send many users' updates from few addresses); an empty bucket answers 429
with Retry-After. `failure_guard` turns a lost database connection into 503 with
Retry-After (the pool reconnects on its own: storage.db.create_engine), and any other unhandled
error into a 500 that is always logged with its reason and the request id.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from sqlalchemy import exc as sa_exc

from bot.ops.metrics import DB_UNAVAILABLE, RATE_LIMITED
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_CLIENTS = 50_000  # buckets kept in memory before full ones are dropped


@dataclass
class TokenBucket:
    """`rate` tokens per second up to `burst`, per key."""

    rate: float
    burst: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str, now: float | None = None) -> float:
        """0.0 when allowed, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self.buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        if len(self.buckets) >= MAX_CLIENTS and key not in self.buckets:
            self._prune(now)
        self.buckets[key] = (tokens - 1.0, now)
        return 0.0

    def _prune(self, now: float) -> None:
        full = [k for k, (t, last) in self.buckets.items()
                if t + (now - last) * self.rate >= self.burst]
        for key in full or list(self.buckets)[: MAX_CLIENTS // 10]:
            del self.buckets[key]


def client_ip(request: web.Request, trust_forwarded: bool) -> str:
    """The peer address; behind our own proxy (TRUST_FORWARDED_FOR), the address the proxy
    appended to X-Forwarded-For: its last entry (entries before it are the client's word,
    forgeable). Several X-Forwarded-For headers count as one list."""
    if trust_forwarded:
        forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
        last = forwarded.rsplit(",", 1)[-1].strip()[:64]
        if last:
            return last
    return request.remote or "unknown"


def metrics_guard(settings: Settings, handler: Handler) -> Handler:
    """/metrics for a loopback client that no proxy forwarded, or with
    `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 404."""
    token = (settings.metrics_token or "").encode()

    async def guarded(request: web.Request) -> web.StreamResponse:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        local = (request.remote in ("127.0.0.1", "::1")
                 and "X-Forwarded-For" not in request.headers
                 and "X-Real-IP" not in request.headers)
        if local or (token and hmac.compare_digest(given.encode(), token)):
            return await handler(request)
        return web.json_response({"error": "not_found"}, status=404)

    return guarded


def rate_limit(chat: TokenBucket | None, webhook: TokenBucket | None,
               trust_forwarded: bool = False) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        bucket = (chat if path.startswith("/api/chat") else
                  webhook if path.startswith("/webhook/") else None)
        if bucket is not None:
            wait = bucket.take(client_ip(request, trust_forwarded))
            if wait > 0:
                RATE_LIMITED.labels("webhook" if bucket is webhook else "chat").inc()
                return web.json_response({"error": "rate_limited"}, status=429,
                                         headers={"Retry-After": str(math.ceil(wait))})
        return await handler(request)

    return middleware


FORM_TYPE = "application/x-www-form-urlencoded"


@web.middleware
async def refuse_nul(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A NUL character in the query or a form is refused with 400 before any handler:
    no text column takes it (PostgreSQL refuses it outright), and no person types it.
    JSON bodies are cleaned by bot.channels.json_body instead."""
    if "%00" in request.query_string or "\x00" in request.query_string:
        return web.json_response({"error": "invalid_input"}, status=400)
    if request.method == "POST" and request.content_type == FORM_TYPE:
        raw = await request.read()  # cached: request.post() reads it again
        if b"%00" in raw or b"\x00" in raw:
            return web.json_response({"error": "invalid_input"}, status=400)
    return await handler(request)


def is_db_outage(error: BaseException) -> bool:
    """A lost or refused database connection (not a bug in a query). The driver's own
    error is looked at too: SQLAlchemy wraps asyncpg's "the database system is shutting
    down" (CannotConnectNowError) in a plain DBAPIError."""
    if isinstance(error, sa_exc.DBAPIError) and (error.connection_invalidated or isinstance(
            error, sa_exc.OperationalError | sa_exc.InterfaceError)):
        return True
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.TimeoutError | ConnectionError):  # pool timeout, refused
            return True
        if type(current).__name__ in _OUTAGE_NAMES or (
                isinstance(current, OSError) and current.errno is not None):
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


_OUTAGE_NAMES = {"CannotConnectNowError", "ConnectionDoesNotExistError", "InterfaceError",
                 "ConnectionFailureError"}


@web.middleware
async def failure_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        if is_db_outage(error):
            DB_UNAVAILABLE.inc()
            log.warning("database unavailable: %s", type(error).__name__,
                        extra={"reason": type(error).__name__})
            return web.json_response({"error": "database_unavailable"}, status=503,
                                     headers={"Retry-After": "5"})
        log.exception("unhandled error (%s)", type(error).__name__,
                      extra={"reason": type(error).__name__})
        return web.json_response({"error": "internal_error"}, status=500)
