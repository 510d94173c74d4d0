"""Normalisation of colloquial Indonesian before classification (map kept as data)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

_TOKEN = re.compile(r"[a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_NUM_UNIT = re.compile(r"(\d)([a-z])")


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One whole-word alternation of literal phrases, longest first (None if none)."""
    ordered = sorted(phrases, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


class Normaliser:
    """Lower-cases, strips accents and punctuation, squeezes repeated letters
    ("tolooong" -> "tolong"), maps phrases ("nyambut damel" -> "kerja"), then maps slang and
    regional words to their normal form."""

    def __init__(self, replacements: Mapping[str, str],
                 phrases: Mapping[str, str] | None = None,
                 symbols: Mapping[str, str] | None = None) -> None:
        self.replacements = {k.lower(): v.lower() for k, v in replacements.items()}
        self.phrases = {" ".join(k.lower().split()): v.lower()
                        for k, v in (phrases or {}).items()}
        self._phrase = phrase_pattern(self.phrases)
        # signs that carry meaning (an SOS emoji) become words before symbols are dropped
        self.symbols = {k: f" {v.lower()} " for k, v in (symbols or {}).items()}

    @classmethod
    def load(cls, path: Path) -> Normaliser:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        raw = data.get("replacements") or {}
        phrases = data.get("phrases") or {}
        symbols = data.get("symbols") or {}
        return cls({str(k): str(v) for k, v in raw.items()},
                   {str(k): str(v) for k, v in phrases.items()},
                   {str(k): str(v) for k, v in symbols.items()})

    def __call__(self, text: str) -> str:
        for symbol, word in self.symbols.items():
            text = text.replace(symbol, word)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
        text = _NUM_UNIT.sub(r"\1 \2", text)
        text = _REPEAT.sub(r"\1", text)
        tokens = _TOKEN.findall(text)
        if self._phrase is not None:
            joined = self._phrase.sub(lambda m: self.phrases[m.group(0)], " ".join(tokens))
            tokens = joined.split()
        return " ".join(self.replacements.get(tok, tok) for tok in tokens)
