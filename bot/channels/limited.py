"""Reading a download's body up to a size limit: aiohttp's `content.read(n)` returns what
has arrived so far (often one 64 KiB chunk), so a file is read until its end or the limit."""

from __future__ import annotations

from aiohttp import ClientResponse

CHUNK = 64 * 1024


async def read_limited(response: ClientResponse, max_bytes: int) -> bytes:
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
