"""Whether a cue found in an advert's line is what the advert offers, or something it
mentions in passing: "hubungi Admin" (a contact, not an admin job), "tukang kebun untuk
resort" (not household work), "alumni program magang" (the applicant's past, not the visa
offered), "kami tidak memberangkatkan ke Kamboja" (a country it does not serve), "anak usia
10-14 tahun" (the age of a child cared for, not the applicant's). Pure.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.adverts.lexicon import Job, Lexicon
from bot.core.adverts.text import clause_around

_SENTENCE_END = re.compile(r"[;:!?]|\.(?!\d)")
_FILLER = re.compile(r"[\s,/]+|(?<![a-z])(?:dan|atau|maupun|serta|ke|untuk|di|negara|lowongan|"
                     r"penempatan|pekerja|pmi|tki|seperti|yaitu|antara lain|misalnya)(?![a-z])")


# Years that are not an age: "pengalaman minimal 10 tahun", "masa kerja 12 tahun ke atas".
_YEARS_OF = re.compile(r"(?<![a-z])(?:pengalaman|berpengalaman|masa kerja|lama kerja|kontrak|"
                       r"ijazah|lulusan|lulus|tinggi|berat|jam|bulan|experience)(?![a-z])")
_AGE_WORD = re.compile(r"(?<![a-z])(?:usia|umur|berusia|berumur|age)(?![a-z])")
_ASIDE = re.compile(r"\([^()]*\)")
# The age of someone the worker cares for ("menjaga 2 anak usia 10-14 tahun", "nenek umur
# 80 tahun"): not the applicant's age limit.
_DEPENDENT_AGE = re.compile(
    r"(?<![a-z])(?:anak|anaknya|bayi|balita|cucu|lansia|nenek|kakek|oma|opa|pasien|jompo|"
    r"majikan)(?:\s+[a-z0-9]+){0,3}?\s+(?:yang\s+)?(?:usia|umur|berusia|berumur)\s*"
    r"\d+(?:\s*(?:-|–|~|s/?d|sampai|hingga|dan|&|,)\s*\d+)*\s*(?:tahun|thn|th)?"
    r"(?:\s*(?:ke ?atas|keatas|\+))?")


@lru_cache(maxsize=8)
def _plain(fragments: tuple[str, ...]) -> re.Pattern[str]:
    """Fragments matched where they start (no word boundary before): what follows a word."""
    return re.compile("|".join(f"(?:{f})" for f in fragments))


def offered_job(job: Job, low: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    """A job word that names the job offered: not a domestic word followed by a workplace
    ("tukang kebun untuk resort"), not "admin" as the one to contact ("hubungi Admin",
    "Admin: 0812..."), not a service the employer provides ("penerjemah disediakan")."""
    pats = lexicon.patterns
    if job.domestic and pats["non_household_places"].match(low, match.end() + 1):
        return False
    if not job.scam:
        return True
    return not (pats["contact_before"].search(low[max(0, match.start() - 25):match.start()])
                or _plain(tuple(lexicon.raw["service_after"])).match(low, match.end()))


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
    refusals = list(lexicon.patterns["not_served"].finditer(sentence))
    if not refusals:
        return False
    refusal = refusals[-1]
    between = lexicon.any_country.sub(" ", sentence[refusal.end():])
    return not _FILLER.sub("", between)


def paid_to_official(low: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """Money paid to a public service in the fee word's clause ("dibayar langsung ke
    BPJS", "ke kantor Imigrasi"): the worker's own cost, not a recruiter's fee."""
    plain = _ASIDE.sub(lambda m: " " * len(m.group(0)), low)  # "(paspor, SKCK)" is one item
    before, after = clause_around(plain, start, end)
    return lexicon.patterns["official_payees"].search(f"{before} {after}") is not None


def lawful_deduction(low: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """A wage deduction whose clause names tax or insurance and no placement cost ("gaji
    dipotong pajak dan asuransi sesuai aturan"), not one that repays a recruiter."""
    before, after = clause_around(low, start, end)
    clause = f"{before} {after}"
    pats = lexicon.patterns
    return bool(pats["lawful_deductions"].search(clause)) and \
        not pats["placement_costs"].search(clause)


def without_dependents_ages(low: str) -> str:
    """The line without the ages of the children or elderly the worker will care for."""
    return _DEPENDENT_AGE.sub(" ", low)


def years_of_something(low: str, start: int) -> bool:
    """A number of years said of experience, a contract or a diploma just before `start`
    ("berpengalaman minimal 10 tahun"): not an age limit."""
    window = re.split(r"[,;]|\.(?!\d)", low[max(0, start - 30):start])[-1]
    found = list(_YEARS_OF.finditer(window))
    return bool(found) and _AGE_WORD.search(window, found[-1].end()) is None
