"""Dashboard configuration from content/dashboard.yml: canned replies (service targets
are per office in content/offices.yml, bot.core.complaints.targets).

Canned replies are filled with the ticket number and with contact values from
content/contacts.yml (through Content.fill), so no phone number is typed in the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.content import Content

FILE_NAME = "dashboard.yml"


@dataclass(frozen=True, slots=True)
class CannedReply:
    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    canned: tuple[CannedReply, ...]

    def filled(self, content: Content, ticket: str) -> list[CannedReply]:
        """Canned replies with {ticket} and contact placeholders replaced."""
        return [CannedReply(c.key, c.title, content.fill(c.text, {"ticket": ticket}))
                for c in self.canned]


def load(content_dir: Path) -> DashboardConfig:
    """Read content/dashboard.yml; a missing file gives no canned replies."""
    path = content_dir / FILE_NAME
    data: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        data = loaded
    canned = []
    for key, raw in (data.get("canned") or {}).items():
        if not isinstance(raw, dict) or not raw.get("text"):
            raise ValueError(f"{path}: canned reply {key!r} has no text")
        canned.append(CannedReply(str(key), str(raw.get("title") or key),
                                  " ".join(str(raw["text"]).split())))
    return DashboardConfig(tuple(canned))
