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
MEDIA = {"media-1": (b"\x89PNG fake evidence", "image/png")}


@dataclass
class FakeWhatsApp:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    server: TestServer | None = None
    _n: int = 0

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/") + "/v21.0"

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

    async def media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if media_id not in MEDIA:
            return web.json_response({"error": {"message": "no media", "code": 100}}, status=404)
        data, mime = MEDIA[media_id]
        url = str(self.server.make_url(f"/media-bytes/{media_id}")) if self.server else ""
        return web.json_response({"url": url, "mime_type": mime, "file_size": len(data),
                                  "id": media_id, "messaging_product": "whatsapp"})

    async def media_bytes(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.Response(status=401)
        data, mime = MEDIA[request.match_info["media_id"]]
        return web.Response(body=data, content_type=mime)

    async def start(self) -> FakeWhatsApp:
        app = web.Application()
        app.router.add_post("/v21.0/{phone_id}/messages", self.messages)
        app.router.add_get("/v21.0/{media_id}", self.media_info)
        app.router.add_get("/media-bytes/{media_id}", self.media_bytes)
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
