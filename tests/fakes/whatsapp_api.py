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
The media URL expires, like Meta's; text bodies and approved templates are checked
against their limits (name, number of parameters, parameter length and characters).
Webhook bodies also come from username-only users and as statuses with failures.
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
        """The phone number, or the business-scoped user id sent as `recipient`."""
        return str(self.data.get("to") or self.data.get("recipient"))


Fault = Callable[[Call], tuple[str, Any] | None]
AFTER_DELIVERY = ("accept_drop", "accept_500")
MEDIA = {"media-1": (b"\x89PNG fake evidence", "image/png")}  # served by every fake
TOKEN = "wa-token"  # the access token the media download must carry
TEMPLATES = {"balasan_petugas": 0}  # approved template -> number of body parameters
MAX_TEXT = 4096


@dataclass
class FakeWhatsApp:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    server: TestServer | None = None
    latency: float = 0.0  # seconds between delivering a message and answering
    down: tuple[str, Any] | None = None  # while set, every call fails this way (go_down)
    on_delivered: list[Callable[[Call], None]] = field(default_factory=list)
    _n: int = 0
    media: dict[str, tuple[bytes, str]] = field(default_factory=lambda: dict(MEDIA))
    media_url_ttl: float = 300.0  # Meta's media URLs expire after five minutes
    _urls: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> id, expiry
    downloads: list[str] = field(default_factory=list)  # media ids served
    templates: dict[str, int] = field(default_factory=lambda: dict(TEMPLATES))

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")  # the bot adds the API version

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
        refused = self._refusal(call.data)
        if refused is not None:
            call.failed = refused
            return await self._fail(request, refused)
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

    def _refusal(self, data: dict[str, Any]) -> str | None:
        """The Graph error code for a message the real API refuses for its content."""
        if data.get("type") == "text":
            body = (data.get("text") or {}).get("body", "")
            return "100" if not body or len(body) > MAX_TEXT else None
        if data.get("type") != "template":
            return None
        template = data.get("template") or {}
        if template.get("name") not in self.templates:
            return "132001"  # template name does not exist in the translation
        params = [p for c in template.get("components") or [] for p in c.get("parameters", [])]
        if len(params) != self.templates[template["name"]]:
            return "132000"  # number of parameters does not match
        for param in params:
            text = str(param.get("text", ""))
            if len(text) > 1024:
                return "132005"  # translated text too long
            if "\n" in text or "\t" in text or "    " in text:
                return "132018"  # parameters with newlines, tabs or 4+ spaces
        return None

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


def status(wamid: str | None, state: str, *, callback: str | None = None,
           code: int | None = None, recipient: str = "6281234567890") -> dict[str, Any]:
    """A status notification (sent/delivered/read/failed) as Meta sends it; `callback` is
    the biz_opaque_callback_data we sent with the message."""
    item: dict[str, Any] = {"status": state, "timestamp": str(int(time.time())),
                            "recipient_id": recipient}
    if wamid is not None:
        item["id"] = wamid
    if callback is not None:
        item["biz_opaque_callback_data"] = callback
    if code is not None:
        item["errors"] = [{"code": code, "title": f"fake failure {code}"}]
    return item


def username_body(messages: list[dict[str, Any]], user_id: str, *,
                  with_contact: bool = True) -> dict[str, Any]:
    """A notification from a user with a username: no phone number anywhere, the
    business-scoped user id in contacts[].user_id (`with_contact=False`: not even that)."""
    body = webhook_body(messages=messages)
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"] = ([{"profile": {"name": "Siti", "username": "@siti"},
                           "user_id": user_id}] if with_contact else [])
    for msg in messages:
        msg.pop("from", None)
    return body
