"""Telegram channel (aiogram 3): webhook into the durable inbox, update -> Message,
Reply -> sendMessage with an inline keyboard (sent by bot.channels.telegram_api).

- POST /webhook/telegram: the X-Telegram-Bot-Api-Secret-Token header is compared in
  constant time (403 otherwise); the update is stored (a redelivery is ignored) and
  answered 200 at once. A callback query is acknowledged in the webhook response itself
  (answerCallbackQuery), so the button stops spinning without another request.
- Commands: /start [ref] (deep-link payload kept as the referral when it is 1-64 chars of
  [A-Za-z0-9_-]), /menu, /bantuan, /hapusdata. Photos and documents become evidence
  references (meta["media"]); voice notes, stickers and other media are passed as
  Message.media so the engine asks the user to type. Edited messages are acknowledged and
  ignored: the original was already answered, and re-answering an edit could advance a
  flow twice. my_chat_member updates mark a user who blocked the bot (their unsent
  replies fail with 403 at once) or unblocked it.
- callback_data is limited to 64 bytes: a longer payload is sent as "#" + a hash and
  resolved against the buttons of the chat's recent outbox rows.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from typing import Any

from aiogram import Bot as TelegramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import json_body
from bot.channels.group_commit import GroupCommit
from bot.channels.sender import Delivery, OutboxItem, PermanentSendError
from bot.channels.telegram_api import BotApi
from bot.core.content import MENU_KEY
from bot.core.messages import Message
from bot.settings import Settings
from storage.repositories import inbox, push_outbox

CHANNEL = "telegram"
PATH = "/webhook/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 256 * 1024
MAX_TEXT = 4096
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
ANSWERED_UPDATES = ("message", "edited_message", "callback_query")  # stored in the inbox
_REFERRAL = re.compile(r"[A-Za-z0-9_-]{1,64}")
COMMANDS = {"/menu": ("button", MENU_KEY), "/bantuan": ("button", "help"),
            "/hapusdata": ("text", "hapus data saya")}
UNREADABLE = ("voice", "audio", "sticker", "video", "video_note", "animation", "location",
              "contact", "poll", "dice")


def make_bot(settings: Settings, *, timeout: float = 15.0) -> TelegramBot:
    """An aiogram Bot, pointed at JALUR_AMAN_TELEGRAM_API_BASE when set (tests, local API)."""
    assert settings.telegram_token, "JALUR_AMAN_TELEGRAM_TOKEN is not set"
    api = (TelegramAPIServer.from_base(settings.telegram_api_base.rstrip("/"))
           if settings.telegram_api_base else None)
    session = AiohttpSession(api=api, timeout=timeout) if api else AiohttpSession(timeout=timeout)
    return TelegramBot(settings.telegram_token, session=session)


@functools.lru_cache(maxsize=4096)  # payloads come from content: a small, fixed set
def callback_data(payload: str) -> str:
    """Button payload as Telegram callback_data (≤ 64 bytes), hashed when longer."""
    if len(payload.encode()) <= 64 and not payload.startswith("#"):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:18]
    return "#" + base64.urlsafe_b64encode(digest).decode()


def update_key(data: Any) -> tuple[str, str] | None:
    """(update_id, chat id) of an update worth storing; None for anything we ignore."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    for kind in ANSWERED_UPDATES:
        body = data.get(kind)
        if not isinstance(body, dict):
            continue
        msg = body.get("message") if kind == "callback_query" else body
        chat = msg.get("chat") if isinstance(msg, dict) else None
        if isinstance(chat, dict) and chat.get("type") == "private" and "id" in chat:
            return str(data["update_id"]), str(chat["id"])
        sender = body.get("from")
        if kind == "callback_query" and isinstance(sender, dict) and "id" in sender:
            return str(data["update_id"]), str(sender["id"])
        return None
    return None


def _best_photo(photos: list[Any]) -> Any:
    """The largest size of a photo (Telegram sends several; dicts or aiogram objects)."""
    def size(p: Any) -> tuple[int, int]:
        values = p if isinstance(p, dict) else vars(p)
        return (int(values.get("file_size") or 0),
                int(values.get("width") or 0) * int(values.get("height") or 0))
    return max(photos, key=size)


def media_refs(payload: dict[str, Any]) -> list[str]:
    """The files of an update to fetch into the media store ("telegram:<file_id>")."""
    msg = payload.get("message")
    if not isinstance(msg, dict):
        return []
    photos = [p for p in msg.get("photo") or [] if isinstance(p, dict) and p.get("file_id")]
    if photos:
        return [f"telegram:{_best_photo(photos)['file_id']}"]
    doc = msg.get("document")
    if isinstance(doc, dict) and isinstance(doc.get("file_id"), str):
        return [f"telegram:{doc['file_id']}"]
    return []


async def store_update(stores: GroupCommit, data: Any) -> bool:
    """Store one update in the inbox (in the next shared transaction); False when ignored
    or already stored."""
    key = update_key(data)
    if key is None:
        return False
    has_media = bool(media_refs(data))

    async def write(session: AsyncSession) -> bool:
        return await inbox.store(session, CHANNEL, key[0], key[1], data, media=has_media)

    return await stores.run(write)


def member_change(data: Any) -> tuple[str, bool] | None:
    """(chat id, blocked?) of a my_chat_member update in a private chat: "kicked" is the
    user blocking the bot, "member" unblocking (or starting) it."""
    change = data.get("my_chat_member") if isinstance(data, dict) else None
    if not isinstance(change, dict):
        return None
    chat, new = change.get("chat"), change.get("new_chat_member")
    if not isinstance(chat, dict) or chat.get("type") != "private" or "id" not in chat \
            or not isinstance(new, dict) or new.get("status") not in ("kicked", "member"):
        return None
    return str(chat["id"]), new["status"] == "kicked"


async def store_member_change(stores: GroupCommit, chat: str, blocked: bool) -> None:
    """Mark the user blocked (their unsent replies fail with 403 at once, visible to staff)
    or unblocked."""
    async def write(session: AsyncSession) -> None:
        await inbox.set_blocked(session, CHANNEL, chat, blocked)
        if blocked:
            await push_outbox.fail_pending_for_chat(session, CHANNEL, chat, code="403",
                                                    error="the user blocked the bot")

    await stores.run(write)


async def receive(stores: GroupCommit, data: Any) -> bool:
    """An update from the webhook or from polling: a block/unblock is recorded, anything
    to answer stored; True when a new update waits for the inbox worker."""
    if (change := member_change(data)) is not None:
        await store_member_change(stores, *change)
    return await store_update(stores, data)


class TelegramChannel:
    """The webhook handler, the update converter and the outbox transport for Telegram."""

    channel = CHANNEL

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession],
                 bot: TelegramBot | None = None) -> None:
        self.secret = settings.telegram_webhook_secret or ""
        self.sessions = sessions
        self.bot = bot or make_bot(settings)  # updates, polling, set-webhook
        self.api = BotApi(self.bot.token, settings.telegram_api_base)  # sending
        self.on_stored: list[Any] = []  # callables run after an update is stored
        self.stores = GroupCommit(sessions)  # a burst of webhooks: one transaction

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.json_response({"error": "forbidden"}, status=403)
        if request.content_length and request.content_length > MAX_BODY:
            return web.json_response({"error": "too_large"}, status=413)
        try:
            data = json_body.clean(json_body.loads(await request.read()))
        except json_body.BadJson as exc:
            return web.json_response({"error": str(exc)}, status=400)
        if await receive(self.stores, data):
            for callback in self.on_stored:
                callback()
        query = data.get("callback_query") if isinstance(data, dict) else None
        if isinstance(query, dict) and isinstance(query.get("id"), str):
            return web.json_response({"method": "answerCallbackQuery",
                                      "callback_query_id": query["id"]})
        return web.json_response({"ok": True})

    async def convert(self, payload: dict[str, Any]) -> Message | None:
        update = Update.model_validate(payload, context={"bot": self.bot})
        if update.callback_query is not None:
            query = update.callback_query
            chat = str(query.message.chat.id) if query.message else str(query.from_user.id)
            data = query.data or MENU_KEY
            if data.startswith("#"):
                data = await self._resolve(chat, data)
            return Message(CHANNEL, chat, button=data, meta={"telegram_update": update.update_id})
        msg = update.message
        if msg is None:  # edited messages and anything else: acknowledged, not answered
            return None
        chat = str(msg.chat.id)
        meta: dict[str, Any] = {"telegram_message_id": msg.message_id}
        if msg.text is not None:
            return _text_message(chat, msg.text, meta)
        if msg.photo:
            best = _best_photo(msg.photo)
            meta["media"] = [{"ref": f"telegram:{best.file_id}", "mime": "image/jpeg",
                              "size": best.file_size}]
            return Message(CHANNEL, chat, text=msg.caption, media="photo", meta=meta)
        if msg.document is not None:
            doc = msg.document
            meta["media"] = [{"ref": f"telegram:{doc.file_id}", "mime": doc.mime_type,
                              "size": doc.file_size}]
            return Message(CHANNEL, chat, text=msg.caption, media="document", meta=meta)
        kind = next((k for k in UNREADABLE if getattr(msg, k, None) is not None), "unknown")
        return Message(CHANNEL, chat, media=kind, meta=meta)

    async def _resolve(self, chat: str, token: str) -> str:
        async with self.sessions() as session:
            for row in await push_outbox.recent_for_chat(session, CHANNEL, chat):
                for button in row.payload.get("buttons") or []:
                    payload = str(button.get("payload", ""))
                    if callback_data(payload) == token:
                        return payload
        return MENU_KEY

    async def send(self, item: OutboxItem) -> Delivery:
        text = str(item.payload.get("text") or "…")[:MAX_TEXT]
        buttons = item.payload.get("buttons") or []
        params: dict[str, Any] = {"text": text}
        if buttons:
            params["reply_markup"] = {"inline_keyboard": [
                [{"text": str(b.get("title", ""))[:64] or "…",
                  "callback_data": callback_data(str(b.get("payload", "")))}]
                for b in buttons]}
        try:
            params["chat_id"] = int(item.chat)
        except ValueError as exc:  # a chat id that is not a number
            raise PermanentSendError("invalid_chat", str(exc)) from exc
        sent = await self.api.call("sendMessage", params)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return Delivery(str(message_id) if message_id is not None else None)

    media_refs = staticmethod(media_refs)

    async def download(self, ref: str, max_bytes: int) -> bytes:
        """A file a user sent, by its "telegram:<file_id>" reference."""
        return await self.api.download(ref.removeprefix("telegram:"), max_bytes)

    async def close(self) -> None:
        await self.api.close()
        await self.bot.session.close()


def _text_message(chat: str, text: str, meta: dict[str, Any]) -> Message:
    if not text.startswith("/"):
        return Message(CHANNEL, chat, text=text, meta=meta)
    command, _, rest = text.partition(" ")
    command = command.split("@", 1)[0].lower()
    if command == "/start":
        ref = rest.strip()
        referral = ref if _REFERRAL.fullmatch(ref) else None
        return Message(CHANNEL, chat, button=MENU_KEY, referral=referral, meta=meta)
    if command in COMMANDS:
        kind, value = COMMANDS[command]
        if kind == "button":
            return Message(CHANNEL, chat, button=value, meta=meta)
        return Message(CHANNEL, chat, text=value, meta=meta)
    return Message(CHANNEL, chat, text=text.lstrip("/"), meta=meta)
