"""A fake WhatsApp Cloud (Graph) API on a loopback aiohttp server: POST
/{phone-number-id}/messages, GET /{media-id} and the media URL. Records every call and
can inject Graph errors (131047, 131026, 130429, 5xx, timeouts). Also builds signed
webhook bodies in Meta's documented shapes.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    path: str
    data: dict[str, Any]
    at: float
    ok: bool = False

    @property
    def to(self) -> str:
        return str(self.data.get("to"))


Fault = Callable[[Call], tuple[str, Any] | None]
MEDIA = {"media-1": (b"\x89PNG fake evidence", "image/png")}  # served by every fake
TOKEN = "wa-token"  # the access token the media download must carry


@dataclass
class FakeWhatsApp:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    server: TestServer | None = None
    _n: int = 0
    media: dict[str, tuple[bytes, str]] = field(default_factory=lambda: dict(MEDIA))
    media_url_ttl: float = 300.0  # Meta's media URLs expire after five minutes
    _urls: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> id, expiry
    downloads: list[str] = field(default_factory=list)  # media ids served

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")  # the bot adds the API version

    def sent(self, to: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.ok and (to is None or c.to == to)]

    def fail_next(self, n: int, kind: str) -> None:
        left = [n]

        def fault(_call: Call) -> tuple[str, Any] | None:
            if left[0] <= 0:
                return None
            left[0] -= 1
            return kind, None
        self.faults.append(fault)

    def reject(self, predicate: Callable[[Call], bool], kind: str) -> None:
        self.faults.append(lambda c: (kind, None) if predicate(c) else None)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        call = Call(request.path, await request.json(), time.monotonic())
        self.calls.append(call)
        for fault in list(self.faults):
            verdict = fault(call)
            if verdict is not None:
                return await self._fail(verdict[0])
        call.ok = True
        self._n += 1
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": call.to, "wa_id": call.to}],
                                  "messages": [{"id": f"wamid.FAKE{self._n}"}]})

    async def _fail(self, kind: str) -> web.StreamResponse:
        if kind == "timeout":
            await asyncio.sleep(5)
        if kind in ("500", "timeout"):
            return web.json_response({"error": {"message": "temporary", "code": 2}}, status=503)
        status = 429 if kind == "130429" else 400
        return web.json_response({"error": {
            "message": f"fake error {kind}", "type": "OAuthException", "code": int(kind),
            "error_data": {"messaging_product": "whatsapp", "details": kind},
            "fbtrace_id": "FAKE"}}, status=status)

    def add_media(self, media_id: str, data: bytes, mime: str = "image/jpeg") -> None:
        self.media[media_id] = (data, mime)

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {TOKEN}"

    async def media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request):
            return web.json_response({"error": {"message": "bad token", "code": 190}},
                                     status=401)
        if media_id not in self.media:
            return web.json_response({"error": {"message": "no media", "code": 100}}, status=404)
        data, mime = self.media[media_id]
        key = f"{media_id}-{len(self._urls)}"  # a fresh short-lived URL each time
        self._urls[key] = (media_id, time.monotonic() + self.media_url_ttl)
        url = str(self.server.make_url(f"/media-bytes/{key}")) if self.server else ""
        return web.json_response({"url": url, "mime_type": mime, "file_size": len(data),
                                  "id": media_id, "messaging_product": "whatsapp"})

    async def media_bytes(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        media_id, expires = self._urls.get(request.match_info["key"], ("", 0.0))
        if time.monotonic() > expires:  # an expired link: ask /{media-id} for a new one
            return web.Response(status=404, text="URL expired")
        self.downloads.append(media_id)
        data, mime = self.media[media_id]
        return web.Response(body=data, content_type=mime)

    def fetch_url(self, media_id: str) -> str:
        """A media URL as /{media-id} hands out (tests of expiry)."""
        key = f"{media_id}-{len(self._urls)}"
        self._urls[key] = (media_id, time.monotonic() + self.media_url_ttl)
        return str(self.server.make_url(f"/media-bytes/{key}")) if self.server else ""

    async def start(self) -> FakeWhatsApp:
        app = web.Application()
        app.router.add_post("/{version}/{phone_id}/messages", self.messages)
        app.router.add_get("/{version}/{media_id}", self.media_info)
        app.router.add_get("/media-bytes/{key}", self.media_bytes)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()


def webhook_body(*, messages: list[dict[str, Any]] | None = None,
                 statuses: list[dict[str, Any]] | None = None,
                 wa_id: str = "6281234567890", phone_number_id: str = "1055") -> dict[str, Any]:
    """A webhook notification as documented by Meta (field "messages")."""
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": {
        "display_phone_number": "15550001055", "phone_number_id": phone_number_id}}
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "Siti"}, "wa_id": wa_id}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA1", "changes": [{"value": value, "field": "messages"}]}]}


def text_message(wamid: str, text: str, sender: str = "6281234567890") -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
            "text": {"body": text}}


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def image_message(wamid: str, media_id: str, sender: str = "6281234567890",
                  caption: str | None = None) -> dict[str, Any]:
    image: dict[str, Any] = {"id": media_id, "mime_type": "image/jpeg", "sha256": "x"}
    if caption is not None:
        image["caption"] = caption
    return {"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "image",
            "image": image}
