"""CSRF protection for the staff dashboard: one token per session, checked on every POST.

The token is an HMAC of the session nonce (or, before login, of an anonymous nonce kept in
its own cookie), so it needs no server-side storage and dies with the session. Forms send it
in the `csrf` field; scripts may send it in the X-CSRF-Token header. As a second line, a POST
whose Origin header names another site is refused even with a valid token. "This site" is
the Host the request came with, the public address in PUBLIC_URL, and, behind our own
proxy (TRUST_FORWARDED_FOR), the X-Forwarded-Host it passes on: nginx's $host drops a
non-default port, so Host alone would refuse every POST on such a port.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.dashboard.auth import PRE_COOKIE, SessionData, Signer
from bot.settings import Settings

FIELD = "csrf"
HEADER = "X-CSRF-Token"
SESSION_KEY = web.RequestKey("dashboard_session", SessionData)
NONCE_KEY = web.RequestKey("dashboard_csrf_nonce", str)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_nonce(request: web.Request) -> str | None:
    """The nonce CSRF tokens of this request are bound to (session first, then anonymous)."""
    session: SessionData | None = request.get(SESSION_KEY)
    if session is not None:
        return str(session.nonce)
    value = request.get(NONCE_KEY) or request.cookies.get(PRE_COOKIE)
    return value if isinstance(value, str) and 16 <= len(value) <= 64 else None


def token_for(request: web.Request, signer: Signer) -> str:
    """The CSRF token to embed in forms; creates the anonymous nonce when there is none."""
    nonce = request_nonce(request)
    if nonce is None:
        nonce = secrets.token_urlsafe(24)
        request[NONCE_KEY] = nonce  # the middleware sets it as the anonymous cookie
    return signer.csrf_token(nonce)


def site_hosts(request: web.Request, settings: Settings) -> set[str]:
    """The host[:port] values that name this site for this request."""
    hosts = {request.host.lower()}
    if settings.public_url:
        hosts.add(urlsplit(settings.public_url).netloc.lower())
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-Host", "")
        if forwarded:  # the proxy's own value is the last one
            hosts.add(forwarded.rsplit(",", 1)[-1].strip().lower())
    return hosts


def _same_origin(request: web.Request, settings: Settings) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:
        return False
    return netloc in site_hosts(request, settings)


async def check(request: web.Request, signer: Signer, settings: Settings) -> bool:
    """True when this unsafe request carries the right token for its session."""
    if request.method in SAFE_METHODS:
        return True
    if not _same_origin(request, settings):
        return False
    token = request.headers.get(HEADER)
    if token is None and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        form = await request.post()
        value = form.get(FIELD)
        token = value if isinstance(value, str) else None
    return signer.check_csrf(request_nonce(request), token)


def forbidden() -> web.Response:
    return web.Response(status=403, text="Permintaan ditolak (token keamanan tidak valid). "
                        "Muat ulang halaman lalu coba lagi.", content_type="text/plain")
