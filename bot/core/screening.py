"""Screening a message before it is understood: input the bot cannot read, the text a turn
would classify, and emergencies answered from content and the model alone.

The emergency answer here needs no database, so it is given first in every turn and
still while the database is down (the web chat's degraded mode).
"""

from __future__ import annotations

import unicodedata

from bot.core.content import Content
from bot.core.messages import Message, Reply
from bot.core.nlu import EMERGENCY, NLU, Parse
from bot.core.nlu.entities import NO_ENTITIES


def unreadable(text: str) -> bool:
    """Binary-looking input: NUL bytes, replacement characters or mostly control codes."""
    if "\x00" in text or "\ufffd" in text:
        return True
    control = sum(1 for ch in text if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"}
                  and ch not in "\n\t\r")
    return control * 5 > len(text)


def classifiable(message: Message, max_chars: int) -> str:
    """The text the turn would classify ("" for buttons, media, empty or over-long text)."""
    text = (message.text or "").strip()
    return "" if message.button or len(text) > max_chars else text


def emergency_parse(text: str, normal: str) -> Parse:
    """The parse of a message the safety net recognised (e.g. inside an over-long text)."""
    return Parse(text[:500], EMERGENCY, 1.0, ((EMERGENCY, 1.0),), by_safety_net=True,
                 normal=normal)


class EmergencyScreen:
    """Recognises an emergency and gives its first reply: the sub-type's answer
    (`emergency.<subtype>`) when the words name one, else the general emergency answer."""

    def __init__(self, content: Content, nlu: NLU) -> None:
        self.content = content
        self.nlu = nlu

    def answer(self, message: Message, *, threshold: float, max_chars: int
               ) -> list[Reply] | None:
        """The emergency answer when this message is an emergency (the "Darurat" button, or
        text the safety net reads as one, or the classifier with at least `threshold`),
        else None. Text over `max_chars` is only read by the safety net."""
        text = (message.text or "").strip()
        if message.button == EMERGENCY or (message.button or "").startswith(f"{EMERGENCY}."):
            return [self.content.render(EMERGENCY)]
        if not text or message.button:
            return None
        norm = self.nlu.normalise(text[: max_chars * 5])
        if self.nlu.emergency.matches(norm):
            return [self.reply(norm)]
        if len(text) <= max_chars and not unreadable(text):
            parse = self.nlu.parse(text)
            if parse.intent == EMERGENCY and parse.confidence >= threshold:
                return [self.reply(norm)]
        return None

    def reply(self, normal: str) -> Reply:
        """The emergency sub-type's answer (`emergency.<subtype>`), else the general one."""
        key = self.content.specific_key(EMERGENCY, NO_ENTITIES, normal) or EMERGENCY
        return self.content.render(key)

    def urgent(self, text: str) -> bool:
        """Text (e.g. a picture's caption) that the emergency safety net recognises."""
        return bool(text) and self.nlu.emergency.matches(self.nlu.normalise(text))
