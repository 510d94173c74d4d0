"""Web chat identity issued by the server, so a page cannot choose who it is.

A web chat user is a random id ("web-" + 128 random bits) that only the server creates.
The page receives it as a token `<user id>.<HMAC-SHA256 of the id>`, keeps it in
localStorage and sends it as `Authorization: Bearer <token>`. Knowing or guessing a user id
is therefore not enough to read that user's replies or to talk as them: the signature needs
the server's secret key (bot.ops.server_secret; this module derives a key of its own from it,
so a web chat token is never valid anywhere else). Tokens are stateless, so every worker
accepts them; they do not expire, and changing SECRET_KEY invalidates all of them (the page
then starts a new conversation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets

from aiohttp import web

PREFIX = "web-"
_USER_ID = re.compile(r"^web-[A-Za-z0-9_-]{22}$")
MAX_TOKEN = 128


class ChatIdentity:
    """Issues and verifies web chat tokens with a key derived from the server secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"jalur-aman-webchat-identity|" + secret).digest()

    def _mac(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode("ascii"), "sha256").digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def issue(self) -> tuple[str, str]:
        """A new random user id and its token."""
        user_id = PREFIX + secrets.token_urlsafe(16)
        return user_id, f"{user_id}.{self._mac(user_id)}"

    def verify(self, token: str) -> str | None:
        """The user id a token was issued for, or None when it is malformed or forged."""
        if len(token) > MAX_TOKEN:
            return None
        user_id, _, mac = token.partition(".")
        if not _USER_ID.match(user_id) or not mac.isascii():
            return None
        return user_id if hmac.compare_digest(mac, self._mac(user_id)) else None


IDENTITY_KEY = web.AppKey("webchat_identity", ChatIdentity)


def bearer(request: web.Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when absent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def unauthorized(error: str) -> web.Response:
    """401 for a missing or forged token (the page then asks for a new identity)."""
    return web.json_response({"error": error}, status=401, headers={
        "WWW-Authenticate": 'Bearer realm="webchat"', "Cache-Control": "no-store"})


def token_user(request: web.Request) -> str:
    """The user id of the request's Bearer token; 401 (raised) when it is missing or
    forged, so nobody reads another user's chat."""
    token = bearer(request)
    user = request.app[IDENTITY_KEY].verify(token) if token is not None else None
    if user is None:
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "missing_token" if token is None else "invalid_token"}),
            content_type="application/json",
            headers={"WWW-Authenticate": 'Bearer realm="webchat"', "Cache-Control": "no-store"})
    return user


def issue_or_verify(request: web.Request) -> tuple[str, str] | None:
    """(user id, token) of the request's Bearer token, a new chat's when there is none,
    or None when the token is forged or outdated (answer with `unauthorized`)."""
    identity = request.app[IDENTITY_KEY]
    token = bearer(request)
    if token is None:
        return identity.issue()
    user = identity.verify(token)
    return (user, token) if user is not None else None
