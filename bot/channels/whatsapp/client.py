"""A small WhatsApp Cloud API (Graph API) client on aiohttp, with a configurable base URL.

`send` posts one message and returns its wamid; Graph errors are classified for the
outbox sender: rate limits (130429, 131056, 80007, 4, HTTP 429), temporary errors (1, 2,
131000, 5xx, network, timeouts) are transient; the rest (131047 outside the 24-hour
window, 131026 undeliverable / invalid number, 100 bad parameter, template errors...)
are permanent and carry their code. `download_media` fetches evidence by media id.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.http_json import download, post_json
from bot.channels.sender import PermanentSendError, TransientSendError
from storage.media import MediaRejected

TRANSIENT_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
RATE_LIMIT_CODES = {4, 80007, 130429, 131048, 131056}


class GraphClient:
    def __init__(self, base: str, token: str, phone_number_id: str, *,
                 timeout: float = 15.0) -> None:
        self.base = base.rstrip("/")
        self.token = token
        self.phone_number_id = phone_number_id
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, headers={"Authorization": f"Bearer {self.token}"})
        return self._session

    async def send(self, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; the wamid of the accepted message."""
        url = f"{self.base}/{self.phone_number_id}/messages"
        status, body, retry_after = await post_json(self._http(), url, payload)
        if 200 <= status < 300 and isinstance(body, dict) and body.get("messages"):
            return str(body["messages"][0].get("id", ""))
        raise classify(status, body, retry_after)

    async def download_media(self, media_id: str, max_bytes: int) -> bytes:
        """The bytes of an inbound media object (photo, document): GET /{media-id} gives
        a short-lived URL, fetched with the same token. MediaRejected("size") when over
        `max_bytes`."""
        http = self._http()
        async with http.get(f"{self.base}/{media_id}") as response:
            response.raise_for_status()
            info = await response.json(content_type=None)
        if int(info.get("file_size") or 0) > max_bytes:
            raise MediaRejected("size")
        return await download(http, str(info["url"]), max_bytes)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def classify(status: int, body: Any, retry_after: str | None = None) -> Exception:
    """The sender exception for a failed Graph API call."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = str(error.get("message") if isinstance(error, dict) else body)[:300]
    wait = float(retry_after) if retry_after and retry_after.isdecimal() else None
    if status == 429 or code in RATE_LIMIT_CODES:
        return TransientSendError(f"rate limited ({code or status}): {message}", wait)
    if status >= 500 or code in TRANSIENT_CODES or code == 190 or status == 401:
        # 190/401: the access token expired; fixing the token should deliver the backlog
        return TransientSendError(f"HTTP {status} ({code}): {message}", wait)
    return PermanentSendError(str(code or status), message)
