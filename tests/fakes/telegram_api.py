"""A fake Telegram Bot API on a loopback aiohttp server (for aiogram's
TelegramAPIServer.from_base): records every call with its arrival time and can inject
faults, for a while (`outage`), for the next calls (`fail_next`) or until switched off
(`go_down` / `go_up`).

Faults that refuse the message (it is not delivered): "429" (with retry_after), "500",
"502" (a proxy's HTML page), "timeout" (a slow 504), "drop" (connection cut before any
answer), "403" (blocked), "400" (chat not found). Faults after the message was delivered
to the user (the bot cannot know it was): "accept_drop" (connection cut instead of the
answer), "accept_500" (a 5xx instead of the answer). `latency` delays every answer after
delivery (a slow platform). `on_delivered` callbacks see each delivered call before its
answer goes out (a drill times a kill with it).
Files users sent are served like the real API: getFile gives a file_path, valid for
`file_link_ttl` seconds, downloaded at /file/bot<token>/<file_path>.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    at: float  # time.monotonic() on arrival
    failed: str | None = None  # the fault kind it was answered with (None: accepted)
    delivered: bool = False  # the user got the message (also with an accept_* fault)
    retry_after: float | None = None  # what a 429 answer asked for

    @property
    def chat(self) -> str:
        return str(self.data.get("chat_id"))

    @property
    def markup(self) -> dict[str, Any] | None:
        raw = self.data.get("reply_markup")
        return json.loads(raw) if isinstance(raw, str) else raw


# A fault decides the fate of one call: None lets it through, else ("kind", arg).
Fault = Callable[[Call], tuple[str, Any] | None]
AFTER_DELIVERY = ("accept_drop", "accept_500")  # the message reached the user anyway


@dataclass
class FakeTelegram:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    latency: float = 0.0  # seconds between delivering a message and answering
    on_delivered: list[Callable[[Call], None]] = field(default_factory=list)
    down: tuple[str, Any] | None = None  # while set, every call fails this way (go_down)
    _next_id: int = 1000
    server: TestServer | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> bytes (add_file)
    file_link_ttl: float = 3600.0  # the Bot API guarantees at least an hour
    max_download: int = 20 * 1024 * 1024  # getFile refuses larger files
    _links: dict[str, tuple[str, float]] = field(default_factory=dict)  # path -> id, expiry
    downloads: list[str] = field(default_factory=list)  # file paths served
    _token: str = ""  # the bot's token, as seen in its API calls

    @property
    def base(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def sent(self, chat: str | None = None) -> list[Call]:
        """Delivered sendMessage calls (optionally to one chat), in arrival order: what
        the users got, also when the bot was told otherwise (accept_* faults)."""
        return [c for c in self.calls if c.method == "sendmessage" and c.delivered
                and (chat is None or c.chat == chat)]

    def outage(self, seconds: float, kind: str = "500") -> None:
        """Every call fails with `kind` (any fault kind above; "429" asks to retry after 1
        s) for `seconds`."""
        until = time.monotonic() + seconds
        self.faults.append(lambda _c: (kind, 1) if time.monotonic() < until else None)

    def go_down(self, kind: str = "502", arg: Any = None) -> None:
        """Switch an outage on (or change its kind): every call fails until go_up()."""
        self.down = (kind, arg)

    def go_up(self) -> None:
        self.down = None

    def fail_next(self, n: int, kind: str, arg: Any = None) -> None:
        left = [n]

        def fault(call: Call) -> tuple[str, Any] | None:
            if call.method != "sendmessage" or left[0] <= 0:
                return None
            left[0] -= 1
            return kind, arg
        self.faults.append(fault)

    def block(self, chat: str, kind: str = "403") -> None:
        self.faults.append(lambda c: (kind, None) if c.chat == chat else None)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"].lower()
        self._token = request.match_info["token"]
        if request.content_type == "application/json":
            data: dict[str, Any] = await request.json()
        else:
            data = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        call = Call(method, data, time.monotonic())
        self.calls.append(call)
        verdicts = (fault(call) for fault in list(self.faults))
        verdict = self.down or next((v for v in verdicts if v is not None), None)
        if verdict is not None and verdict[0] not in AFTER_DELIVERY:
            call.failed = verdict[0]
            if verdict[0] == "429":
                call.retry_after = float(verdict[1] or 1)
            return await self._fail(request, *verdict)
        if method == "getfile" and (refused := self._file_refusal(str(data.get("file_id")))):
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: {refused}"}, status=400)
        result = self._result(method, data)
        call.delivered = data["_ok"] = True
        for callback in list(self.on_delivered):
            callback(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        if verdict is not None:
            call.failed = verdict[0]
            return await self._fail(request, verdict[0].removeprefix("accept_"), None)
        return web.json_response({"ok": True, "result": result})

    def _file_refusal(self, file_id: str) -> str | None:
        """What the Bot API says when getFile cannot hand out a file."""
        if file_id not in self.files:
            return "wrong file_id or the file is temporarily unavailable"
        return "file is too big" if len(self.files[file_id]) > self.max_download else None

    async def _fail(self, request: web.Request, kind: str, arg: Any) -> web.StreamResponse:
        if kind == "drop":  # the connection is cut before any answer (reset, proxy gone)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)  # never reaches the client
        if kind == "502":  # what the proxy in front of a dead API answers: not JSON
            return web.Response(status=502, content_type="text/html",
                                text="<html><center><h1>502 Bad Gateway</h1></center></html>")
        if kind == "timeout":
            await asyncio.sleep(arg or 5)
            return web.json_response({"ok": False, "error_code": 504,
                                      "description": "Gateway Timeout"}, status=504)
        if kind == "429":
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": f"Too Many Requests: retry after {arg}",
                                      "parameters": {"retry_after": arg or 1}}, status=429)
        if kind == "403":
            return web.json_response({"ok": False, "error_code": 403, "description":
                                      "Forbidden: bot was blocked by the user"}, status=403)
        if kind == "400":
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: chat not found"}, status=400)
        return web.json_response({"ok": False, "error_code": 500,
                                  "description": "Internal Server Error"}, status=500)

    def _result(self, method: str, data: dict[str, Any]) -> Any:
        if method == "sendmessage":
            self._next_id += 1
            chat = int(data.get("chat_id", 0))
            return {"message_id": self._next_id, "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"}, "text": data.get("text", "")}
        if method == "getme":
            return {"id": 42, "is_bot": True, "first_name": "Jalur Aman", "username": "jabot"}
        if method == "getfile":
            return self._get_file(str(data.get("file_id", "")))
        if method == "getupdates":
            updates, self.updates = self.updates, []
            return updates
        return True

    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[file_id] = data

    def _get_file(self, file_id: str) -> dict[str, Any]:
        data = self.files[file_id]
        path = f"photos/file_{len(self._links)}_{file_id[:8]}.jpg"
        self._links[path] = (file_id, time.monotonic() + self.file_link_ttl)
        return {"file_id": file_id, "file_unique_id": "u" + file_id,
                "file_size": len(data), "file_path": path}

    async def file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        file_id, expires = self._links.get(path, ("", 0.0))
        if request.match_info["token"] != self._token or time.monotonic() > expires:
            return web.json_response({"ok": False, "error_code": 404,
                                      "description": "Not Found"}, status=404)
        self.downloads.append(path)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_get("/file/bot{token}/{path:.+}", self.file)
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()


def text_update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    """A Telegram Update with a private text message, as the Bot API sends it."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "type": "private", "first_name": "Siti"},
        "from": {"id": chat, "is_bot": False, "first_name": "Siti", "language_code": "id"}}}


def callback_update(update_id: int, chat: int, data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "chat_instance": "ci", "data": data,
        "from": {"id": chat, "is_bot": False, "first_name": "Siti"},
        "message": {"message_id": 1, "date": int(time.time()), "text": "menu",
                    "chat": {"id": chat, "type": "private", "first_name": "Siti"}}}}


def photo_update(update_id: int, chat: int, file_id: str, caption: str | None = None
                 ) -> dict[str, Any]:
    """A private photo message; the largest of its sizes carries `file_id`."""
    update = text_update(update_id, chat, "")
    message = update["message"]
    del message["text"]
    message["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90,
         "file_size": 1000},
        {"file_id": file_id, "file_unique_id": "b", "width": 800, "height": 800,
         "file_size": 50000}]
    if caption is not None:
        message["caption"] = caption
    return update
