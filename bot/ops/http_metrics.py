"""Metrics over HTTP: the `/metrics` endpoint (process metrics plus the database backlog)
and the middleware that times every request by route template."""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.ops import metrics
from bot.ops.access_log import route_name
from bot.ops.metrics import HTTP_SECONDS, StaticCollector, process_metrics


def metrics_handler(sessions: async_sessionmaker[AsyncSession]) -> Handler:
    async def handle(_request: web.Request) -> web.Response:
        body = process_metrics()
        try:
            backlog = CollectorRegistry()
            backlog.register(StaticCollector(await metrics.backlog_families(sessions)))
            body += generate_latest(backlog)
        except Exception:  # the database being down must not hide the process metrics
            body += b"# backlog unavailable: database unreachable\n"
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handle


@web.middleware
async def http_metrics(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        HTTP_SECONDS.labels(request.method, route_name(request), str(status)).observe(
            time.perf_counter() - started)
