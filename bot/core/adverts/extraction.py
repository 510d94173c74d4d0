"""What an advert says: destination, job, salary, money asked (amount, purpose, payee),
visa, recruiter, age limits, contact channels and the online-scam signs. Pure, no I/O.

Lines that warn ("waspada calo", "tidak dipungut biaya") are read as warnings, not as the
advert's offer, and a negated cue ("bukan visa turis", "tanpa biaya") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.adverts.context import (
    country_not_served,
    lawful_deduction,
    offered_job,
    offered_visa,
    paid_to_official,
    without_dependents_ages,
    years_of_something,
)
from bot.core.adverts.lexicon import Lexicon
from bot.core.adverts.money import Amount, amounts
from bot.core.adverts.text import (
    Line,
    negated_before,
    negated_clause,
    negated_near,
    negated_opening,
    split_lines,
)

_AGE_RANGE = re.compile(r"(?:usia|umur|umr|age)\D{0,25}?(\d{2})\s*(?:-|–|s/?d|sampai|hingga|~|to)"
                        r"\s*(\d{2})")
_AGE_MIN = re.compile(r"(?:usia|umur|umr|age)\s*:?\s*(?:min(?:imal|imum)?\.?|mulai|dari)\s*:?\s*"
                      r"(\d{2})|(?<![\d.,])(\d{2})\s*(?:th|thn|tahun|th\.)?\s*"
                      r"(?:ke ?atas|keatas|\+)|"
                      r"min(?:imal|imum)?\.?\s*(?:usia|umur)?\s*(\d{2})\s*(?:th|thn|tahun)")
_AGE_MAX = re.compile(r"(?:usia|umur|umr)?\s*(?:max|maks(?:imal|imum)?)\.?\s*:?\s*(\d{2})")
_HOLDER = re.compile(r"(?<![a-z])(?:a\.\s?n\.?|a\s?/\s?n|an\.?(?=\s)|atas nama)\s*:?\s*"
                     r"([a-z][a-z .']{2,40})")


_NEEDS_AMOUNT = frozenset({"tiket dan visa", "medical", "pelatihan"})
_PAYING = re.compile(r"(?<![a-z])(bayar|transfer|kirim|setor|dp|lunas|cicil)")
_PAID = re.compile(r"(?<![a-z])(?:di|ter|mem|men|pem)?(bayar|transfer|kirim|setor|dp|lunas|cicil)")
_PAY_WORDS = re.compile(r"(?<![a-z])(gaji|upah|salary|lembur|bonus|penghasilan)(?![a-z])")
_SALARY_TO = re.compile(r"(gaji|upah|salary)[a-z ]{0,25}(dibayar|ditransfer|dikirim|masuk)|"
                        r"(transfer|kirim|bayar|pembayaran|pengiriman)(kan)? (gaji|upah|salary)")
_PERSON = re.compile(r"(?<![a-z])(?:bapak|bpk|ibu|bu|pak|mas|mbak|mba|kakak|kak|abang|bang|teteh|"
                     r"teh|akang|kang|om|tante|bunda|bund|koh|cici|cik|sdri|sdr|saudari|saudara|"
                     r"bos|mrs|mr|miss|madam)\.? ?[a-z]{3,}")
_CONTACT_VERB = re.compile(r"^(hubungi|hub\.?|kontak|japri|cp|contact person|info lanjut|"
                           r"info lengkap|daftar ke)\s*:?\s*")
# "bisa bahasa Inggris", "berbahasa Arab", "masakan Thai": a language or a style asked
# for, not a destination.
_LANGUAGE = re.compile(r"(?<![a-z])(?:bahasa|berbahasa|bhs\.?|b\.|masakan|makanan|kuliner|"
                       r"pijat|ala|gaya|resep|menu)\s*$")


@dataclass(frozen=True, slots=True)
class Fee:
    """Money the applicant is asked to pay: purpose label, amount as written, payee."""

    purpose: str
    amount: str | None
    payee: str | None  # "company", "person", "e-wallet" or None (not said)
    line: str


@dataclass
class Extraction:
    text: str
    lines: list[Line]
    destinations: list[str] = field(default_factory=list)
    abroad: bool = False
    local: bool = False  # a workplace in Indonesia is named, nothing abroad
    jobs: list[str] = field(default_factory=list)
    domestic: bool = False
    scam_job_type: bool = False
    salary: Amount | None = None
    salary_idr: float = 0.0
    fees: list[Fee] = field(default_factory=list)
    payee: str | None = None
    personal_account: str | None = None  # evidence
    visa: str | None = None  # "kerja" or the non-work kind as written
    non_work_visa: str | None = None
    g2g: str | None = None
    individual: str | None = None
    person_contact: str | None = None  # "hubungi bu ani 0812..": a named person to contact
    office: str | None = None  # a public office announces or hosts the advert
    age_min: int | None = None
    age_max: int | None = None
    underage: str | None = None
    contacts: list[str] = field(default_factory=list)
    no_skill: bool = False
    free_ticket_housing: bool = False
    high_pay_words: bool = False

    @property
    def destination(self) -> str | None:
        return self.destinations[0] if self.destinations else None

    @property
    def job(self) -> str | None:
        return self.jobs[0] if self.jobs else None


def _offer_hits(lines: list[Line], pattern: re.Pattern[str], lexicon: Lexicon,
                negatable: bool = True) -> list[tuple[Line, re.Match[str]]]:
    """Matches in lines that offer (not warn), not negated just before."""
    hits = []
    for line in lines:
        if line.warning:
            continue
        for match in pattern.finditer(line.low):
            if negatable and negated_before(line.low, match.start(), lexicon):
                continue
            hits.append((line, match))
    return hits


def extract(text: str, lexicon: Lexicon, *, wrapped: bool = False) -> Extraction:
    lines = split_lines(text, lexicon, wrapped=wrapped)
    ex = Extraction(text=text, lines=lines)
    pats = lexicon.patterns
    _places(ex, lexicon)
    for job in lexicon.jobs:
        if any(offered_job(job, line.low, match, lexicon)
               for line, match in _offer_hits(lines, job.pattern, lexicon)):
            ex.jobs.append(job.label)
            ex.domestic = ex.domestic or job.domestic
            ex.scam_job_type = ex.scam_job_type or job.scam
    whole = "\n".join(line.low for line in lines)
    g2g = next((m for m in pats["g2g"].finditer(whole)
                if not negated_before(whole, m.start(), lexicon, objects=False)), None)
    ex.g2g = g2g.group(0) if g2g else None  # "tanpa antri G to G" names none
    _salary(ex, lexicon)
    _fees(ex, lexicon)
    _payee(ex, lexicon)
    visa = [(line, m) for line, m in _offer_hits(lines, pats["visa_non_work"], lexicon)
            if offered_visa(line.low, m, lexicon)]
    ex.non_work_visa = visa[0][1].group(0) if visa else None
    ex.visa = ex.non_work_visa or ("kerja" if pats["visa_work"].search(whole) else None)
    person = [(line, m) for line, m in _offer_hits(lines, pats["individual"], lexicon)
              if not (ex.g2g and pats["no_agency_route"].search(m.group(0)))]
    ex.individual = person[0][1].group(0) if person else None
    contact = _offer_hits(lines, pats["person_contact"], lexicon)
    if contact:
        said = contact[0][1].group(0)
        name = _PERSON.search(said)
        bare = _CONTACT_VERB.sub("", said).split("(")[0].rstrip(" :-+0123456789")
        ex.person_contact = name.group(0) if name else bare or said
    office = _offer_hits(lines, pats["office_announcer"], lexicon, negatable=False)
    ex.office = office[0][1].group(0) if office else None
    _ages(ex, lexicon)
    ex.contacts = [label for label, pattern in lexicon.contacts if pattern.search(whole)]
    ex.no_skill = bool(_offer_hits(lines, pats["no_skill"], lexicon, negatable=False))
    ex.free_ticket_housing = bool(_offer_hits(lines, pats["free_ticket_housing"], lexicon))
    ex.high_pay_words = bool(_offer_hits(lines, pats["high_pay"], lexicon))
    return ex


def _places(ex: Extraction, lexicon: Lexicon) -> None:
    found: list[tuple[int, int, str]] = []
    for index, line in enumerate(ex.lines):
        if line.warning:
            continue
        for match in lexicon.any_country.finditer(line.low):
            if _LANGUAGE.search(line.low, max(0, match.start() - 14), match.start()):
                continue
            if not negated_before(line.low, match.start(), lexicon, words=2) and \
                    not country_not_served(line.low, match.start(), lexicon):
                name = lexicon.countries[int(str(match.lastgroup)[1:])][0]
                found.append((index, match.start(), name))
    if not found:  # OCR may glue a stray mark to a name ("KAMBOJAN"): look inside words
        for index, line in enumerate(ex.lines):
            if line.warning:
                continue
            for name, alias in lexicon.inner_countries:
                at = line.low.find(alias)
                if at >= 0 and not _LANGUAGE.search(line.low, max(0, at - 14), at):
                    found.append((index, at, name))
    for _, _, name in sorted(found):
        if name not in ex.destinations:
            ex.destinations.append(name)
    abroad = _offer_hits(ex.lines, lexicon.patterns["abroad"], lexicon)
    ex.abroad = bool(ex.destinations) or bool(abroad)
    ex.local = not ex.abroad and bool(_offer_hits(ex.lines, lexicon.patterns["local_work"],
                                                  lexicon))


def _salary(ex: Extraction, lexicon: Lexicon) -> None:
    rates = lexicon.rates
    for line in ex.lines:
        cue = lexicon.patterns["salary_words"].search(line.low)
        if cue is None or line.warning:
            continue
        after = [a for a in amounts(line.low) if a.start >= cue.start()]
        if after:
            best = max(after, key=lambda a: a.idr(rates))
            if best.idr(rates) > ex.salary_idr:
                ex.salary, ex.salary_idr = best, best.idr(rates)


def _fees(ex: Extraction, lexicon: Lexicon) -> None:
    exam = lexicon.patterns["exam_words"]
    for line in ex.lines:
        if line.warning:
            continue
        covered = negated_opening(line.low, lexicon)  # "Tanpa biaya proses, DP atau..."
        candidates = sorted(((m.start(), purpose, m) for purpose, pattern in lexicon.fee_purposes
                             for m in pattern.finditer(line.low) if m.start() >= covered),
                            key=lambda item: item[0])
        for _, purpose, match in candidates:
            if negated_near(line.low, match.start(), match.end(), lexicon) or \
                    negated_clause(line.low, match.start(), match.end(), lexicon):
                continue
            if paid_to_official(line.low, match.start(), match.end(), lexicon) or (
                    purpose == "potongan gaji"
                    and lawful_deduction(line.low, match.start(), match.end(), lexicon)):
                continue  # "dibayar langsung ke BPJS", "dipotong pajak": not a recruiter's
            if ex.g2g and exam.search(line.low):
                continue  # an official G2G exam fee is not a recruiter fee
            if purpose == "transfer" and _PAY_WORDS.search(line.low[max(0, match.start() - 30):
                                                                   match.start()]):
                continue  # "gaji dibayar 27.000": the worker is paid, not paying
            money = amounts(line.low)
            after = [a for a in money if a.start >= match.start()]
            before = [a for a in money if match.start() - 25 <= a.start < match.start()]
            amount = after[0].text if after else (before[-1].text if before else None)
            if purpose in _NEEDS_AMOUNT and amount is None and not _PAYING.search(line.low):
                continue  # "biaya paspor" alone: the person's own costs, not a recruiter's
            if purpose == "transfer" and amount is None and "bayar" not in match.group(0) \
                    and "transfer" not in match.group(0) and "tf" not in match.group(0):
                continue
            ex.fees.append(Fee(purpose, amount, None, line.text))
            break


def _payee(ex: Extraction, lexicon: Lexicon) -> None:
    pats = lexicon.patterns
    for line in ex.lines:
        if line.warning or _SALARY_TO.search(line.low):
            continue  # "gaji ditransfer ke rekening pribadi pekerja" is pay, not a payment
        if not ex.fees and not _PAID.search(line.low):
            continue
        wallet = pats["e_wallets"].search(line.low)
        if wallet and not negated_before(line.low, wallet.start(), lexicon):
            ex.payee, ex.personal_account = "e-wallet", wallet.group(0)
            break
        personal = pats["money_to_person"].search(line.low) or \
            pats["personal_account_words"].search(line.low)
        if personal:
            ex.payee, ex.personal_account = "person", personal.group(0)
            break
        holder = _HOLDER.search(line.low)
        if holder and (pats["banks"].search(line.low) or ex.fees):
            name = holder.group(1).strip()
            if pats["company_forms"].match(name):
                ex.payee = ex.payee or "company"
            else:
                ex.payee, ex.personal_account = "person", f"a.n. {name}"
                break
    if ex.payee and ex.fees:
        ex.fees = [Fee(f.purpose, f.amount, ex.payee, f.line) for f in ex.fees]


def _ages(ex: Extraction, lexicon: Lexicon) -> None:
    for line in ex.lines:
        if line.warning:
            continue
        said = without_dependents_ages(line.low)
        if (rng := _AGE_RANGE.search(said)) is not None:
            low, high = int(rng.group(1)), int(rng.group(2))
            if 10 <= low < high <= 70:
                ex.age_min, ex.age_max = low, high
        elif (floor := _AGE_MIN.search(said)) is not None and ex.age_min is None \
                and (floor.group(1) or not years_of_something(said, floor.start())):
            value = int(floor.group(1) or floor.group(2) or floor.group(3))
            if 10 <= value <= 60 and re.search(r"usia|umur|umr|tahun|th", said):
                ex.age_min = value
        if (top := _AGE_MAX.search(said)) is not None and ex.age_max is None:
            value = int(top.group(1))
            if 18 <= value <= 70:
                ex.age_max = value
    cue = _offer_hits(ex.lines, lexicon.patterns["underage"], lexicon, negatable=False)
    if cue:
        ex.underage = cue[0][1].group(0)
    elif ex.age_min is not None and ex.age_min < 18:
        ex.underage = f"usia mulai {ex.age_min} tahun"
