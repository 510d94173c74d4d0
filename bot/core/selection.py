"""Which answer a message gets: the most specific content entry whose `when:` block the
message satisfies (an entity it names, an age, an amount of money, words it uses), else the
entry named by its intent. Conditions are data in content/ (docs/CONTENT_FORMAT.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.nlu.entities import Entities

_KEYS = frozenset({"intents", "any", "words", "not_words", "age", "money", "priority"})
# Any other key is an entity type of intents/entities.yml: `country: [saudi, uae]`.


class WhenError(ValueError):
    """A `when:` block that cannot be read."""


@dataclass(frozen=True, slots=True)
class When:
    """Conditions under which an entry answers a message instead of its intent's entry.
    Every condition given must hold; the score is the number of conditions plus priority.
    Entity conditions: one per entity type (`country: [saudi, uae]`: one of these values),
    and `any: [country:korea, programme:eps]` (one of these, whatever the type)."""

    intents: frozenset[str]
    groups: tuple[frozenset[tuple[str, str]], ...] = ()  # each: one of these (type, value)
    words: re.Pattern[str] | None = None  # matched on the normalised text
    not_words: re.Pattern[str] | None = None  # ... and these must not occur
    age: tuple[int, int] | None = None  # an age in this range (inclusive)
    money: bool = False  # an amount of money is named
    priority: int = 0

    @classmethod
    def read(cls, key: str, raw: Any) -> When:
        if not isinstance(raw, Mapping) or not raw:
            raise WhenError(f"{key}: `when` takes a mapping of conditions")
        intents = raw.get("intents") or [key.split(".", 1)[0]]
        groups = [frozenset((str(kind), str(v)) for v in _as_list(values))
                  for kind, values in raw.items() if kind not in _KEYS]
        if raw.get("any"):
            groups.append(frozenset(_pair(key, item) for item in _as_list(raw["any"])))
        age = raw.get("age")
        if age is not None and not (isinstance(age, list) and len(age) == 2
                                    and all(isinstance(a, int) for a in age)):
            raise WhenError(f"{key}: age is written [from, to]")
        when = cls(frozenset(str(i) for i in _as_list(intents)), tuple(g for g in groups if g),
                   _words(raw.get("words")), _words(raw.get("not_words")),
                   (age[0], age[1]) if age else None, bool(raw.get("money")),
                   int(raw.get("priority") or 0))
        if when.conditions() == 0:
            raise WhenError(f"{key}: `when` needs an entity, words, age or money condition")
        return when

    def entity_types(self) -> set[str]:
        return {kind for group in self.groups for kind, _ in group}

    def conditions(self) -> int:
        return (len(self.groups) + (self.words is not None) + (self.age is not None)
                + self.money)

    def score(self, intent: str, entities: Entities, normal: str) -> int | None:
        """The score of this entry for a message, or None when a condition fails."""
        if intent not in self.intents:
            return None
        if any(group.isdisjoint(entities.values) for group in self.groups):
            return None
        if self.words is not None and not self.words.search(normal):
            return None
        if self.not_words is not None and self.not_words.search(normal):
            return None
        if self.age is not None and not any(self.age[0] <= a <= self.age[1]
                                            for a in entities.ages):
            return None
        if self.money and not entities.money:
            return None
        return self.conditions() + self.priority


def choose(candidates: Iterable[tuple[str, When]], intent: str, entities: Entities,
           normal: str) -> str | None:
    """The key of the best-scoring candidate for the message (first one on a tie)."""
    best: tuple[int, str] | None = None
    for key, when in candidates:
        score = when.score(intent, entities, normal)
        if score is not None and (best is None or score > best[0]):
            best = (score, key)
    return best[1] if best else None


def _pair(key: str, item: Any) -> tuple[str, str]:
    kind, sep, value = str(item).partition(":")
    if not sep or not value:
        raise WhenError(f"{key}: {item!r} in `any` is not written type:value")
    return kind, value


def _words(value: Any) -> re.Pattern[str] | None:
    words = [str(w) for w in _as_list(value)]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(f"(?:{w})" for w in words) + r")\b")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
