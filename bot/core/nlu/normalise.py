"""Normalisation of colloquial Indonesian before classification (map kept as data)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import yaml

_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_NUM_UNIT = re.compile(r"(\d)([a-z])")


class Normaliser:
    """Lower-cases, strips accents and punctuation, squeezes repeated letters
    ("tolooong" -> "tolong") and maps slang words to their normal form."""

    def __init__(self, replacements: Mapping[str, str]) -> None:
        self.replacements = {k.lower(): v.lower() for k, v in replacements.items()}

    @classmethod
    def load(cls, path: Path) -> Normaliser:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        raw = data.get("replacements") or {}
        return cls({str(k): str(v) for k, v in raw.items()})

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
        text = _NUM_UNIT.sub(r"\1 \2", text)
        text = _REPEAT.sub(r"\1", text)
        words = (self.replacements.get(tok, tok) for tok in _TOKEN.findall(text))
        return " ".join(words)
