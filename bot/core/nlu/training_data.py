"""Reads labelled examples: Rasa NLU YAML (version "3.1") files and TSV test files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_LIST_ITEM = re.compile(r"^\s*-\s?(.*)$")
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    # Other intents that are an acceptable answer for this text (lenient evaluation).
    also: tuple[str, ...] = ()


def _strip_entities(text: str) -> str:
    return _ENTITY.sub(lambda m: m.group(1) or m.group(2), text)


def read_rasa_file(path: Path) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples") or "").splitlines():
            match = _LIST_ITEM.match(line)
            if match and match.group(1).strip():
                examples.append(Example(_strip_entities(match.group(1).strip()), intent))
    return examples


def read_tsv_file(path: Path) -> list[Example]:
    """`intent<TAB>text` per line; `intent|other` lists acceptable alternatives."""
    examples: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        labels, text = line.split("\t", 1)
        first, *rest = [label.strip() for label in labels.split("|") if label.strip()]
        examples.append(Example(text.strip(), first, tuple(rest)))
    return examples


def read_examples(path: Path) -> list[Example]:
    """Examples from one file (.tsv or Rasa YAML) or every Rasa YAML file in a folder."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.yml") if p.name not in _NOT_TRAINING)
        return [ex for f in files for ex in read_rasa_file(f)]
    if path.suffix == ".tsv":
        return read_tsv_file(path)
    return read_rasa_file(path)


_NOT_TRAINING = {"normalisation.yml", "emergency.yml", "agency_mentions.yml", "entities.yml"}
