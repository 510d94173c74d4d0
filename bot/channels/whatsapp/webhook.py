"""WhatsApp webhook payloads (Meta's shapes): signature check, and the messages and
statuses inside `entry[].changes[].value`.

Inbound messages become inbox rows keyed by their wamid (so redeliveries are ignored);
statuses (sent/delivered/read/failed) are recorded for the outbox rows they refer to.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.content import MENU_KEY
from bot.core.messages import Message

CHANNEL = "whatsapp"
UNREADABLE = {"audio", "sticker", "video", "location", "contacts", "unsupported", "order"}


def signature_ok(app_secret: str | None, body: bytes, header: str) -> bool:
    """X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(app secret, raw body), constant time."""
    if not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header[7:].strip().lower().encode())


@dataclass(frozen=True, slots=True)
class Inbound:
    message_id: str
    user_id: str
    phone: str | None
    at: datetime
    payload: dict[str, Any]


def _when(value: Any) -> datetime:
    try:
        return min(datetime.fromtimestamp(int(value), UTC), datetime.now(UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def extract(data: Any, phone_number_id: str | None = None) -> Extracted:
    """Messages, statuses and problems of a webhook body; other fields and numbers ignored."""
    found = Extracted([], [], [], [])
    if not isinstance(data, dict):
        return found
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            meta = value.get("metadata")
            meta = meta if isinstance(meta, dict) else {}
            if phone_number_id and meta.get("phone_number_id") not in (None, phone_number_id):
                continue
            found.errors.extend(_dicts(value.get("errors")))  # about the whole notification
            _messages(value, found)
            found.statuses.extend(_status(s) for s in _dicts(value.get("statuses")))
    return found


@dataclass(frozen=True, slots=True)
class Extracted:
    messages: list[Inbound]
    statuses: list[dict[str, Any]]
    errors: list[dict[str, Any]]  # top-level value.errors
    anonymous: list[dict[str, Any]]  # messages with no sender id at all: kept, surfaced


def _messages(value: dict[str, Any], found: Extracted) -> None:
    contacts = _dicts(value.get("contacts"))
    by_id = {str(c.get(k)): c for c in contacts for k in ("wa_id", "user_id") if c.get(k)}
    for msg in _dicts(value.get("messages")):
        wamid = msg.get("id")
        if not isinstance(wamid, str) or not wamid:
            continue
        # The phone number (`from` / wa_id) when Meta shares it, else the business-scoped
        # user id of a user with a username (`from_user_id` / contacts[].user_id).
        sender = _text(msg.get("from")) or _text(msg.get("from_user_id"))
        if not sender and len(contacts) == 1:
            sender = _text(contacts[0].get("wa_id")) or _text(contacts[0].get("user_id"))
        if not sender:
            found.anonymous.append(msg)
            continue
        contact = by_id.get(sender) or (contacts[0] if len(contacts) == 1 else {})
        phone = _text(contact.get("wa_id")) or (sender if sender.isdigit() else None)
        found.messages.append(Inbound(wamid, sender, phone, _when(msg.get("timestamp")),
                                      {"message": msg, "user": sender}))


def _status(status: dict[str, Any]) -> dict[str, Any]:
    errors = _dicts(status.get("errors"))
    return {
        "platform_message_id": status.get("id"), "status": status.get("status"),
        "recipient": status.get("recipient_id") or status.get("recipient_user_id"),
        "callback": status.get("biz_opaque_callback_data"),
        "error_code": errors[0].get("code") if errors else None,
        "error_title": (errors[0].get("title") or errors[0].get("message")) if errors else None,
        "reported_at": _when(status.get("timestamp")),
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def media_refs(payload: dict[str, Any]) -> list[str]:
    """The files of a stored message to fetch into the media store ("whatsapp:<id>")."""
    msg = payload.get("message")
    kind = msg.get("type") if isinstance(msg, dict) else None
    body = msg.get(kind) if isinstance(msg, dict) and kind in ("image", "document") else None
    if isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"]:
        return [f"whatsapp:{body['id']}"]
    return []


def to_message(user_id: str, payload: dict[str, Any]) -> Message | None:
    """The engine Message for a stored inbound message (None: acknowledge and ignore)."""
    msg = payload.get("message") or {}
    kind = msg.get("type")
    meta: dict[str, Any] = {"whatsapp_message_id": msg.get("id")}
    found = msg.get(kind) if isinstance(kind, str) else None
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "text":
        return Message(CHANNEL, user_id, text=str(body.get("body") or ""), meta=meta)
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        if isinstance(reply, dict) and reply.get("id"):
            return Message(CHANNEL, user_id, button=str(reply["id"]), meta=meta)
        return Message(CHANNEL, user_id, media="interactive", meta=meta)
    if kind == "button":  # a quick-reply button of a template message
        return Message(CHANNEL, user_id, text=str(body.get("text") or ""), meta=meta)
    if kind in ("image", "document") and body.get("id"):
        meta["media"] = [{"ref": f"whatsapp:{body['id']}", "mime": body.get("mime_type"),
                          "size": body.get("file_size"), "name": body.get("filename")}]
        return Message(CHANNEL, user_id, text=body.get("caption"), media=kind, meta=meta)
    if kind in ("reaction", "system"):  # an emoji on our message, a number change: no reply
        return None
    if kind == "request_welcome":  # the user opened the chat for the first time: the menu
        return Message(CHANNEL, user_id, button=MENU_KEY, meta=meta)
    return Message(CHANNEL, user_id, media=str(kind if kind in UNREADABLE else "unsupported"),
                   meta=meta)
