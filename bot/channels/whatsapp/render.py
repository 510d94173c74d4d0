"""Reply -> WhatsApp Cloud API message payloads.

≤ 3 buttons: interactive reply buttons (titles ≤ 20 chars, ids ≤ 256); 4-10: a list
message (row titles ≤ 24, descriptions ≤ 72, ids ≤ 200); more, or payloads/titles that
do not fit: numbered text (the engine reads a typed number as the Nth button). Outside the
24-hour window: the configured invitation template, without parameters (the message itself
waits until the user writes back).
"""

from __future__ import annotations

from typing import Any

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
LIST_BUTTON = "Pilih"  # the list opener's label (≤ 20 chars)
LIST_SECTION = "Pilihan"


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut between words (mid-word only for one word
    longer than the limit)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head and not text[limit - 1].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "…"


def _base(to: str) -> dict[str, Any]:
    """Addressed to a phone number, or to a business-scoped user id ("CC.<digits>", a user
    with a username whose number Meta does not share) in the `recipient` field."""
    field = "recipient" if is_bsuid(to) else "to"
    return {"messaging_product": "whatsapp", "recipient_type": "individual", field: to}


def is_bsuid(user_id: str) -> bool:
    return "." in user_id


def numbered_text(text: str, buttons: list[dict[str, Any]]) -> str:
    lines = [text, ""] + [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, 1)]
    return "\n".join(lines)[:MAX_TEXT]


def render(to: str, reply: dict[str, Any]) -> dict[str, Any]:
    """The message payload for one Reply.to_dict()."""
    text = str(reply.get("text") or "…")
    buttons = [b for b in reply.get("buttons") or [] if isinstance(b, dict)]
    payloads = [str(b.get("payload", "")) for b in buttons]
    fits = len(text) <= MAX_INTERACTIVE_BODY and all(0 < len(p) <= 200 for p in payloads)
    if buttons and fits and len(buttons) <= 3:
        titles = [_cut(str(b.get("title", "")), 20) for b in buttons]
        if len(set(titles)) == len(titles):  # reply button titles must be unique
            return {**_base(to), "type": "interactive", "interactive": {
                "type": "button", "body": {"text": text},
                "action": {"buttons": [{"type": "reply", "reply": {"id": p, "title": t}}
                                       for p, t in zip(payloads, titles, strict=True)]}}}
    if buttons and fits and len(buttons) <= 10:
        rows = []
        for payload, button in zip(payloads, buttons, strict=True):
            title = " ".join(str(button.get("title", "")).split())
            row: dict[str, Any] = {"id": payload, "title": _cut(title, 24)}
            if len(title) > 24:
                row["description"] = _cut(title, 72)
            rows.append(row)
        return {**_base(to), "type": "interactive", "interactive": {
            "type": "list", "body": {"text": text},
            "action": {"button": LIST_BUTTON,
                       "sections": [{"title": LIST_SECTION, "rows": rows}]}}}
    body = numbered_text(text, buttons) if buttons else text[:MAX_TEXT]
    return {**_base(to), "type": "text", "text": {"body": body, "preview_url": False}}


def render_invite(to: str, name: str, language: str) -> dict[str, Any]:
    """The invitation template: a fixed approved text, so nothing can be cut or refused
    for its parameters."""
    return {**_base(to), "type": "template", "template": {
        "name": name, "language": {"code": language}}}
