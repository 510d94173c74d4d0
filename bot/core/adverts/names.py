"""Agency names in an advert, checked against the P3MI register with its safety rule.

A name is taken after a legal form or label ("PT", "CV", "P3MI:") up to punctuation, the end
of the line or a word that ends a name ("membuka", "lowongan"). Words of the name are never
dropped to reach a register entry, except that a longer exact register name wins when the
words after it end the name ("PT Bina Kerja Mandiri membuka" -> "Bina Kerja Mandiri"), so
"PT Kilau Samudra Raya Jaya" stays a look-alike of "Kilau Samudra Raya". Registered names
written without "PT" are found by an exact scan of the advert's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.adverts.lexicon import Lexicon
from bot.core.adverts.text import fold, negated_before
from bot.core.agencies.matching import (
    AMBIGUOUS,
    LICENSE_PROBLEM,
    NOT_FOUND,
    REGISTERED,
    CheckResult,
    Match,
    Register,
    name_key,
)

_LABEL = re.compile(r"(?<![A-Za-z0-9])(?:P\.?\s?T\.?|CV\.?|P3MI\s*:?|Perseroan Terbatas)"
                    r"(?=[\s:])", re.IGNORECASE)
_TOKEN = re.compile(r"[^\S\n]*(?P<open>[\"“'(]?)([A-Za-z0-9][A-Za-z0-9'&-]*)(?P<close>[\"”')]?)")
_WORDS = re.compile(r"[a-z0-9]+")
_SPELLED = re.compile(r"[^\S\n]*\(([A-Za-z][A-Za-z ]{3,60})\)")
_PLACE_ABBREVIATION = re.compile(r"(?<![A-Za-z])(Kab|Kec|Prov|Kot|Cab)\.[^\S\n]*", re.IGNORECASE)
# "CV" as the document a job seeker sends: the words around it.
_CV_VERBS = frozenset({"kirim", "kirimkan", "mengirim", "mengirimkan", "lampirkan", "lampiran",
                       "bawa", "membawa", "siapkan", "upload", "unggah", "sertakan", "email",
                       "serahkan", "menyerahkan", "berupa", "dan", "foto", "submit", "send",
                       "your", "lengkapi", "buat", "tulis", "dengan", "beserta", "atau"})
_CV_DOCUMENT = frozenset({"dan", "lengkap", "terbaru", "terakhir", "anda", "kamu", "ke", "via",
                          "lewat", "melalui", "beserta", "serta", "foto", "pas", "ijazah", "ktp",
                          "riwayat", "daftar", "lamaran", "curriculum", "dengan", "atau", "and",
                          "ya", "kak", "dulu", "saja", "aja", "nya", "kalian", "to"})
_MAX_WORDS = 6
_SCAN_WORDS = 6


@dataclass(frozen=True, slots=True)
class AgencyCheck:
    """One company named in the advert and the register's verdict on it."""

    query: str
    result: CheckResult

    @property
    def verdict(self) -> str:
        return self.result.verdict

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"query": self.query, "verdict": self.verdict}
        if self.result.best is not None:
            data["match"] = self.result.best.agency.name
        return data


def _tokens_after(text: str, start: int) -> tuple[list[str], list[str]]:
    """Words after a label on its line, and the first words of the next line (a poster
    often wraps a long company name)."""
    tokens: list[str] = []
    pos = start
    while len(tokens) < _MAX_WORDS + 2:
        match = _TOKEN.match(text, pos)
        if match is None or (match.group("open") == "(" and tokens):
            break  # "(SIP3MI ...)" after a name is an aside, not part of it
        if sum(ch.isdigit() for ch in match.group(2)) >= 6:
            break  # a phone number ("021-555-0107") ends a name, it is never part of one
        tokens.append(match.group(2))
        pos = match.end()
        if match.group("close"):
            return tokens, []  # a quoted or bracketed name ends at its closing mark
    rest = text[pos:]
    following: list[str] = []
    if rest.startswith("\n") or rest.lstrip(" \t").startswith("\n"):
        following, _ = _tokens_after(text, text.index("\n", pos) + 1) if len(tokens) < \
            _MAX_WORDS else ([], [])
    return tokens, following[:_MAX_WORDS - len(tokens)]


def _name_from(line: list[str], following: list[str], register: Register,
               lexicon: Lexicon) -> str:
    joined = line + following
    words = [t.lower() for t in joined]
    for size in range(min(len(words), _MAX_WORDS), len(line), -1):
        ends = size == len(words) or words[size] in lexicon.name_stops
        if ends and register.exact_name(name_key(" ".join(joined[:size]))):
            return " ".join(joined[:size])  # a name wrapped onto the next line
    tokens = line
    words = words[:len(line)]
    for size in range(min(len(words), _MAX_WORDS), 1, -1):
        ends = size == len(words) or words[size] in lexicon.name_stops
        if ends and register.exact_name(name_key(" ".join(tokens[:size]))):
            return " ".join(tokens[:size])
    name: list[str] = []
    for token, word in zip(tokens, words, strict=True):
        if word in lexicon.name_stops or len(name) == _MAX_WORDS or \
                lexicon.any_country.fullmatch(word) or _LICENCE_WORD.search(word):
            break
        name.append(token)
    return " ".join(name)


def company_names(text: str, register: Register, lexicon: Lexicon) -> list[str]:
    """Company names written after PT/CV/P3MI, then registered names found without one."""
    folded = _PLACE_ABBREVIATION.sub(r"\1 ", fold(text))  # "Kab. Blitar" goes on the name
    names: list[str] = []
    keys: set[str] = set()
    mixed_case = folded != folded.upper() and folded != folded.lower()
    for label in _LABEL.finditer(folded):
        if negated_before(folded.lower(), label.start(), lexicon, words=2):
            continue  # "gak lewat PT", "tanpa PT": no company is named
        tokens, following = _tokens_after(folded, label.end())
        if not _names_a_company(label.group(0), tokens, folded[:label.start()], mixed_case):
            continue
        name = _name_from(tokens, following, register, lexicon)
        name = _spelled_out(name, folded, label.end()) or name
        key = name_key(name)
        if label.group(0).strip().lower().startswith("cv") and name:
            name, key = f"CV {name}", f"cv {key}"
        if key.split(" ")[0] in lexicon.non_agency_heads and not register.exact_name(key):
            continue  # "PT Bank Rakyat Indonesia" (a KUR loan) recruits no one
        if len(key) >= 3 and key not in keys and not key.isdigit():
            keys.add(key)
            names.append(name)
    for line in folded.splitlines():
        names += _scan(name_key(line).split(), register, lexicon, keys)
    return names


def _spelled_out(name: str, text: str, start: int) -> str | None:
    """"PT TDK (Tri Dharma Karya)": a short capitalised name followed by the words its
    letters stand for, in brackets, is those words (checked whole, like any name)."""
    if not (2 <= len(name) <= 5 and name.isalpha() and name.isupper()):
        return None
    after = _SPELLED.match(text, text.index(name, start) + len(name))
    if after is None:
        return None
    words = after.group(1).split()
    return after.group(1) if "".join(w[0] for w in words).upper() == name else None


def _names_a_company(label: str, tokens: list[str], before: str, mixed_case: bool) -> bool:
    """Whether the words after a label name a company: "Kirim CV dan foto" is a CV (the
    document), "PT pabrik elektronik", "PT nya" name none. In text that uses capitals a
    name starts with one (after CV) or holds one in its first two words (after PT)."""
    if not tokens:
        return False
    words = [t.lower() for t in tokens[:2]]
    if label.strip().lower().startswith("cv"):
        previous = _WORDS.findall(before.lower())[-1:]
        if words[0] in _CV_DOCUMENT or (previous and previous[0] in _CV_VERBS):
            return False
        return not mixed_case or tokens[0][:1].isupper() or tokens[0][:1].isdigit()
    return not mixed_case or any(t[:1].isupper() or t[:1].isdigit() for t in tokens[:2])


def _scan(words: list[str], register: Register, lexicon: Lexicon, keys: set[str]
          ) -> list[str]:
    """Registered names written without "PT": an exact run of words that the line ends
    after or a name-ending word follows (so a longer look-alike is not cut to one)."""
    found: list[str] = []
    for size in range(min(_SCAN_WORDS, len(words)), 1, -1):
        for start in range(0, len(words) - size + 1):
            key = " ".join(words[start:start + size])
            end = start + size
            if end < len(words) and words[end] not in lexicon.name_stops:
                continue
            if key in keys or any(key in k for k in keys) or not register.exact_name(key):
                continue
            keys.add(key)
            found.append(register.exact_name(key)[0].name)
    return found


class CheckCache:
    """Register verdicts of names already seen (the same advert is forwarded many times),
    per register and day; bounded."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._key: tuple[int, date] | None = None
        self._results: dict[str, CheckResult] = {}

    def check(self, name: str, register: Register, today: date) -> CheckResult:
        if self._key != (id(register), today):
            self._key, self._results = (id(register), today), {}
        found = self._results.get(name)
        if found is None:
            if len(self._results) >= self.size:
                self._results.pop(next(iter(self._results)))
            found = self._results[name] = register.check(name, today)
        return found


def check_names(names: list[str], register: Register, today: date,
                cache: CheckCache | None = None) -> list[AgencyCheck]:
    cache = cache or CheckCache()
    return [_check_one(name, register, today, cache) for name in names[:6]]


_LICENCE_WORD = re.compile(r"^ber-|sip[23]mi|pptkis")  # "P3MI ber-SIP3MI B.513/..."
_PROVINCES = {  # how adverts shorten a province
    "jatim": "jawa timur", "jateng": "jawa tengah", "jabar": "jawa barat",
    "ntb": "nusa tenggara barat", "ntt": "nusa tenggara timur", "sumut": "sumatera utara",
    "sumbar": "sumatera barat", "sumsel": "sumatera selatan", "kalbar": "kalimantan barat",
    "kaltim": "kalimantan timur", "sulsel": "sulawesi selatan", "diy": "yogyakarta",
    "dki": "dki jakarta", "jkt": "jakarta"}
_PLACE_WORDS = frozenset({"kota", "kabupaten", "kab", "provinsi", "prov", "cabang"})


def _own_place(tail: list[str], exact: CheckResult) -> bool:
    """The words after a whole register name are that company's own registered city,
    regency or province ("Permata Selaras Lombok Tengah" for a company of Kabupaten Lombok
    Tengah): the advert names the registered company and where it is."""
    words = {part for w in tail for part in _PROVINCES.get(w.lower().strip(",.()"),
                                                           w.lower().strip(",.()")).split()}
    words = words - _PLACE_WORDS - {""}
    if not words or len(exact.matches) != 1:
        return False
    agency = exact.matches[0].agency
    place = set(f"{agency.city} {agency.province}".lower().replace(",", " ").split())
    return words <= place


def _check_one(name: str, register: Register, today: date, cache: CheckCache) -> AgencyCheck:
    """The register's verdict, with one more reading of a name that starts with a whole
    register name and goes on ("Cahaya Pelita Nusantara Lombok Timur"): words are never
    dropped to reach `registered`, but such a name is a look-alike of that company (not
    unknown), and when that company's licence has a problem, the problem is the answer."""
    result = cache.check(name, register, today)
    if result.verdict in (REGISTERED, LICENSE_PROBLEM):
        return AgencyCheck(name, result)
    words = name.split()
    for size in range(len(words) - 1, 1, -1):
        head = " ".join(words[:size])
        if not register.exact_name(name_key(head)):
            continue
        exact = cache.check(head, register, today)
        if exact.verdict == REGISTERED and _own_place(words[size:], exact):
            return AgencyCheck(name, exact)  # "PT X Semarang": X, registered in Semarang
        if exact.verdict == LICENSE_PROBLEM:
            return AgencyCheck(head, exact)
        if result.verdict == NOT_FOUND:
            share = round(100.0 * len(name_key(head)) / max(1, len(name_key(name))), 1)
            near = tuple(Match(m.agency, m.status, share) for m in exact.matches)
            return AgencyCheck(name, CheckResult(name, AMBIGUOUS, near))
        break
    return AgencyCheck(name, result)
