"""Entities beside the intent: lexicon values (country, programme, occupation, document,
visa type) from intents/entities.yml, and amounts of money and ages read by pattern.

Lexicon phrases are matched whole-word on the normalised text; money and ages are read from
the raw text (a dot or comma inside "Rp15.000.000" is a digit separator there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.nlu.normalise import phrase_pattern

_UNITS = {"jt": 1_000_000, "juta": 1_000_000, "jeti": 1_000_000, "yuta": 1_000_000,
          "rb": 1_000, "ribu": 1_000, "rebu": 1_000, "ewu": 1_000, "k": 1_000,
          "miliar": 1_000_000_000, "milyar": 1_000_000_000}
_MONEY = re.compile(
    r"(?<![\w.,])(rp\.? ?)?(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?) ?"
    r"(jt|juta|jeti|yuta|rb|ribu|rebu|ewu|k|miliar|milyar)?\b")
_THOUSANDS = re.compile(r"[.,]\d{3}$")
_AGE_WORD = re.compile(
    r"\b(?:umur|usia|umurku|umurnya|umure|umuran|yuswa|yuswanipun|umurna)"
    r"(?: (?:saya|aku|sy|ku|kulo|kula|abdi|sudah|udah|udh|wes|wis|sampun|baru|masih|msh|"
    r"skrg|sekarang|ayeuna|tos|atos|pas|kira|kurang|lebih|sekitar|mau|menjelang|lagi)){0,3}"
    r" ?(\d{1,2})\b")
_AGE_YEARS = re.compile(r"(?<![\w.,])(\d{2}) ?(?:tahun|thn|th|taun|thun|warsa)\b")
# "di bawah 18 tahun", "dereng umur 18" name an age under 18; "di atas 39" one over 39.
_UNDER_BEFORE = re.compile(
    r"\b(?:di ?bawah|ngandhap|ngandap|handapeun|kurang dari|kurang ti|kirang saking|"
    r"belum|blm|durung|dereng|teu acan|acan)(?: (?:umur|usia|yuswa))? ?$")
_OVER_BEFORE = re.compile(
    r"\b(?:di ?atas|lebih dari|lewat|leuwih ti|langkung saking|luwih saka)"
    r"(?: (?:umur|usia|yuswa))? ?$")
_AGE_BOUND = re.compile(
    r"\b(?:di ?bawah|ngandhap|ngandap|handapeun|kurang dari|kurang ti|kirang saking|"
    r"di ?atas|lebih dari|leuwih ti|langkung saking|luwih saka)"
    r"(?: (?:umur|usia|yuswa))? (\d{2})\b")
_NOT_AGE_BEFORE = re.compile(
    r"(kontrak|selama|lama|kerja|bekerja|tinggal|masa|pengalaman|sejak)\W*$")


@dataclass(frozen=True, slots=True)
class Entities:
    """What a message names: lexicon values by type, amounts in rupiah, ages in years."""

    values: tuple[tuple[str, str], ...] = ()  # (type, value), e.g. ("country", "korea")
    money: tuple[int, ...] = ()
    ages: tuple[int, ...] = ()

    def of(self, kind: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.values if k == kind)

    def has(self, kind: str, value: str) -> bool:
        return (kind, value) in self.values

    def as_dict(self) -> dict[str, list[str] | list[int]]:
        out: dict[str, list[str] | list[int]] = {}
        for kind, value in self.values:
            out.setdefault(kind, []).append(value)  # type: ignore[arg-type]
        if self.money:
            out["money"] = list(self.money)
        if self.ages:
            out["age"] = list(self.ages)
        return out


NO_ENTITIES = Entities()


class EntityExtractor:
    """One regular expression over every lexicon phrase (longest first), plus the money
    and age patterns. About ten microseconds a message."""

    def __init__(self, lexicon: Mapping[str, Mapping[str, list[str]]],
                 normalise: Callable[[str], str] | None = None) -> None:
        """Phrases are normalised like messages ("kp2mi" -> "kp2 mi", "korsel" -> "korea")
        when `normalise` is given, so the lexicon can be written as people type."""
        self.phrases: dict[str, tuple[str, str]] = {}
        for kind, values in lexicon.items():
            for value, phrases in values.items():
                for phrase in [value.replace("_", " "), *phrases]:
                    key = normalise(phrase) if normalise else " ".join(phrase.lower().split())
                    if key:
                        self.phrases.setdefault(key, (kind, value))
        self.pattern = phrase_pattern(self.phrases)

    @classmethod
    def load(cls, path: Path, normalise: Callable[[str], str] | None = None
             ) -> EntityExtractor:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lexicon = {str(kind): {str(v): [str(p) for p in (phrases or [])]
                               for v, phrases in (values or {}).items()}
                   for kind, values in (data.get("lexicon") or {}).items()}
        return cls(lexicon, normalise)

    def __call__(self, text: str, normal: str) -> Entities:
        found: list[tuple[str, str]] = []
        if self.pattern is not None:
            for match in self.pattern.finditer(normal):
                pair = self.phrases[match.group(0)]
                if pair not in found:
                    found.append(pair)
        raw = text.lower()
        ages = _ages(raw)
        return Entities(tuple(found), _money(raw, ages), ages)


def _money(raw: str, ages: tuple[int, ...]) -> tuple[int, ...]:
    amounts: list[int] = []
    for match in _MONEY.finditer(raw):
        prefix, number, unit = match.groups()
        if not prefix and not unit:
            continue  # a bare number is not money
        if _THOUSANDS.search(number):  # 15.000.000 or 15,000
            amount = float(number.replace(".", "").replace(",", ""))
        else:  # 15 or 1,5 (a decimal comma)
            amount = float(number.replace(",", "."))
        value = int(amount * _UNITS.get(unit or "", 1))
        if value >= 1000 and value not in amounts:
            amounts.append(value)
    return tuple(amounts)


def _ages(raw: str) -> tuple[int, ...]:
    found: dict[int, int] = {m.start(1): int(m.group(1)) for m in _AGE_WORD.finditer(raw)}
    for match in _AGE_YEARS.finditer(raw):
        if not _NOT_AGE_BEFORE.search(raw[max(0, match.start() - 20):match.start()]):
            found.setdefault(match.start(1), int(match.group(1)))
    for match in _AGE_BOUND.finditer(raw):
        found.setdefault(match.start(1), int(match.group(1)))
    ages = [_bounded(raw, start, age) for start, age in sorted(found.items())]
    return tuple(dict.fromkeys(a for a in ages if 5 <= a <= 80))


def _bounded(raw: str, start: int, age: int) -> int:
    """An age after "di bawah"/"belum" is one less, after "di atas" one more."""
    before = raw[max(0, start - 30):start]
    if _UNDER_BEFORE.search(before):
        return age - 1
    if _OVER_BEFORE.search(before):
        return age + 1
    return age
