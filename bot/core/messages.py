"""The channel-agnostic message types: what comes in (Message) and what goes out (Reply)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, lone surrogates: PostgreSQL refuses


@dataclass(frozen=True, slots=True)
class Button:
    """A tappable choice. `payload` comes back to the engine as Message.button."""

    title: str
    payload: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True, slots=True)
class Reply:
    """One outgoing message: a stable content key, the rendered text and its buttons."""

    key: str
    text: str
    buttons: tuple[Button, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "buttons": [b.to_dict() for b in self.buttons],
        }


@dataclass(frozen=True, slots=True)
class Message:
    """One incoming user message, already stripped of platform detail.

    `channel` is e.g. "web", "console", "telegram", "whatsapp"; `user_id` is the platform's
    id for the user. Exactly one of `text` or `button` is normally set; `media` marks
    non-text content (sticker, voice, photo) that the engine cannot read.
    """

    channel: str
    user_id: str
    text: str | None = None
    button: str | None = None
    media: str | None = None
    referral: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def external_id(self) -> str:
        """The user id as stored: NUL dropped, a lone surrogate replaced by U+FFFD (any
        channel's id, e.g. `chat --json`'s "user", may hold them), at most 128 characters."""
        return _UNSTORABLE.sub(lambda m: "" if m[0] == "\x00" else "\ufffd",
                               self.user_id)[:128]
