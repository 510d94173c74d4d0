"""The Bot API calls the outbox sender makes, posted as JSON on one pooled aiohttp session.

aiogram's Bot builds and validates pydantic models for every call, which costs more than
the rest of a reply's delivery; sending is the hot path, so it goes through this small
client instead (aiogram still parses updates and runs polling and set-webhook). Errors are
classified for the sender like aiogram classifies them: 429 with retry_after, 5xx,
timeouts and network errors are transient; 403 (blocked by the user) and 400/404 (chat
not found, bad request) are permanent and carry their code. `download` fetches a file a
user sent: getFile, then {base}/file/bot<token>/<file_path>.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.http_json import download, post_json
from bot.channels.sender import PermanentSendError, TransientSendError
from storage.media import MediaRejected

DEFAULT_BASE = "https://api.telegram.org"


class BotApi:
    def __init__(self, token: str, base: str | None = None, *, timeout: float = 15.0) -> None:
        root = (base or DEFAULT_BASE).rstrip("/")
        self._url = f"{root}/bot{token}/"
        self._files = f"{root}/file/bot{token}/"
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """The `result` of one Bot API method; raises Transient/PermanentSendError."""
        status, body, _retry_after = await post_json(self._http(), self._url + method, params)
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise classify(status, body)

    async def download(self, file_id: str, max_bytes: int) -> bytes:
        """The bytes of a file a user sent; MediaRejected("size") when over `max_bytes`."""
        try:
            info = await self.call("getFile", {"file_id": file_id})
        except PermanentSendError as exc:
            if "too big" in str(exc):  # over the Bot API's 20 MB download limit
                raise MediaRejected("size") from exc
            raise
        info = info if isinstance(info, dict) else {}
        if int(info.get("file_size") or 0) > max_bytes:
            raise MediaRejected("size")
        path = info.get("file_path")
        if not isinstance(path, str) or not path:
            raise TransientSendError("getFile gave no file_path")
        return await download(self._http(), self._files + path, max_bytes)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def classify(status: int, body: Any) -> Exception:
    """A failed Bot API answer as the sender's transient or permanent error."""
    body = body if isinstance(body, dict) else {}
    code = int(body.get("error_code") or status)
    description = str(body.get("description") or f"HTTP {status}")[:300]
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    if code == 429:
        retry_after = float(parameters.get("retry_after") or 1)
        return TransientSendError(f"429 retry after {retry_after:g}", retry_after)
    if code == 403:
        return PermanentSendError("403", description)
    if code in (400, 404):
        return PermanentSendError("400", description)
    return TransientSendError(f"HTTP {code}: {description}")
