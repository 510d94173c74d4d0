"""A fake WhatsApp Cloud (Graph) API on a loopback aiohttp server: POST
/{phone-number-id}/messages, GET /{media-id} and the media URL. Records every call and
can inject faults, for the next calls (`fail_next`), for matching calls (`reject`) or
until switched off (`go_down` / `go_up`). Also builds signed webhook bodies in Meta's
documented shapes.

Faults that refuse the message: a Graph error code ("131047", "131026", "130429" = HTTP
429 with a Retry-After header when given an argument...), "500" (503, code 2),
"502" (a proxy's HTML page), "timeout" (a slow 503), "drop" (connection cut before any
answer). Faults after the message was delivered: "accept_drop" (connection cut instead of
the answer), "accept_500" (a 5xx instead of the answer). `latency` delays every answer
after delivery; `on_delivered` callbacks see each delivered call before its answer.
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
    delivered: bool = False  # the user got the message (also with an accept_* fault)
    failed: str | None = None  # the fault kind it was answered with (None: accepted)
    retry_after: float | None = None  # the Retry-After of a 429 answer

    @property
    def ok(self) -> bool:
        return self.delivered

    @property
    def to(self) -> str:
        return str(self.data.get("to"))


Fault = Callable[[Call], tuple[str, Any] | None]
AFTER_DELIVERY = ("accept_drop", "accept_500")
MEDIA = {"media-1": (b"\x89PNG fake evidence", "image/png")}


@dataclass
class FakeWhatsApp:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    server: TestServer | None = None
    latency: float = 0.0  # seconds between delivering a message and answering
    down: tuple[str, Any] | None = None  # while set, every call fails this way (go_down)
    on_delivered: list[Callable[[Call], None]] = field(default_factory=list)
    _n: int = 0

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/") + "/v21.0"

    def sent(self, to: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.ok and (to is None or c.to == to)]

    def go_down(self, kind: str = "502", arg: Any = None) -> None:
        """Switch an outage on (or change its kind): every call fails until go_up()."""
        self.down = (kind, arg)

    def go_up(self) -> None:
        self.down = None

    def fail_next(self, n: int, kind: str, arg: Any = None) -> None:
        left = [n]

        def fault(_call: Call) -> tuple[str, Any] | None:
            if left[0] <= 0:
                return None
            left[0] -= 1
            return kind, arg
        self.faults.append(fault)

    def reject(self, predicate: Callable[[Call], bool], kind: str) -> None:
        self.faults.append(lambda c: (kind, None) if predicate(c) else None)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        call = Call(request.path, await request.json(), time.monotonic())
        self.calls.append(call)
        verdicts = (fault(call) for fault in list(self.faults))
        verdict = self.down or next((v for v in verdicts if v is not None), None)
        if verdict is not None and verdict[0] not in AFTER_DELIVERY:
            call.failed = verdict[0]
            if verdict[0] == "130429" and verdict[1]:
                call.retry_after = float(verdict[1])
            return await self._fail(request, *verdict)
        call.delivered = True
        self._n += 1
        for callback in list(self.on_delivered):
            callback(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        if verdict is not None:
            call.failed = verdict[0]
            return await self._fail(request, verdict[0].removeprefix("accept_"), None)
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": call.to, "wa_id": call.to}],
                                  "messages": [{"id": f"wamid.FAKE{self._n}"}]})

    async def _fail(self, request: web.Request, kind: str, arg: Any = None
                    ) -> web.StreamResponse:
        if kind == "drop":  # the connection is cut before any answer
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)  # never reaches the client
        if kind == "502":  # what a proxy in front of a dead API answers: not JSON
            return web.Response(status=502, content_type="text/html",
                                text="<html><center><h1>502 Bad Gateway</h1></center></html>")
        if kind == "timeout":
            await asyncio.sleep(arg or 5)
        if kind in ("500", "timeout"):
            return web.json_response({"error": {"message": "temporary", "code": 2}}, status=503)
        status = 429 if kind == "130429" else 400
        headers = {"Retry-After": str(arg)} if kind == "130429" and arg else None
        return web.json_response(headers=headers, data={"error": {
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
