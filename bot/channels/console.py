"""Console channel: JSON-lines parsing for `chat --json` and plain-text rendering."""

from __future__ import annotations

import json

from bot.core.messages import Message, Reply

CHANNEL = "console"


def parse_json_line(line: str) -> Message:
    """`{"user": ID, "text": T}` or `{"user": ID, "button": P}`; anything else is text
    from user "console" (a bare line, or JSON that is not an object)."""
    try:
        data = json.loads(line)
    except ValueError:
        return Message(CHANNEL, "console", text=line.rstrip("\n"))
    if not isinstance(data, dict):
        return Message(CHANNEL, "console", text=line.rstrip("\n"))
    user = str(data.get("user") or "console")
    button = data.get("button")
    text = data.get("text")
    return Message(
        CHANNEL,
        user,
        text=str(text) if text is not None and button is None else None,
        button=str(button) if button is not None else None,
    )


def render_text(reply: Reply) -> str:
    """A reply as terminal text, buttons as a numbered list (type the number to choose)."""
    lines = [reply.text]
    if reply.buttons:
        lines.append("")
        lines += [f"  {i}. {b.title}" for i, b in enumerate(reply.buttons, 1)]
    return "\n".join(lines)
