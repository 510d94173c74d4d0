"""One JSON POST to a platform API, as the outbox transports (Telegram, WhatsApp) make it:
the status, the parsed body (None when it is not JSON) and the Retry-After header; a
network failure or timeout becomes a TransientSendError (the sender retries it)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.sender import TransientSendError


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
