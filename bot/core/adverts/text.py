"""Preparing advert text for matching: Unicode-folded lower case, split into lines, with a
note of which lines warn ("waspada calo...") rather than offer, and negation look-ups."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.adverts.lexicon import Lexicon

# Lines, sentences and bullets; an abbreviation with a dot ("Bpk.", "Hub.", "Telp.") does
# not end a sentence.
_SPLIT = re.compile(r"\n+|(?<=[A-Za-z0-9)]{3}[.!?])(?<![Bb]pk\.)(?<![Hh]ub\.)(?<![Ss]dr\.)"
                    r"(?<![Tt]elp\.)(?<![Kk]ak\.)(?<![Ss]dri\.)\s+(?=[A-Z0-9*•\-])|\s[•|]\s")
_SPACES = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"[a-z0-9]+")
_ZERO = re.compile(r"\s*[:=]?\s*(?:rp\.?\s*)?(?:0|nihil|nol)(?!\d|[.,]\d)")  # "potongan: 0"
_CLAUSE_END = re.compile(r"[;:!?]|[.,](?!\d)")
_CLAUSE = re.compile(r"[,;](?!\d)")
_CLAUSE_AT = re.compile(r"[^,;]+(?:[,;]\d[^,;]*)*")
_DIGIT = re.compile(r"\d")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fold(text: str) -> str:
    """NFKC (so 𝗕𝗢𝗟𝗗 letters read as plain), symbols and emoji out, lower case."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return _CONTROL.sub(" ", text)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cf") or (cat == "Cc" and ch not in "\n\t"):
            kept.append(" ")
        else:
            kept.append(ch)
    return "".join(kept)


@dataclass(frozen=True, slots=True)
class Line:
    """One line or sentence of the advert: original (folded) and lower-case text."""

    text: str
    low: str
    warning: bool


def split_lines(text: str, lexicon: Lexicon, *, wrapped: bool = False) -> list[Line]:
    """The advert's lines. Typed or forwarded text keeps its author's lines; text read from
    a picture (`wrapped`) joins a line that goes on in lower case (a poster's wrapping)."""
    parts: list[str] = []
    for part in _SPLIT.split(fold(text)):
        part = _SPACES.sub(" ", part).strip(" *-•>#")
        if not part:
            continue
        if wrapped and parts and part[0].islower() \
                and not parts[-1].endswith((".", "!", "?", ":")):
            parts[-1] = f"{parts[-1]} {part}"  # a wrapped line (a poster, OCR) goes on
        else:
            parts.append(part)
    lines: list[Line] = []
    for part in parts:
        line = _line(part, lexicon)
        lines += _warning_clauses(line, lexicon) if line.warning else [line]
    return lines


def _line(text: str, lexicon: Lexicon) -> Line:
    table = lexicon.raw.get("replacements") or {}
    low = _WORD.sub(lambda m: str(table.get(m.group(0), m.group(0))), text.lower())
    return Line(text, low, bool(lexicon.patterns["warning_words"].search(low)))


def _warning_clauses(line: Line, lexicon: Lexicon) -> list[Line]:
    """A line that warns, cut into its clauses: a clause warns if it says a warning, or
    goes on from one that did without turning to an offer ("Jangan percaya calo, langsung
    daftar lewat saya": the second clause is the advert's own offer)."""
    clauses = [_line(c, lexicon) for c in _CLAUSE.split(line.text) if c.strip()]
    out: list[Line] = []
    for clause in clauses:
        if not clause.warning and out and out[-1].warning \
                and not turns(clause.low, lexicon):
            clause = Line(clause.text, clause.low, True)
        out.append(clause)
    return out


def turns(clause: str, lexicon: Lexicon) -> bool:
    """A clause after a warning or a fee negation that turns to what the advert asks: a
    turning word ("cukup", "langsung lewat saya"), or an amount or a wage cut that is not
    told of someone else ("..., gaji dipotong 6 bulan"; not "ada oknum meminta DP 2 juta")."""
    pats = lexicon.patterns
    if pats["clause_turns"].search(clause):
        return True
    return bool(_DIGIT.search(clause) or pats["wage_cut"].search(clause)) and \
        not pats["scam_told"].search(clause)


def negated_opening(low: str, lexicon: Lexicon) -> int:
    """Where the fee negation a line opens with ("Tidak ada biaya pendaftaran, biaya proses
    atau DP") stops: at the first later clause that turns to what is asked ("..., cukup DP
    2 juta"), else the end of the line; 0 when the line opens with none."""
    opening = low.lstrip(" \t-–•*·>:✔✓✅☑️").lstrip()
    if lexicon.patterns["fee_negations"].match(opening) is None:
        return 0
    for clause in list(_CLAUSE_AT.finditer(low))[1:]:
        if turns(clause.group(0), lexicon):
            return clause.start()
    return len(low)


def negated_before(low: str, start: int, lexicon: Lexicon, words: int = 3,
                   objects: bool = True) -> bool:
    """A negation word among the few words before position `start`, in the same clause
    ("tanpa antri, lewat saya": the comma ends what "tanpa" negates), that negates more
    than its own next word ("tanpa ribet lewat sponsor": "tanpa" goes with "ribet"; with
    `objects` False it negates what follows all the same: "tanpa antri G to G")."""
    window = _CLAUSE_END.split(low[max(0, start - 40):start])[-1]
    before = _WORD.findall(window)[-words:]
    negations = lexicon.patterns["negations"]
    own = lexicon.patterns["negation_objects"]
    return any(negations.fullmatch(w) and not (objects and i + 1 < len(before)
                                               and own.fullmatch(before[i + 1]))
               for i, w in enumerate(before))


def negated_near(low: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """A fee negation ("tanpa", "gratis", "ditanggung perusahaan") right before or after."""
    pattern = lexicon.patterns["fee_negations"]
    before = low[max(0, start - 30):start]
    after = low[end:end + 45]
    before_hit = any(m.end() >= len(before) - 12 for m in pattern.finditer(before))
    after_match = pattern.search(after)
    after_hit = after_match is not None and after_match.start() <= 14
    return before_hit or after_hit or bool(_ZERO.match(after))


def clause_around(low: str, start: int, end: int) -> tuple[str, str]:
    """The words of the clause before `start` and after `end` (a clause ends at a comma,
    semicolon, colon or full stop; the dot or comma inside "1.500" or "2,5" does not)."""
    before = _CLAUSE_END.split(low[:start])[-1]
    after = _CLAUSE_END.split(low[end:], maxsplit=1)[0]
    return before, after


def negated_clause(low: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """A fee word whose clause says it is not charged ("PMI tidak boleh dibebani biaya
    penempatan") or that someone else bears it, with no amount in between ("biaya proses
    visa dan tiket sepenuhnya ditanggung oleh majikan")."""
    before, after = clause_around(low, start, end)
    if lexicon.patterns["fee_not_charged"].search(before):
        return True
    borne = lexicon.patterns["fee_borne"].search(after)
    return borne is not None and not _DIGIT.search(after[:borne.start()])
