"""HTTP access logging: a request id per request (echoed as X-Request-Id, carried into
every log line of the request) and one access line with the route template, status and
duration; never the raw path or query, which may hold user ids."""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.ops.logs import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("bot.access")


def route_name(request: web.Request) -> str:
    """The route template ("/staff/case/{id}"), never the raw path or query (they may hold
    user ids); unmatched paths collapse into one label."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "unmatched"


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request an id (echoed as X-Request-Id) and write one access log line."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
    token = REQUEST_ID.set(rid)
    started = time.perf_counter()
    status = 500
    try:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[REQUEST_ID_HEADER] = rid
            status = exc.status
            raise
        response.headers[REQUEST_ID_HEADER] = rid
        status = response.status
        return response
    finally:
        access_log.info("%s %s %s", request.method, route_name(request), status, extra={
            "method": request.method, "route": route_name(request), "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
        REQUEST_ID.reset(token)
