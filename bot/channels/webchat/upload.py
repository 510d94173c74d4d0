"""POST /api/chat/upload: a photo or document sent from the web chat (multipart/form-data).

Fields: `file` (the file) and optionally `caption` (text). The bytes go to the media store
(storage.media: the real type is sniffed from the content, JPEG/PNG/WebP/GIF/PDF only,
at most MEDIA_MAX_BYTES), then the engine answers a turn with Message.media set and
meta["media"] = [{"ref": "media:<id>", "mime", "size"}]: inside a complaint intake the
file becomes evidence; elsewhere the engine decides (e.g. a picture checked as an advert).
A picture is read by OCR before the turn's transaction opens (meta["read"][ref]).
Answers as POST /api/chat; 413 {"error": "too_large"}, 415 {"error": "unsupported_type"},
400 {"error": "no_file"}; a rejected file stores nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import BodyPartReader, web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.webchat.identity import issue_or_verify, unauthorized
from bot.channels.webchat.turns import CHANNEL, answer
from bot.core.adverts.ocr import picture_text
from bot.core.engine import Engine
from bot.core.messages import Message
from storage.media import MediaRejected, MediaStore, is_image, sniff_mime
from storage.models import User

ENGINE_KEY = web.AppKey("webchat_upload_engine", Engine)
MEDIA_KEY = web.AppKey("webchat_media", MediaStore)
MAX_CAPTION = 2000
MAX_NAME = 100


class _TooLarge(Exception):
    pass


async def _read(part: BodyPartReader, limit: int) -> bytes:
    """The part's bytes; _TooLarge as soon as they exceed `limit` (never read past it)."""
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise _TooLarge
    return bytes(data)


async def post_upload(request: web.Request) -> web.Response:
    chat = issue_or_verify(request)
    if chat is None:
        return unauthorized("invalid_token")
    user_id, token = chat
    store = request.app[MEDIA_KEY]
    if request.content_length and request.content_length > store.max_bytes + 64 * 1024:
        return web.json_response({"error": "too_large"}, status=413)
    data: bytes | None = None
    name, caption = "", ""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file" and data is None:
                name = (part.filename or "")[:MAX_NAME]
                data = await _read(part, store.max_bytes)
            elif part.name == "caption":
                caption = (await _read(part, MAX_CAPTION * 4)).decode("utf-8", "replace")
    except _TooLarge:
        return web.json_response({"error": "too_large"}, status=413)
    except (ValueError, AssertionError, KeyError):
        return web.json_response({"error": "invalid_upload"}, status=400)
    if not data:
        return web.json_response({"error": "no_file"}, status=400)
    caption = caption.strip()[:MAX_CAPTION]
    said: dict[str, Any] = {"file": {"name": name, "size": len(data)}, "text": caption}
    read: dict[str, str] = {}
    if len(data) <= store.max_bytes and is_image(sniff_mime(data) or ""):
        read = await asyncio.to_thread(picture_text, data)  # before the turn's transaction

    async def prepare(session: AsyncSession, user: User) -> Message:
        media = await store.save(session, data, channel=CHANNEL, user_id=user.id,
                                 source="web:upload")
        kind = "photo" if is_image(media.mime) else "document"
        said["file"]["mime"] = media.mime
        item = {"ref": f"media:{media.id}", "mime": media.mime, "size": media.size}
        meta: dict[str, Any] = {"media": [item]}
        if read:
            meta["read"] = {item["ref"]: read}
        return Message(CHANNEL, user_id, text=caption or None, media=kind, meta=meta)

    try:
        replies = await answer(request.app[ENGINE_KEY], user_id, said, prepare)
    except MediaRejected as rejected:
        error, status = ("too_large", 413) if rejected.reason == "size" \
            else ("unsupported_type", 415)
        return web.json_response({"error": error}, status=status)
    return web.json_response({"token": token, "replies": [r.to_dict() for r in replies]},
                             headers={"Cache-Control": "no-store"})


def setup(app: web.Application, engine: Engine, media: MediaStore) -> None:
    """Route of uploads; the identity is set by bot.channels.webchat.setup."""
    app[ENGINE_KEY] = engine
    app[MEDIA_KEY] = media
    app.router.add_post("/api/chat/upload", post_upload)
