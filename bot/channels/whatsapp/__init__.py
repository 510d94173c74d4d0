"""WhatsApp Cloud API channel: webhook (verify handshake, signed POSTs) into the durable
inbox, and the outbox transport honouring the 24-hour customer-service window.

Outside the window (24 h after the user's last message) a free-form message is not
allowed. The message is then held (outbox status "waiting") and the configured template
(JALUR_AMAN_WHATSAPP_TEMPLATE_NAME, no parameters) only invites the user back: "ada
balasan dari petugas, balas pesan ini untuk membacanya". When they write, their held rows
are due again and go out whole, in order, inside the new window. One invitation per chat
while rows wait; without a template the rows wait all the same (staff see it). A 131047
answer, or a 131047 failure in a status webhook, sends the row down the same path.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import json_body
from bot.channels.group_commit import GroupCommit
from bot.channels.sender import Delivery, OutboxItem, PermanentSendError
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.render import render, render_invite
from bot.channels.whatsapp.webhook import (
    CHANNEL,
    extract,
    media_refs,
    signature_ok,
    to_message,
)
from bot.core.messages import Message
from bot.settings import Settings
from storage.models import utcnow
from storage.repositories import inbox, push_outbox

log = logging.getLogger(__name__)
PATH = "/webhook/whatsapp"
MAX_BODY = 1024 * 1024
WINDOW = timedelta(hours=24) - timedelta(minutes=5)  # a safety margin for clock skew
REENGAGE = "131047"  # Meta: more than 24 hours since the user's last message

__all__ = ["CHANNEL", "PATH", "WhatsAppChannel"]


class WhatsAppChannel:
    channel = CHANNEL

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession],
                 client: GraphClient | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.stores = GroupCommit(sessions)
        self.client = client or GraphClient(settings.whatsapp_graph_url,
                                            settings.whatsapp_token or "",
                                            settings.whatsapp_phone_number_id or "")
        self.on_stored: list[Callable[[], None]] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.webhook)

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
        expected = self.settings.whatsapp_verify_token or ""
        given = request.query.get("hub.verify_token", "")
        if request.query.get("hub.mode") == "subscribe" and expected \
                and hmac.compare_digest(given.encode(), expected.encode()):
            return web.Response(text=request.query.get("hub.challenge", ""))
        return web.Response(status=403, text="forbidden")

    async def webhook(self, request: web.Request) -> web.Response:
        if request.content_length and request.content_length > MAX_BODY:
            return web.json_response({"error": "too_large"}, status=413)
        body = await request.read()
        if not signature_ok(self.settings.whatsapp_app_secret, body,
                            request.headers.get("X-Hub-Signature-256", "")):
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            data = json_body.clean(json_body.loads(body))
        except json_body.BadJson as exc:
            return web.json_response({"error": str(exc)}, status=400)
        found = extract(data, self.settings.whatsapp_phone_number_id)
        for error in found.errors:
            log.warning("whatsapp webhook error %s: %s", error.get("code"),
                        error.get("title") or error.get("message"))

        async def write(session: AsyncSession) -> bool:
            stored = False
            for item in found.messages:
                stored |= await inbox.store(session, CHANNEL, item.message_id, item.user_id,
                                            item.payload, media=bool(media_refs(item.payload)))
                await inbox.touch_contact(session, CHANNEL, item.user_id, phone=item.phone,
                                          at=item.at)
                await push_outbox.release_waiting(session, CHANNEL, item.user_id)
            for msg in found.anonymous:  # kept and counted as failed, never dropped
                log.warning("whatsapp message %s has no sender id: kept as failed",
                            msg.get("id"))
                await inbox.store_unanswerable(session, CHANNEL, str(msg.get("id")),
                                               {"message": msg}, "no sender id")
            if found.statuses:
                await inbox.record_statuses(session, CHANNEL, found.statuses)
            return stored

        stored = await self.stores.run(write)  # a burst of webhooks: one transaction
        if stored:
            for callback in self.on_stored:
                callback()
        return web.json_response({"ok": True})

    async def convert(self, payload: dict[str, Any]) -> Message | None:
        msg = payload.get("message") or {}
        return to_message(str(payload.get("user") or msg.get("from") or ""), payload)

    async def send(self, item: OutboxItem) -> Delivery:
        to, last = await self._contact(item.chat)
        if _open(last):
            try:
                return Delivery(await self.client.send(self._tag(render(to, item.payload), item)))
            except PermanentSendError as exc:
                if exc.code != REENGAGE:  # the window had closed after all: invite
                    raise
        held = await self._invite(to, item)
        _to, now = await self._contact(item.chat)
        if now is not None and (last is None or now > last) and _open(now):
            # They wrote while we were deciding: the row would wait for nothing.
            return Delivery(await self.client.send(self._tag(render(to, item.payload), item)))
        return held

    async def _contact(self, chat: str) -> tuple[str, datetime | None]:
        """Where to send (phone number, else the chat's user id) and the user's last
        message time."""
        async with self.sessions() as session:
            contact = await inbox.contact(session, CHANNEL, chat)
        to = (contact.phone if contact and contact.phone else None) or chat
        last = contact.last_inbound_at if contact else None
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return to, last

    async def _invite(self, to: str, item: OutboxItem) -> Delivery:
        """Outside the window: the row waits for the user to write again; the template
        (no parameters) invites them back, once per chat while rows wait."""
        name = self.settings.whatsapp_template_name
        if not name:
            return Delivery(None, sent_as="no_template", hold=True)
        async with self.sessions() as session:
            if await push_outbox.invited(session, CHANNEL, item.chat):
                return Delivery(None, sent_as="invite", hold=True)
        payload = render_invite(to, name, self.settings.whatsapp_template_language)
        try:
            wamid = await self.client.send(self._tag(payload, item))
        except PermanentSendError as exc:
            raise PermanentSendError(exc.code, str(exc), sent_as="template") from exc
        return Delivery(wamid, sent_as="invite", hold=True)

    @staticmethod
    def _tag(payload: dict[str, Any], item: OutboxItem) -> dict[str, Any]:
        """The outbox key travels with the message and comes back in status webhooks."""
        return {**payload, "biz_opaque_callback_data": item.idempotency_key}

    media_refs = staticmethod(media_refs)

    async def download(self, ref: str, max_bytes: int) -> bytes:
        """A file a user sent, by its "whatsapp:<media id>" reference (two steps)."""
        return await self.client.download_media(ref.removeprefix("whatsapp:"), max_bytes)

    async def close(self) -> None:
        await self.client.close()


def _open(last: datetime | None) -> bool:
    """Inside the customer-service window opened by the user's message at `last`."""
    return last is not None and utcnow() - last < WINDOW
