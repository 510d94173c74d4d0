"""HTTP exchanges with a platform API (Telegram, WhatsApp).

`post_json`: one JSON POST as the outbox transports make it: the status, the parsed body
(None when it is not JSON) and the Retry-After header; a network failure or timeout becomes
a TransientSendError (the sender retries it).
`download`: a file's bytes by URL, refused as MediaRejected("size") over a size limit
(`read_limited` reads the body up to it: aiohttp's `content.read(n)` returns what has
arrived so far, often one 64 KiB chunk, so a file is read until its end or the limit)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.sender import TransientSendError
from storage.media import MediaRejected


async def post_json(http: aiohttp.ClientSession, url: str, payload: dict[str, Any]
                    ) -> tuple[int, Any, str | None]:
    try:
        async with http.post(url, json=payload) as response:
            status = response.status
            retry_after = response.headers.get("Retry-After")
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise TransientSendError(f"network: {exc!r}") from exc
    return status, body, retry_after


CHUNK = 64 * 1024


async def read_limited(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The whole body, or the first `max_bytes + 1` bytes when it is larger (the caller
    refuses it as too large)."""
    parts: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = await response.content.read(min(CHUNK, max_bytes + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


async def download(http: aiohttp.ClientSession, url: str, max_bytes: int) -> bytes:
    """GET `url`; its body, or MediaRejected("size") when it is over `max_bytes`."""
    async with http.get(url) as response:
        response.raise_for_status()
        data = await read_limited(response, max_bytes)
    if len(data) > max_bytes:
        raise MediaRejected("size")
    return data
