"""The advert checker's word lists (intents/adverts.yml), compiled once into regexes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "intents" / "adverts.yml"


def words_regex(fragments: list[str]) -> re.Pattern[str]:
    """One regex matching any fragment as whole words (longest alternatives first)."""
    ordered = sorted(fragments, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(f"(?:{f})" for f in ordered)
                      + r")(?![a-z0-9])")


@dataclass(frozen=True)
class Job:
    label: str
    domestic: bool
    scam: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """Compiled lexicon; `raw` keeps the YAML for the few plain values."""

    raw: dict[str, Any]
    countries: tuple[tuple[str, re.Pattern[str]], ...]
    any_country: re.Pattern[str]  # one alternation, group name = index into `countries`
    jobs: tuple[Job, ...]
    patterns: dict[str, re.Pattern[str]]
    fee_purposes: tuple[tuple[str, re.Pattern[str]], ...]
    contacts: tuple[tuple[str, re.Pattern[str]], ...]
    name_stops: frozenset[str]
    inner_countries: tuple[tuple[str, str], ...]  # (country, plain alias of 6+ letters)

    @property
    def non_placement(self) -> frozenset[str]:
        return frozenset(self.raw["non_placement"])

    @property
    def middle_east(self) -> frozenset[str]:
        return frozenset(self.raw["middle_east"])

    @property
    def non_agency_heads(self) -> frozenset[str]:
        return frozenset(self.raw["non_agency_heads"])

    @property
    def high_pay_idr(self) -> int:
        return int(self.raw["high_pay_idr"])

    @property
    def rates(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.raw["rates_idr"].items()}


_LISTS = ("abroad", "visa_non_work", "visa_work", "g2g", "exam_words", "fee_negations",
          "warning_words", "negations", "e_wallets", "banks", "company_forms",
          "personal_account_words", "individual", "no_skill", "free_ticket_housing",
          "high_pay", "salary_words", "underage", "money_to_person", "person_contact",
          "office_announcer", "fee_borne", "fee_not_charged",
          "non_household_places", "contact_before", "visa_past", "visa_refused",
          "not_served", "local_work", "clause_turns",
          "official_payees", "lawful_deductions", "placement_costs",
          "no_agency_route", "negation_objects", "wage_cut", "scam_told")


def compile_lexicon(raw: dict[str, Any]) -> Lexicon:
    countries = tuple((name, words_regex(list(words)))
                      for name, words in raw["countries"].items())
    # One word boundary around all countries (not one per country: five times faster).
    groups = ("|".join(f"(?:{w})" for w in sorted(words, key=len, reverse=True))
              for words in raw["countries"].values())
    any_country = re.compile(r"(?<![a-z0-9])(?:" + "|".join(
        f"(?P<c{i}>{group})" for i, group in enumerate(groups)) + r")(?![a-z0-9])")
    jobs = tuple(Job(j["label"], bool(j.get("domestic")), bool(j.get("scam")),
                     words_regex(list(j["words"]))) for j in raw["jobs"])
    patterns = {name: words_regex(list(raw[name])) for name in _LISTS}
    purposes = tuple((label, words_regex(list(words)))
                     for label, words in raw["fee_purposes"].items())
    contacts = tuple((label, re.compile("|".join(f"(?:{w})" for w in words)))
                     for label, words in raw["contacts"].items())
    inner = tuple((name, alias) for name, aliases in raw["countries"].items()
                  for alias in aliases if len(alias) >= 6 and alias.isalpha())
    return Lexicon(raw, countries, any_country, jobs, patterns, purposes, contacts,
                   frozenset(raw["name_stops"]), inner)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DEFAULT_PATH) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return compile_lexicon(data)
