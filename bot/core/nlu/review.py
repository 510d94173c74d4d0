"""Content review of unanswered questions: group them by masked text (personal data
redacted) and export them as Rasa NLU YAML training examples for an editor to check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import yaml

from bot.core.redact import redact


@dataclass
class ReviewGroup:
    """Unanswered messages with the same masked, lower-cased text."""

    text: str
    count: int = 0
    guesses: Counter[str] = field(default_factory=Counter)
    confidence_sum: float = 0.0
    examples: list[str] = field(default_factory=list)

    @property
    def guess(self) -> str:
        return self.guesses.most_common(1)[0][0] if self.guesses else "out_of_scope"

    @property
    def confidence(self) -> float:
        return self.confidence_sum / self.count if self.count else 0.0


def review_groups(items: list[tuple[str, str | None, float]], *, examples: int = 3,
                  ) -> list[ReviewGroup]:
    """Group unanswered messages by masked text; most frequent first."""
    groups: dict[str, ReviewGroup] = {}
    for text, guess, confidence in items:
        masked = " ".join(redact(text).split())
        key = masked.lower()
        if not key:
            continue
        group = groups.setdefault(key, ReviewGroup(masked))
        group.count += 1
        group.guesses[guess or "out_of_scope"] += 1
        group.confidence_sum += confidence
        if masked not in group.examples and len(group.examples) < examples:
            group.examples.append(masked)
    return sorted(groups.values(), key=lambda g: (-g.count, g.text))


def rasa_yaml(groups: list[ReviewGroup]) -> str:
    """Rasa NLU 3.1 YAML with the masked texts under the classifier's best guess.
    The labels are guesses: an editor checks each example before moving it to intents/."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for group in groups:
        for example in group.examples:
            if example not in by_intent[group.guess]:
                by_intent[group.guess].append(example)
    nlu = [{"intent": intent, "examples": "".join(f"- {e}\n" for e in texts)}
           for intent, texts in sorted(by_intent.items())]
    header = ("# Unanswered questions for review (personal data masked). The intent is the\n"
              "# classifier's guess: check every example before adding it to intents/.\n")
    return header + yaml.dump({"version": "3.1", "nlu": nlu}, allow_unicode=True,
                              sort_keys=False, Dumper=_BlockDumper)


class _BlockDumper(yaml.SafeDumper):
    pass


def _str_block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_block)
