"""The web chat transcript: what a web chat user said and what the bot answered, so a
returning user sees their conversation again (staff replies live in the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ChatTurn(Base):
    """One turn of a web chat: `said` is {"text": T} or {"file": {"mime", "size"}} (what
    the page showed as the user's bubble), `replies` the Reply.to_dict()s of the answer.
    Only the newest turns of a user are kept (storage.repositories.transcript)."""

    __tablename__ = "chat_turns"
    __table_args__ = (Index("ix_chat_turns_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    said: Mapped[dict[str, Any]] = mapped_column(JSON)
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
