"""Agency (P3MI) matching against the register: pure, no I/O.

Safety rule (DESIGN.md): `registered` only for an exact match of the normalised name (case,
punctuation, runs of spaces and the legal form PT/PT./Perseroan Terbatas ignored) or of the
SIP3MI number (separators ignored) whose licence is active today. An exact match with a
suspended, revoked or expired licence is `license_problem`. Near matches (typo, missing,
extra, swapped, joined or split words, spelling variants) are `ambiguous`, never
`registered`. Otherwise `not_found`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

ACTIVE = "aktif"
SUSPENDED = "penghentian_sementara"
REVOKED = "dicabut"
EXPIRED = "kedaluwarsa"
STATUSES = (ACTIVE, SUSPENDED, REVOKED, EXPIRED)

REGISTERED = "registered"
LICENSE_PROBLEM = "license_problem"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"

NEAR_SCORE = 80.0  # a candidate at or above this is a near match ("did you mean")
NUMBER_NEAR_SCORE = 85.0
MAX_CANDIDATES = 3
MAX_QUERY_CHARS = 160  # longer (normalised) queries are not names: not_found, no fuzzing
_RETRIEVE = 15  # candidates fetched per retrieval view, then re-scored
# A plain ratio this high is a typo of that name: retrieval stops after one scan as typed.
_TYPO_SCORE = 85.0

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LEGAL_PREFIX = re.compile(r"^(?:p t |pt |perseroan terbatas )+")
_LEGAL_SUFFIX = re.compile(r"(?: p t| pt| perseroan terbatas)+$")
_LEGAL_ANY = re.compile(r"(?:^| )(?:pt|perseroan terbatas)(?= |$)")
_NUMBER_LABEL = re.compile(
    r"^(?:(?:no|nomor|nomer|nmr|sip3mi|sip|izin|ijin|surat|lisensi|nib|p3mi)\b[\s.:#-]*)+",
    re.IGNORECASE,
)
# Spelling variants folded only for fuzzy scoring (never for the exact verdict).
_FOLD_WORDS = {"international": "internasional", "intl": "internasional", "inter": "internasional",
               "indo": "indonesia", "dan": "", "and": "", "co": ""}
_FOLD_LETTERS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ph", "f"), ("q", "k"),
                 ("x", "ks"), ("v", "f"), ("z", "s"))
_DOUBLE = re.compile(r"([a-z])\1+")


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def name_key(name: str) -> str:
    """The exact-match key of a company name: lower case, punctuation as space, single
    spaces, the legal form PT / P.T. / Perseroan Terbatas removed wherever it stands."""
    text = " ".join(_NON_ALNUM.sub(" ", _ascii_lower(name)).split())
    text = _LEGAL_PREFIX.sub("", text + " ")
    text = _LEGAL_SUFFIX.sub("", " " + text.strip())
    text = _LEGAL_ANY.sub(" ", text)
    return " ".join(text.split())


_TRAILING_PT = re.compile(r"^(?P<name>.+?)\s*,?\s*\(?\s*P\.?\s?T\.?\s*\)?\s*$", re.IGNORECASE)
_LEADING_PT = re.compile(r"^\s*P\.?\s?T\.?(\s+|$)", re.IGNORECASE)


def display_name(name: str) -> str:
    """A register name as people write it: the legal form first ("Adhi Tirta Cipta, PT"
    and "PT. Adhi Tirta Cipta" -> "PT Adhi Tirta Cipta"); other names unchanged."""
    text = " ".join(name.split())
    if _LEADING_PT.match(text):
        rest = _LEADING_PT.sub("", text, count=1)
        return f"PT {rest}" if rest else text
    match = _TRAILING_PT.match(text)
    if match and " " in text and match.group("name").strip(" ,"):
        return f"PT {match.group('name').strip(' ,')}"
    return text


def number_key(number: str) -> str:
    """The exact-match key of a SIP3MI number: letters and digits only, upper case."""
    return "".join(ch for ch in _ascii_lower(number) if ch.isalnum() and ch.isascii()).upper()


def query_number_key(query: str) -> str:
    """A typed number without labels such as "No. SIP3MI:"; "" when it has too few digits."""
    key = number_key(_NUMBER_LABEL.sub("", query.strip()))
    return key if sum(ch.isdigit() for ch in key) >= 4 else ""


def looks_like_number(query: str) -> bool:
    """True when a query is a licence number rather than a name that contains digits."""
    stripped = _NUMBER_LABEL.sub("", query.strip())
    key = number_key(stripped)
    digits = sum(ch.isdigit() for ch in key)
    if digits < 4:
        return False
    words = [w for w in _NON_ALNUM.split(_ascii_lower(stripped)) if w.isalpha() and len(w) > 3]
    return len(key) - digits <= 2 * digits or len(words) < 2


def fold(key: str) -> str:
    """Spelling-variant fold of a name key (old spelling, doubled letters, Intl/Indo)."""
    words = [_FOLD_WORDS.get(w, w) for w in key.split()]
    text = " ".join(w for w in words if w)
    for old, new in _FOLD_LETTERS:
        text = text.replace(old, new)
    return _DOUBLE.sub(r"\1", text)


@dataclass(frozen=True, slots=True)
class Agency:
    """One row of the register as the matcher sees it."""

    name: str
    sip3mi: str
    status: str
    province: str = ""
    city: str = ""
    address: str = ""
    phone: str = ""
    issued: date | None = None
    expires: date | None = None

    def status_on(self, today: date) -> str:
        """The licence status judged against `today`: an active licence past its end date
        counts as expired."""
        if self.status == ACTIVE and self.expires is not None and self.expires < today:
            return EXPIRED
        return self.status


@dataclass(frozen=True, slots=True)
class Match:
    agency: Agency
    status: str  # status judged against today
    score: float  # 0..100; 100 for exact matches

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.agency.name,
            "sip3mi": self.agency.sip3mi,
            "status": self.status,
            "province": self.agency.province,
            "expires": self.agency.expires.isoformat() if self.agency.expires else None,
            "score": round(self.score, 1),
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    query: str
    verdict: str
    matches: tuple[Match, ...] = ()
    by_number: bool = False

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def _score(query: str, query_fold: str, key: str, key_fold: str) -> float:
    """Similarity of two name keys, 0..100: typo, joined/split, swapped, one missing/extra
    word, spelling variant; each kind weighted so a plain typo ranks above a word-level
    change, and names two or more words apart stay below NEAR_SCORE."""
    query_words, key_words = set(query.split()), set(key.split())
    one_word_apart = (len(query_words ^ key_words) == 1
                      and (query_words <= key_words or key_words <= query_words))
    return max(
        fuzz.ratio(query, key),
        fuzz.ratio(query.replace(" ", ""), key.replace(" ", "")) * 0.99,
        fuzz.token_sort_ratio(query, key) * 0.96,
        fuzz.token_set_ratio(query, key) * (0.9 if one_word_apart else 0.75),
        fuzz.ratio(query_fold, key_fold) * 0.98,
    )


def _packed(keys: Iterable[str]) -> list[str]:
    """The same strings, allocated one after another: a rapidfuzz scan reads every choice,
    and choices scattered over the heap (made one by one while a register file is parsed)
    make that scan about twice as slow as the same strings side by side."""
    items = list(keys)
    if not items or any("\n" in k for k in items):  # keys are letters, digits, spaces
        return items
    return "\n".join(items).split("\n")


class Register:
    """The register indexed for lookups: exact name and number keys in dicts, name keys in a
    list for rapidfuzz. Build once per import; `check` is read-only and thread-safe."""

    def __init__(self, agencies: Iterable[Agency]) -> None:
        self.agencies: list[Agency] = list(agencies)
        self._by_name: dict[str, list[int]] = {}
        self._by_number: dict[str, int] = {}
        for i, agency in enumerate(self.agencies):
            self._by_name.setdefault(name_key(agency.name), []).append(i)
            self._by_number.setdefault(number_key(agency.sip3mi), i)
        self._keys: list[str] = _packed(self._by_name)
        self._numbers: list[str] = _packed(self._by_number)
        self.max_key_len = max((len(k) for k in self._keys), default=0)
        # Views of the name keys for fast retrieval with plain ratio (one C loop each).
        self._joined = _packed(k.replace(" ", "") for k in self._keys)
        self._sorted = _packed(" ".join(sorted(k.split())) for k in self._keys)
        self._folded = _packed(fold(k) for k in self._keys)
        self._sizes = [len(k.split()) for k in self._keys]
        self._postings: dict[str, list[int]] = {}
        for i, k in enumerate(self._keys):
            for token in set(k.split()):
                self._postings.setdefault(token, []).append(i)

    def __len__(self) -> int:
        return len(self.agencies)

    def exact_name(self, key: str) -> list[Agency]:
        return [self.agencies[i] for i in self._by_name.get(key, ())]

    def by_number(self, key: str) -> Agency | None:
        index = self._by_number.get(key)
        return None if index is None else self.agencies[index]

    def check(self, query: str, today: date) -> CheckResult:
        """The verdict for one typed name or number, per the safety rule above."""
        if len(query) > MAX_QUERY_CHARS * 4:  # not a name or number; never cut to one
            return CheckResult(query, NOT_FOUND)
        key = name_key(query)
        number = query_number_key(query)
        if number and (agency := self.by_number(number)) is not None:
            return _exact(query, [agency], today, by_number=True)
        if key and (found := self.exact_name(key)):
            return _exact(query, found, today)
        if number and len(number) >= 6 and looks_like_number(query):
            return self._near_numbers(query, number, today)
        too_short = " " not in key and len(key) < 5  # "ok", "None": not a company name
        if too_short or len(key) > max(MAX_QUERY_CHARS, self.max_key_len * 2):
            return CheckResult(query, NOT_FOUND)
        return self._near_names(query, key, today)

    def candidates(self, key: str, limit: int = MAX_CANDIDATES) -> list[tuple[str, float]]:
        """Near name keys, best first: (key, score) with score >= NEAR_SCORE.

        Retrieval uses plain ratio over four views (as typed, words joined, words sorted,
        spelling folded) plus names sharing all words with the query (missing or extra
        word); only that small pool is scored with the full similarity."""
        if not self._keys:
            return []
        # The first scan is as typed. A plain typo of a name scores high there, and then
        # the word-level views (joined, swapped, spelling-folded, missing or extra word)
        # are not needed: a typo lookup costs about one bare scan.
        views = ((key, self._keys), (key.replace(" ", ""), self._joined),
                 (" ".join(sorted(key.split())), self._sorted), (fold(key), self._folded))
        pool: set[int] = set()
        for n, (query, choices) in enumerate(views):
            found = process.extract(query, choices, scorer=fuzz.ratio, limit=_RETRIEVE,
                                    score_cutoff=NEAR_SCORE * 0.8)
            pool.update(index for _, _, index in found)
            if n == 0 and found and found[0][1] >= _TYPO_SCORE:
                break
        else:
            pool.update(self._word_overlaps(key))
        key_fold = fold(key)
        scored = [(self._keys[i], _score(key, key_fold, self._keys[i], self._folded[i]))
                  for i in pool]
        scored = [(cand, s) for cand, s in scored if s >= NEAR_SCORE]
        scored.sort(key=lambda item: (-item[1], -OSA.normalized_similarity(key, item[0]),
                                      abs(len(item[0]) - len(key)), item[0]))
        if scored:
            top = scored[0][1]
            scored = [(cand, s) for cand, s in scored if s >= top - 15]
        return scored[:limit]

    def _word_overlaps(self, key: str, cap: int = 50) -> list[int]:
        """Names that contain every word of the query, or whose words are all in it."""
        tokens = set(key.split())
        counts: dict[int, int] = {}
        for token in tokens:
            for index in self._postings.get(token, ()):
                counts[index] = counts.get(index, 0) + 1
        hits = [i for i, n in counts.items() if n == len(tokens) or n == self._sizes[i]]
        hits.sort(key=lambda i: (-counts[i], abs(self._sizes[i] - len(tokens))))
        return hits[:cap]

    def _near_names(self, query: str, key: str, today: date) -> CheckResult:
        matches: list[Match] = []
        for cand, score in self.candidates(key):
            for agency in self.exact_name(cand):
                matches.append(Match(agency, agency.status_on(today), score))
        if not matches:
            return CheckResult(query, NOT_FOUND)
        return CheckResult(query, AMBIGUOUS, tuple(matches[:MAX_CANDIDATES]))

    def _near_numbers(self, query: str, number: str, today: date) -> CheckResult:
        if not self._numbers:
            return CheckResult(query, NOT_FOUND, by_number=True)
        found = process.extract(number, self._numbers, scorer=fuzz.ratio,
                                limit=MAX_CANDIDATES, score_cutoff=NUMBER_NEAR_SCORE)
        stripped = number.lstrip("0")
        matches = []
        for cand, score, _ in found:
            if cand.lstrip("0") == stripped:
                score = max(score, 99.0)
            agency = self.agencies[self._by_number[cand]]
            matches.append(Match(agency, agency.status_on(today), float(score)))
        matches.sort(key=lambda m: -m.score)
        verdict = AMBIGUOUS if matches else NOT_FOUND
        return CheckResult(query, verdict, tuple(matches), by_number=True)


def _exact(query: str, found: Sequence[Agency], today: date, *, by_number: bool = False
           ) -> CheckResult:
    """Exact match(es): registered only when every agency with that name is active today;
    one with a licence problem makes the answer license_problem (shown first)."""
    matches = [Match(a, a.status_on(today), 100.0) for a in found]
    matches.sort(key=lambda m: m.status == ACTIVE)
    verdict = REGISTERED if all(m.status == ACTIVE for m in matches) else LICENSE_PROBLEM
    return CheckResult(query, verdict, tuple(matches), by_number=by_number)
