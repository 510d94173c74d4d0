"""Whether a cue found in an advert's line is what the advert offers, or something it
mentions in passing: "hubungi Admin" (a contact, not an admin job), "tukang kebun untuk
resort" (not household work), "alumni program magang" (the applicant's past, not the visa
offered), "kami tidak memberangkatkan ke Kamboja" (a country it does not serve). Pure.
"""

from __future__ import annotations

import re

from bot.core.adverts.lexicon import Job, Lexicon
from bot.core.adverts.text import clause_around

_SENTENCE_END = re.compile(r"[;:!?]|\.(?!\d)")
_FILLER = re.compile(r"[\s,/]+|(?<![a-z])(?:dan|atau|maupun|serta|ke|untuk|di|negara|lowongan|"
                     r"penempatan|pekerja|pmi|tki|seperti|yaitu|antara lain|misalnya)(?![a-z])")


def offered_job(job: Job, low: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    """A job word that names the job offered: not a domestic word followed by a workplace
    ("tukang kebun untuk resort"), not "admin" as the one to contact ("hubungi Admin")."""
    pats = lexicon.patterns
    if job.domestic and pats["non_household_places"].match(low, match.end() + 1):
        return False
    return not (job.scam and pats["contact_before"].search(low[max(0, match.start() - 25):
                                                                   match.start()]))


def offered_visa(low: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    """A non-work visa the advert offers: not the applicant's past ("alumni program
    magang"), not one the clause says must not be used to work."""
    before, after = clause_around(low, match.start(), match.end())
    return not (lexicon.patterns["visa_past"].search(before[-30:])
                or lexicon.patterns["visa_refused"].search(after))


def country_not_served(low: str, start: int, lexicon: Lexicon) -> bool:
    """A country in a list the sentence says is not served: "kami tidak memberangkatkan ke
    Kamboja, Myanmar, atau Thailand" (only countries and list words in between)."""
    sentence = _SENTENCE_END.split(low[:start])[-1]
    refusal = None
    for refusal in lexicon.patterns["not_served"].finditer(sentence):
        pass
    if refusal is None:
        return False
    between = lexicon.any_country.sub(" ", sentence[refusal.end():])
    return not _FILLER.sub("", between)
