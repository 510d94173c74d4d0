"""Normalisation of colloquial Indonesian before classification (map kept as data)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Affixes:
    """Regional affixes read as their Indonesian ones on a word the map does not know: a
    prefix ("dipun" -> "di") and a suffix ("ipun" -> "nya"); the stem is mapped again.
    Where two suffixes fit ("bunganipun": "bunga"+"nipun" or "bungan"+"ipun"), the stem
    that is a known word wins (a map key or a listed stem), else the last suffix listed."""

    prefixes: tuple[tuple[str, str], ...] = ()
    suffixes: tuple[tuple[str, str], ...] = ()
    stems: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()
    min_stem: int = 3

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Affixes:
        def pairs(name: str) -> tuple[tuple[str, str], ...]:
            raw = data.get(name) or {}
            if not isinstance(raw, Mapping):
                raise ValueError(f"normalisation affixes.{name} must be a mapping")
            return tuple((str(k).lower(), str(v).lower()) for k, v in raw.items())

        def words(name: str) -> frozenset[str]:
            raw = data.get(name) or []
            if not isinstance(raw, list):
                raise ValueError(f"normalisation affixes.{name} must be a list")
            return frozenset(str(w).lower() for w in raw)

        return cls(pairs("prefixes"), pairs("suffixes"), words("stems"), words("keep"))

    def join(self, tokens: list[str]) -> list[str]:
        """A prefix written apart ("dipun priksa") is joined to the word after it."""
        apart = {prefix for prefix, _ in self.prefixes}
        if not apart.intersection(tokens[:-1]):
            return tokens
        out: list[str] = []
        glue = ""
        for token in tokens:
            if token in apart and not glue:
                glue = token
                continue
            out.append(glue + token)
            glue = ""
        if glue:
            out.append(glue)
        return out

    def split(self, token: str, known: Mapping[str, str]) -> str | None:
        """The token with its regional affixes read as Indonesian, or None if it has none."""
        if token in self.keep:
            return None
        head, rest = "", token
        for prefix, normal in self.prefixes:
            if rest.startswith(prefix) and len(rest) - len(prefix) >= self.min_stem:
                head, rest = normal, rest[len(prefix):]
                break
        options = [(rest[:-len(suffix)], normal) for suffix, normal in self.suffixes
                   if rest.endswith(suffix) and len(rest) - len(suffix) >= self.min_stem]
        if not options and not head:
            return None
        stem, tail = next((o for o in options if o[0] in known or o[0] in self.stems),
                          options[-1] if options else (rest, ""))
        word = head + known.get(stem, stem) + tail
        return known.get(word, word)  # "dipun pekso" -> "dipekso" -> "dipaksa"


class Normaliser:
    """Lower-cases, strips accents and punctuation, squeezes repeated letters
    ("tolooong" -> "tolong"), maps phrases ("nyambut damel" -> "kerja"), then maps slang and
    regional words to their normal form; a word not in the map loses a regional affix
    ("syaratipun" -> "syaratnya", "dipunbayar" -> "dibayar", "disiapkeun" -> "disiapkan")."""

    def __init__(self, replacements: Mapping[str, str],
                 phrases: Mapping[str, str] | None = None,
                 symbols: Mapping[str, str] | None = None,
                 affixes: Affixes | None = None,
                 courtesy: Iterable[str] = ()) -> None:
        self.replacements = {k.lower(): v.lower() for k, v in replacements.items()}
        self.phrases = {" ".join(k.lower().split()): v.lower()
                        for k, v in (phrases or {}).items()}
        self._phrase = phrase_pattern(self.phrases)
        # signs that carry meaning (an SOS emoji) become words before symbols are dropped
        self.symbols = {k: f" {v.lower()} " for k, v in (symbols or {}).items()}
        self.affixes = affixes or Affixes()
        self._courtesy = phrase_pattern({" ".join(c.lower().split()) for c in courtesy})

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
                   {str(k): str(v) for k, v in symbols.items()},
                   Affixes.from_data(data.get("affixes") or {}),
                   [str(c) for c in data.get("courtesy") or []])

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
        return " ".join(self._word(tok) for tok in self.affixes.join(tokens))

    def without_courtesy(self, normal: str) -> str:
        """A normalised message without its greetings, thanks and polite openers
        ("selamat pagi permisi mau tanya ... terima kasih" -> the question alone)."""
        if self._courtesy is None:
            return normal
        return " ".join(self._courtesy.sub(" ", normal).split())

    def _word(self, token: str) -> str:
        mapped = self.replacements.get(token)
        if mapped is not None:
            return mapped
        return self.affixes.split(token, self.replacements) or token
