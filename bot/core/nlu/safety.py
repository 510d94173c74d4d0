"""The emergency safety net: phrases that force the emergency intent, kept as data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_GROUP = re.compile(r"@([a-z_]+)")
_WORD = re.compile(r"\w+")

# A pattern entry: a phrase (str), or {"match": phrase} / {"all": [phrases]} (every phrase
# somewhere in the message), optionally with "except": [phrases that undo a match they
# overlap].
Entry = str | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Rule:
    parts: tuple[re.Pattern[str], ...]  # each must match somewhere
    exceptions: tuple[re.Pattern[str], ...]  # a match one of these overlaps does not count


@dataclass(frozen=True, slots=True)
class Hypothetical:
    """A question about what to do IF something happens ("kalau dipukul majikan lapor ke
    mana?") is a request for information: a match in the words right after an opening
    condition does not count when the message asks a question and the words in between do
    not say that it already happens ("kalau ga capai target dipukul", "kalau sudah ...")."""

    opening: re.Pattern[str]  # lead words, then the condition word, at the message start
    question: re.Pattern[str]
    actual: re.Pattern[str]  # words between the condition and the match that make it real
    window: int  # words after the condition that the condition governs

    def governed(self, text: str) -> tuple[int, int] | None:
        """The span of text the opening condition governs, or None (not such a question)."""
        opening = self.opening.match(text)
        if opening is None or not self.question.search(text):
            return None
        words = list(_WORD.finditer(text, opening.end()))[: self.window]
        end = words[-1].end() if words else opening.end()
        return opening.end(), end


@dataclass(frozen=True, slots=True)
class Resolved:
    """An event told as over, asked about as information ("dulu dikurung majikan, sekarang
    sudah pulang, masih bisa lapor?"): a word of the past AND a word that the person is now
    home or safe (or the body already home), and no word that the danger goes on
    ("masih dikurung", "belum dipulangkan") or is recent ("kemarin", still at the shelter).
    Thanks or relief for a rescue ("makasih, adik yang kemarin dikurung sudah di shelter,
    aman") is over too, however recent: relief AND safe AND no word that the danger goes on."""

    past: re.Pattern[str]
    safe: re.Pattern[str]
    danger: re.Pattern[str]
    recent: re.Pattern[str] | None = None
    relief: re.Pattern[str] | None = None

    def settled(self, text: str) -> bool:
        if self.safe.search(text) is None or self.danger.search(text) is not None:
            return False
        if self.relief is not None and self.relief.search(text) is not None:
            return True
        return (self.past.search(text) is not None
                and (self.recent is None or self.recent.search(text) is None))


class EmergencyNet:
    """Matches normalised text against reviewed emergency patterns (intents/emergency.yml).

    A pattern may name a word group of the file's `groups:` as `@name` (e.g. `@person`:
    the people a message is about); it stands for `(?:the group's alternation)`."""

    def __init__(self, patterns: Sequence[Entry], groups: Mapping[str, str] | None = None,
                 hypothetical: Hypothetical | None = None,
                 exceptions: Sequence[str] = (), resolved: Resolved | None = None) -> None:
        named = dict(groups or {})

        def expand(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in named:
                raise ValueError(f"emergency pattern names an unknown group @{name}")
            return f"(?:{named[name]})"

        def compile_one(pattern: str) -> re.Pattern[str]:
            return re.compile(rf"\b(?:{_GROUP.sub(expand, pattern)})\b")

        everywhere = tuple(compile_one(p) for p in exceptions)
        self.rules: list[_Rule] = []
        for entry in patterns:
            if isinstance(entry, str):
                self.rules.append(_Rule((compile_one(entry),), everywhere))
                continue
            parts = entry.get("all") or [entry["match"]]
            own = tuple(compile_one(str(p)) for p in entry.get("except") or [])
            self.rules.append(_Rule(tuple(compile_one(str(p)) for p in parts), own + everywhere))
        self.hypothetical = hypothetical
        self.resolved = resolved

    @classmethod
    def load(cls, path: Path) -> EmergencyNet:
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
        entries: list[Entry] = [p if isinstance(p, Mapping) else str(p)
                                for p in data.get("patterns") or []]
        return cls(entries, groups, _hypothetical(data.get("hypothetical")),
                   [str(p) for p in data.get("except") or []],
                   _resolved(data.get("resolved"), groups))

    def settled(self, normalised_text: str) -> bool:
        """The message tells of an event that is over (see Resolved): no emergency."""
        return self.resolved is not None and self.resolved.settled(normalised_text)

    def matches(self, normalised_text: str) -> bool:
        text = normalised_text
        governed: tuple[int, int] | None = None
        hypothetical_read = False
        for rule in self.rules:
            # most messages match no rule at all: one plain search tells, before the
            # exceptions and the hypothetical question are looked at
            if rule.parts[0].search(text) is None:
                continue
            if not hypothetical_read:
                if self.settled(text):
                    return False
                governed = self.hypothetical.governed(text) if self.hypothetical else None
                hypothetical_read = True
            if all(self._found(part, rule.exceptions, text, governed) for part in rule.parts):
                return True
        return False

    def _found(self, part: re.Pattern[str], exceptions: tuple[re.Pattern[str], ...],
               text: str, governed: tuple[int, int] | None) -> bool:
        """A match of `part` that no exception overlaps and no hypothetical question governs."""
        for match in part.finditer(text):
            if any(e.start() < match.end() and match.start() < e.end()
                   for x in exceptions for e in x.finditer(text)):
                continue
            if governed is not None and self._asked_about(match, text, governed):
                continue
            return True
        return False

    def _asked_about(self, match: re.Match[str], text: str, governed: tuple[int, int]) -> bool:
        start, end = governed
        assert self.hypothetical is not None
        return (start <= match.start() < end
                and not self.hypothetical.actual.search(text, start, match.start()))


def _hypothetical(data: Mapping[str, Any] | None) -> Hypothetical | None:
    """The `hypothetical:` block of emergency.yml (lead, conditions, questions, actual)."""
    if not data:
        return None
    lead = str(data.get("lead") or "")
    opening = rf"^(?:(?:{lead}) ){{0,5}}(?:{data['conditions']})\b" if lead \
        else rf"^(?:{data['conditions']})\b"
    return Hypothetical(re.compile(opening), re.compile(rf"\b(?:{data['questions']})\b"),
                        re.compile(rf"\b(?:{data['actual']})\b"), int(data.get("window", 4)))


def _resolved(data: Mapping[str, Any] | None, groups: Mapping[str, str]) -> Resolved | None:
    """The `resolved:` block of emergency.yml (past, safe, danger, recent, relief); `@name`
    names a group."""
    if not data:
        return None

    def compile_one(key: str) -> re.Pattern[str]:
        pattern = _GROUP.sub(lambda m: f"(?:{groups[m.group(1)]})", str(data[key]))
        return re.compile(rf"\b(?:{pattern})\b")

    def optional(key: str) -> re.Pattern[str] | None:
        return compile_one(key) if data.get(key) else None

    return Resolved(compile_one("past"), compile_one("safe"), compile_one("danger"),
                    optional("recent"), optional("relief"))
