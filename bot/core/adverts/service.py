"""Checking one advert: text (or a picture's OCR text) -> risk, flags, agencies, as the
`ads check --json` contract of DESIGN.md. Explanations and sources come from content/."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core.adverts.extraction import Extraction, extract
from bot.core.adverts.lexicon import Lexicon, load_lexicon
from bot.core.adverts.names import AgencyCheck, CheckCache, check_names, company_names
from bot.core.adverts.ocr import picture_text
from bot.core.adverts.rules import Flag, evaluate, risk_of
from bot.core.agencies.matching import Register
from bot.core.content import Content

MAX_TEXT_CHARS = 20_000  # longer text is not one advert: refused with a clear answer
MIN_WORDS = 3
_WORDS = re.compile(r"[^\W\d_]{2,}")


class AdvertError(ValueError):
    """Input that cannot be checked: "empty", "too_long", "no_words", "not_text", "not_picture",
    "too_large" or "unreadable" (a picture whose text could not be read)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    risk: str
    flags: list[Flag]
    agencies: list[AgencyCheck]
    extraction: Extraction
    text: str

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.flags]


class AdvertChecker:
    """Pure checks against a loaded register; `content` gives the flag explanations."""

    def __init__(self, content: Content, lexicon: Lexicon | None = None) -> None:
        self.content = content
        self.lexicon = lexicon or load_lexicon()
        self.cache = CheckCache()

    def check_text(self, text: str, register: Register, today: date | None = None,
                   *, wrapped: bool = False) -> Verdict:
        """Check an advert's text; `wrapped` when it was read from a picture."""
        cleaned = (text or "").replace("\x00", " ").strip()
        if not cleaned:
            raise AdvertError("empty")
        if len(cleaned) > MAX_TEXT_CHARS:
            raise AdvertError("too_long")
        if "\ufffd" in cleaned or sum(not ch.isprintable() and ch not in "\n\r\t"
                                       for ch in cleaned) * 20 > len(cleaned):
            raise AdvertError("not_text")  # bytes of a file that is neither text nor picture
        if sum(ch.isalpha() for ch in cleaned) < 8 or len(_WORDS.findall(cleaned)) < 3:
            raise AdvertError("no_words")  # emoji only, digits only
        ex = extract(cleaned, self.lexicon, wrapped=wrapped)
        checks = check_names(company_names(cleaned, register, self.lexicon), register,
                             today or date.today(), self.cache)
        flags = evaluate(ex, checks, self.lexicon)
        return Verdict(risk_of(flags), flags, checks, ex, cleaned)

    def check_picture(self, data: bytes, register: Register, today: date | None = None
                      ) -> Verdict:
        """OCR, then the text check; a picture without enough text is "unreadable"."""
        return self.check_read(picture_text(data), register, today)

    def check_read(self, read: Mapping[str, Any], register: Register,
                   today: date | None = None) -> Verdict:
        """The check of a picture already read (`picture_text`: "ocr" or "ocr_error")."""
        error, text = read.get("ocr_error"), read.get("ocr")
        if error is not None or not isinstance(text, str):
            raise AdvertError(str(error or "unreadable"))
        if len(text.split()) < MIN_WORDS or sum(ch.isalpha() for ch in text) < 15:
            raise AdvertError("unreadable")
        return self.check_text(text, register, today, wrapped=True)

    # -- presentation ---------------------------------------------------------------------
    def explain(self, flag: Flag) -> str:
        entry = self.content.entries[f"ad_flag.{flag.code}"]
        params = dict(flag.params)
        if "status" in params:
            key = f"agency_check.status.{params['status']}"
            if self.content.has(key):
                params["status"] = self.content.entries[key].text
        return self.content.fill(entry.text, params)

    def source(self, flag: Flag) -> str:
        return self.content.entries[f"ad_flag.{flag.code}"].source or ""

    def to_dict(self, verdict: Verdict) -> dict[str, Any]:
        """The `ads check --json` contract, plus what else was found under "details"."""
        ex = verdict.extraction
        return {
            "risk": verdict.risk,
            "flags": [{"code": f.code, "detail": self.explain(f), "source": self.source(f)}
                      for f in verdict.flags],
            "destination": ex.destination,
            "job": ex.job,
            "agencies": [c.to_dict() for c in verdict.agencies],
            "text": verdict.text,
            "details": {
                "destinations": ex.destinations,
                "salary": ex.salary.text if ex.salary else None,
                "money_asked": [{"purpose": f.purpose, "amount": f.amount, "to": f.payee}
                                for f in ex.fees],
                "visa": ex.visa,
                "recruiter": _recruiter(ex, verdict.agencies),
                "age": {"min": ex.age_min, "max": ex.age_max},
                "contacts": ex.contacts,
                "g2g": ex.g2g,
            },
        }


def _recruiter(ex: Extraction, checks: list[AgencyCheck]) -> str | None:
    if ex.individual:
        return "person"
    if checks:
        return "company"
    return "government" if ex.g2g else None
