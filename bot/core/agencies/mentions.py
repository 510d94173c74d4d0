"""Finding an agency name or licence number inside a chat message: pure, no I/O.

A name is the whole run of words the user typed between boundaries (punctuation, a legal
form, and question words listed in intents/agency_mentions.yml); words are never dropped
from inside it, so "PT Cahaya Lombok Aman Sentosa resmi gak?" yields the four-word name
"cahaya lombok aman sentosa", never "cahaya lombok". Everyday words that companies use
("Mas", "Kerja", "Aman", "Ada") stay part of a name, except that "aman"/"ada"/"bisa"
followed by a question particle ("... aman gak?") is the question, not the name.

A message about a person ("calo", "sponsor", a phone number) names no agency unless a
legal form ("PT") names a company; phone numbers are never taken for licence numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.agencies.matching import name_key, number_key
from bot.settings import get_settings

LEXICON_FILE = "agency_mentions.yml"  # in the intents folder (INTENTS_DIR)
_TOKEN = re.compile(r"[a-z0-9]+|[,;:?!()\"“”]|\.(?=\s|$)")
_LEGAL = frozenset({"pt", "perseroan", "terbatas"})
_PUNCT = frozenset(",;:?!()\"“”.")
# Mobile numbers (08…, +62 8…) and landlines written with separators (021-555-0123).
_PHONE = re.compile(r"(?<![\w-])(?:(?:\+?62[\s.-]?|0)8[\d\s.-]{7,16}\d"
                    r"|\(?0\d{1,3}\)?[\s.-]\d{3,4}[\s.-]\d{3,5})(?![\w-])")
_NUMBER_WORDS = frozenset(
    "kep ka men b pptkis tahun th thn i ii iii iv v vi vii viii ix x xi xii kepka".split()  # noqa: SIM905
)
_LABELS = frozenset("no nomor nomer nmr sip3mi sip nib izin ijin".split())  # noqa: SIM905
_END = "<end>"


@dataclass(frozen=True)
class Lexicon:
    """The word lists of intents/agency_mentions.yml."""

    boundaries: frozenset[str]
    cues: frozenset[str]
    licence_words: frozenset[str]
    accounts: frozenset[str]
    persons: frozenset[str]
    predicates: dict[str, frozenset[str]]

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        path = path or get_settings().intents_dir / LEXICON_FILE
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            boundaries=frozenset(data["boundaries"].split()),
            cues=frozenset(data["cues"].split()),
            licence_words=frozenset(data["licence_words"].split()),
            accounts=frozenset(data["accounts"].split()),
            persons=frozenset(data["persons"].split()),
            predicates={word: frozenset([*followers, "?", _END])
                        for word, followers in data["predicates"].items()},
        )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()


@dataclass
class Mention:
    """What a message says about an agency: typed names (after "PT" first) and numbers."""

    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # raw spans, longest first
    after_legal: list[str] = field(default_factory=list)  # names right after "PT"
    has_legal_form: bool = False
    has_cue: bool = False
    asks_licence: bool = False
    about_person: bool = False

    @property
    def empty(self) -> bool:
        return not self.names and not self.numbers


def find_mention(text: str, lexicon: Lexicon | None = None) -> Mention:
    """Typed names and licence-number spans in a message, most likely first."""
    lex = lexicon or default_lexicon()
    without_phones = _PHONE.sub(" , ", text)
    tokens = [*_TOKEN.findall(without_phones.lower()), _END]
    words = {t for t in tokens if t not in _PUNCT}
    numbers = [] if words & lex.accounts else _number_spans(without_phones)
    after_legal: list[str] = []
    others: list[str] = []
    for legal, span in _spans(tokens, lex):
        key = name_key(" ".join(span))
        if key and not _is_number_like(key):
            (after_legal if legal else others).append(key)
    mention = Mention(
        after_legal=list(dict.fromkeys(after_legal)),
        has_legal_form=bool(after_legal),  # "PT" followed by a name, not "pt lain"
        has_cue=bool(words & lex.cues),
        asks_licence=bool(words & lex.licence_words),
    )
    mention.about_person = bool(words & lex.persons) and not mention.has_cue
    if mention.about_person and not mention.has_legal_form:
        return mention
    mention.numbers = numbers
    mention.names = list(dict.fromkeys(after_legal + sorted(others, key=lambda k: -len(k))))
    return mention


def _spans(tokens: list[str], lex: Lexicon) -> list[tuple[bool, list[str]]]:
    """Runs of name words, each marked True when it follows a legal form ("PT Maju")."""
    spans: list[tuple[bool, list[str]]] = []
    span: list[str] = []
    after_legal = False
    previous = ""
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else _END
        legal = token in _LEGAL and not (token == "terbatas" and previous != "perseroan")
        predicate = token in lex.predicates and nxt in lex.predicates[token]
        if legal or token in _PUNCT or token == _END or token in lex.boundaries \
                or token in lex.cues or predicate:
            if span:
                spans.append((after_legal, span))
                span = []
            if legal:
                after_legal = True
            elif not (token == "." and previous in _LEGAL):  # "PT. Maju" keeps the form
                after_legal = False
        else:
            span.append(token)
        previous = token
    return spans


def _is_number_like(key: str) -> bool:
    compact = key.replace(" ", "")
    return sum(ch.isdigit() for ch in compact) * 2 >= len(compact)


def _number_spans(text: str) -> list[str]:
    """Runs of tokens that look like a licence number ("KEP.123/KA/2021", "KEP 276 TAHUN
    2022", "022 2018 000 911"), with every sub-run, longest first."""
    tokens = text.replace(",", " ").split()
    runs: list[list[str]] = []
    run: list[str] = []
    for token in tokens:
        low = token.lower().strip(".:;?!()")
        digit = any(ch.isdigit() for ch in low) and low not in _LABELS
        if digit or (run and low in _NUMBER_WORDS) or (not run and low in ("kep", "b", "b.")):
            run.append(token)
        else:
            if any(any(ch.isdigit() for ch in t) for t in run):
                runs.append(run)
            run = []
    if any(any(ch.isdigit() for ch in t) for t in run):
        runs.append(run)
    spans: list[str] = []
    for run in runs:
        run = run[:8]
        for size in range(len(run), 0, -1):
            for start in range(0, len(run) - size + 1):
                span = " ".join(run[start:start + size])
                if sum(ch.isdigit() for ch in number_key(span)) >= 4 and span not in spans:
                    spans.append(span)
    return spans
