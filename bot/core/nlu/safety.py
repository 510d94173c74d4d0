"""The emergency safety net: phrases that force the emergency intent, kept as data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

_GROUP = re.compile(r"@([a-z_]+)")


class EmergencyNet:
    """Matches normalised text against reviewed emergency patterns (intents/emergency.yml).

    A pattern may name a word group of the file's `groups:` as `@name` (e.g. `@person`:
    the people a message is about); it stands for `(?:the group's alternation)`."""

    def __init__(self, patterns: list[str], groups: Mapping[str, str] | None = None) -> None:
        named = dict(groups or {})

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in named:
                raise ValueError(f"emergency pattern names an unknown group @{name}")
            return f"(?:{named[name]})"

        self.patterns = [re.compile(rf"\b(?:{_GROUP.sub(expand, p)})\b") for p in patterns]

    @classmethod
    def load(cls, path: Path) -> EmergencyNet:
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
        return cls([str(p) for p in data.get("patterns") or []], groups)

    def matches(self, normalised_text: str) -> bool:
        return any(p.search(normalised_text) for p in self.patterns)
