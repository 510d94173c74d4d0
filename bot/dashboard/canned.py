"""Dashboard configuration from content/dashboard.yml: canned replies and SLA targets.

Canned replies are filled with the ticket number and with contact values from
content/contacts.yml (through Content.fill), so no phone number is typed in the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
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
    sla_urgent: timedelta
    sla_normal: timedelta

    def filled(self, content: Content, ticket: str) -> list[CannedReply]:
        """Canned replies with {ticket} and contact placeholders replaced."""
        return [CannedReply(c.key, c.title, content.fill(c.text, {"ticket": ticket}))
                for c in self.canned]


def _hours(raw: dict[str, Any], name: str, default: float) -> timedelta:
    value = raw.get(name, default)
    if not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{FILE_NAME}: sla_hours.{name} must be a positive number")
    return timedelta(hours=float(value))


def load(content_dir: Path) -> DashboardConfig:
    """Read content/dashboard.yml; a missing file gives no canned replies and default SLAs."""
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
    sla = data.get("sla_hours") or {}
    return DashboardConfig(tuple(canned), _hours(sla, "urgent", 4), _hours(sla, "normal", 72))
