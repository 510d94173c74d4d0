"""Loads content/ (answers, steps, system texts, contacts) and renders entries as Replies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.core.messages import Button, Reply
from bot.core.nlu.entities import Entities
from bot.core.selection import When, WhenError, choose

MENU_KEY = "menu"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
    "Agustus", "September", "Oktober", "November", "Desember",
)


def format_date(value: date) -> str:
    """A date as Indonesians write it: 23 November 2026."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    text: str
    title: str
    buttons: tuple[str, ...] = ()
    source: str | None = None
    reviewed: date | None = None
    params: tuple[str, ...] = ()
    when: When | None = None  # conditions to answer a message in place of its intent's entry


class ContentError(ValueError):
    """Raised when content/ is inconsistent (duplicate key, missing field)."""


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _when(path: Path, key: str, raw: Any) -> When | None:
    if raw is None:
        return None
    try:
        return When.read(key, raw)
    except (WhenError, re.error) as exc:
        raise ContentError(f"{path}: {exc}") from exc


def _load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping at the top level")
    return data


class Content:
    """All answers and contacts, keyed by reply key."""

    def __init__(self, entries: Mapping[str, Entry], contacts: Mapping[str, str]) -> None:
        self.entries = dict(entries)
        self.contacts = dict(contacts)
        self.specific = [(e.key, e.when) for e in self.entries.values() if e.when is not None]
        self.specific_keys = frozenset(key for key, _ in self.specific)

    @classmethod
    def load(cls, content_dir: Path) -> Content:
        entries: dict[str, Entry] = {}
        for path in sorted((content_dir / "answers").glob("*.yml")):
            for key, raw in _load_yaml(path).items():
                if key in entries:
                    raise ContentError(f"{path}: key {key!r} is defined twice")
                if not isinstance(raw, dict) or "text" not in raw:
                    raise ContentError(f"{path}: entry {key!r} has no text")
                entries[key] = Entry(
                    key=key,
                    text=str(raw["text"]).strip(),
                    title=str(raw.get("title") or key),
                    buttons=tuple(raw.get("buttons") or ()),
                    source=raw.get("source"),
                    reviewed=_as_date(raw.get("reviewed")),
                    params=tuple(raw.get("params") or ()),
                    when=_when(path, key, raw.get("when")),
                )
        contacts_path = content_dir / "contacts.yml"
        contacts: dict[str, str] = {}
        if contacts_path.exists():
            for name, raw in _load_yaml(contacts_path).items():
                value = raw.get("value") if isinstance(raw, dict) else raw
                contacts[name] = str(value or "")
        return cls(entries, contacts)

    def has(self, key: str) -> bool:
        return key in self.entries

    def specific_key(self, intent: str, entities: Entities, normal: str) -> str | None:
        """The most specific entry for a message classified as `intent`: one whose `when:`
        conditions the message satisfies (None if none does)."""
        return choose(self.specific, intent, entities, normal)

    def title(self, key: str) -> str:
        entry = self.entries.get(key)
        return entry.title if entry else key

    def button(self, key: str, title: str | None = None) -> Button:
        return Button(title=title or self.title(key), payload=key)

    def fill(self, text: str, params: Mapping[str, object] | None = None) -> str:
        """Replace {placeholders} with params first, then contact values."""
        values: dict[str, object] = {**self.contacts, **(params or {})}

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            return str(values[name]) if name in values else match.group(0)

        return _PLACEHOLDER.sub(sub, text)

    def render(
        self,
        key: str,
        params: Mapping[str, object] | None = None,
        buttons: Iterable[Button] | None = None,
        reply_key: str | None = None,
    ) -> Reply:
        """The entry `key` as a Reply: text with placeholders filled, source line, buttons.

        `buttons` replaces the entry's own buttons when given; `reply_key` overrides the key
        reported to the channel (used when one text serves several outcomes).
        """
        entry = self.entries[key]
        text = self.fill(entry.text, params)
        if entry.source:
            reviewed = f" (ditinjau {format_date(entry.reviewed)})" if entry.reviewed else ""
            text = f"{text}\n\nSumber: {entry.source}{reviewed}"
        chosen = tuple(buttons) if buttons is not None else tuple(
            self.button(b) for b in entry.buttons if b in self.entries
        )
        return Reply(key=reply_key or key, text=text, buttons=chosen)

    def problems(self) -> list[str]:
        """Consistency problems: dangling buttons, unknown placeholders, missing sources."""
        found: list[str] = []
        for entry in self.entries.values():
            for target in entry.buttons:
                if target not in self.entries:
                    found.append(f"{entry.key}: button to unknown key {target!r}")
            for name in _PLACEHOLDER.findall(entry.text):
                if name not in self.contacts and name not in entry.params:
                    found.append(f"{entry.key}: unknown placeholder {{{name}}}")
            if len(entry.title) > 20:
                found.append(f"{entry.key}: title longer than 20 characters")
            if (entry.source is None) != (entry.reviewed is None):
                found.append(f"{entry.key}: source and reviewed go together")
        return found
