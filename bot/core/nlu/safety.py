"""The emergency safety net: phrases that force the emergency intent, kept as data."""

from __future__ import annotations

import re
from pathlib import Path

import yaml


class EmergencyNet:
    """Matches normalised text against reviewed emergency patterns (intents/emergency.yml)."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = [re.compile(rf"\b(?:{p})\b") for p in patterns]

    @classmethod
    def load(cls, path: Path) -> EmergencyNet:
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls([str(p) for p in data.get("patterns") or []])

    def matches(self, normalised_text: str) -> bool:
        return any(p.search(normalised_text) for p in self.patterns)
