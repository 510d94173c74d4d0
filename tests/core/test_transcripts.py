"""Golden transcripts: conversations kept as data in tests/core/transcripts/*.yml, each
played through the engine as one new user; every turn's reply keys must match.

A turn is `user: TEXT` or `button: PAYLOAD`, with `expect: [KEY, ...]` (all reply keys, in
order) or `first: KEY` (only the first reply's key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.composition import Bot
from bot.core.messages import Message

FOLDER = Path(__file__).parent / "transcripts"


def _conversations() -> list[Any]:
    cases = []
    for path in sorted(FOLDER.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            cases.append(pytest.param(conversation["turns"],
                                      id=f"{path.stem}: {conversation['name']}"))
    return cases


@pytest.mark.parametrize("turns", _conversations())
async def test_transcript(bot: Bot, turns: list[dict[str, Any]]) -> None:
    for number, turn in enumerate(turns, 1):
        message = Message("web", "transcript", text=turn.get("user"), button=turn.get("button"))
        got = [r.key for r in await bot.engine.handle(message)]
        said = turn.get("user") or turn.get("button")
        if "expect" in turn:
            assert got == turn["expect"], f"turn {number} ({said!r})"
        else:
            assert got[:1] == [turn["first"]], f"turn {number} ({said!r})"
